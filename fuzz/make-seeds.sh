#!/usr/bin/env bash
# Builds the fuzz seed corpora from real inputs into fuzz/seeds/ (not committed: run on demand,
# `cargo xtask fuzz` runs it when fuzz/seeds/.done is missing). Deterministic for one toolchain.
#
#   objects/   clang-19 objects of fixtures/c and conformance/ (-O2, -g, C++, -fPIC, TLS,
#              exceptions, wasm64), the asm fixtures (llvm-mc-19), libc.a members and crt1,
#              Rust objects (rustc --emit=obj)
#   modules/   linked modules: a libc program, a reactor, a PIC shared module with dylink.0
#   archives/  GNU, BSD and thin archives (llvm-ar-19), with and without a symbol index,
#              with long member names, and wasi-libc's small archives as shipped
#   link/      the objects of objects/ small enough to link many times a second
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd .. && pwd)
out=seeds
sysroot=/usr/lib/wasm32-wasi

missing=()
for tool in clang-19 clang++-19 llvm-mc-19 llvm-ar-19 wasm-ld-19 rustc; do
    command -v "$tool" >/dev/null || missing+=("$tool")
done
[ -f "$sysroot/libc.a" ] || missing+=("wasi-libc ($sysroot/libc.a)")
if [ ${#missing[@]} -gt 0 ]; then
    echo "make-seeds: missing: ${missing[*]} (scripts/setup.sh installs them)" >&2
    exit 1
fi

rm -rf "$out"
mkdir -p "$out"/{objects,modules,archives,link} "$out/tmp"
tmp=$out/tmp
cc=(clang-19 --target=wasm32-wasi --sysroot=/usr -c)

# The `fixture-flags:` of a fixture (see tests/src/lib.rs).
flags_of() { sed -n '1,3s/.*fixture-flags://p' "$1"; }

# clang objects: every C/C++ fixture at -O2 and -g, with its own flags.
for src in "$root"/fixtures/c/*.c "$root"/fixtures/c/*.cpp; do
    name=$(basename "$src"); name=${name%.*}
    # shellcheck disable=SC2046
    "${cc[@]}" -O2 $(flags_of "$src") "$src" -o "$out/objects/$name-O2.o"
    # shellcheck disable=SC2046
    "${cc[@]}" -O0 -g $(flags_of "$src") "$src" -o "$out/objects/$name-g.o"
done
# A few conformance programs: C with libc at -Oz, C++ with libc++ at -O2 (comdats, EH, RTTI).
for src in hello.c thread_local.c start_stop.c variadic.c int128.c; do
    "${cc[@]}" -Oz -pthread -matomics -mbulk-memory "$root/conformance/c/$src" \
        -o "$out/objects/conf-${src%.c}.o"
done
for src in hello.cpp templates_heavy.cpp function_lambda.cpp; do
    clang++-19 --target=wasm32-wasi --sysroot=/usr -c -O2 -fno-exceptions \
        "$root/conformance/cpp/$src" -o "$out/objects/conf-${src%.cpp}.o"
done
clang++-19 --target=wasm32-wasi --sysroot=/usr -c -O1 -fwasm-exceptions \
    "$root/fixtures/c/eh_main.cpp" -o "$out/objects/eh-main-wasm-exceptions.o"

# The asm fixtures, with their flags (triple, features).
for src in "$root"/fixtures/asm/*.s; do
    name=$(basename "$src" .s)
    flags=$(flags_of "$src")
    case "$flags" in *-triple*) triple=() ;; *) triple=(-triple=wasm32-unknown-unknown) ;; esac
    # shellcheck disable=SC2086
    llvm-mc-19 -filetype=obj "${triple[@]}" $flags "$src" -o "$out/objects/asm-$name.o"
done

# libc.a members (a spread of small and larger ones) and the crt1 variants.
(cd "$tmp" && llvm-ar-19 x "$sysroot/libc.a" \
    strlen.o memcpy.o printf.o vfprintf.o malloc.o dlmalloc.o errno.o __environ.o \
    qsort.o strtod.o fwrite.o __stdio_write.o atexit.o exit.o getenv.o snprintf.o \
    pthread_self.o __init_tls.o sbrk.o 2>/dev/null || true)
for m in "$tmp"/*.o; do mv "$m" "$out/objects/libc-$(basename "$m")"; done
for crt in crt1.o crt1-command.o crt1-reactor.o; do cp "$sysroot/$crt" "$out/objects/libc-$crt"; done

# Rust objects: a std program, a no_std library, and a cdylib, at -O2.
for src in hello.rs traits_generics.rs; do
    rustc --target wasm32-wasip1 --emit=obj -C opt-level=2 -C panic=abort \
        "$root/conformance/rust/$src" -o "$out/objects/rust-${src%.rs}.o"
done
cat > "$tmp/lib.rs" <<'RS'
#![no_std]
#[no_mangle]
pub extern "C" fn add(a: u32, b: u32) -> u32 { a.wrapping_add(b) }
#[no_mangle]
pub static mut TABLE: [u64; 4] = [1, 2, 3, 4];
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! { loop {} }
RS
rustc --target wasm32-unknown-unknown --crate-type=cdylib --emit=obj -C opt-level=2 \
    -C panic=abort "$tmp/lib.rs" -o "$out/objects/rust-nostd-cdylib.o"

# Linked modules: a libc program, a reactor, and a shared module (-fPIC, dylink.0).
"${cc[@]}" -O2 "$root/conformance/c/hello.c" -o "$tmp/hello.o"
wasm-ld-19 -L"$sysroot" "$sysroot/crt1-command.o" "$tmp/hello.o" -lc -o "$out/modules/hello.wasm"
"${cc[@]}" -O2 "$root/conformance/c/reactor.c" -o "$tmp/reactor.o"
wasm-ld-19 -L"$sysroot" "$sysroot/crt1-reactor.o" "$tmp/reactor.o" -lc --export-dynamic --no-entry \
    -o "$out/modules/reactor.wasm"
"${cc[@]}" -O2 -fPIC "$root/fixtures/c/pic.c" -o "$tmp/pic.o"
wasm-ld-19 --experimental-pic -shared --unresolved-symbols=import-dynamic "$tmp/pic.o" \
    -o "$out/modules/pic-shared.wasm"
wasm-ld-19 --experimental-pic -pie --no-entry --export-all --unresolved-symbols=import-dynamic \
    "$tmp/pic.o" -o "$out/modules/pic-pie.wasm"

# Archives of a few objects with long names: GNU and BSD with an index, without one (S), thin.
members=()
for m in main-O2 weak-O2 data-O2 ctors-O2; do
    cp "$out/objects/$m.o" "$tmp/a-rather-long-member-name-$m.o"
    members+=("$tmp/a-rather-long-member-name-$m.o")
done
cp "$out/objects/libc-strlen.o" "$tmp/short.o"
members+=("$tmp/short.o")
llvm-ar-19 rc --format=gnu "$out/archives/gnu.a" "${members[@]}"
llvm-ar-19 rc --format=bsd "$out/archives/bsd.a" "${members[@]}"
llvm-ar-19 rcS --format=gnu "$out/archives/gnu-noindex.a" "${members[@]}"
llvm-ar-19 rc --format=gnu --thin "$out/archives/thin.a" "${members[@]}"
llvm-ar-19 rc --format=bsd "$out/archives/bsd-one.a" "$tmp/short.o"
printf 'not wasm\n' > "$tmp/notes.txt"
llvm-ar-19 rc --format=gnu "$out/archives/gnu-text-member.a" "$tmp/short.o" "$tmp/notes.txt"
for lib in libwasi-emulated-getpid.a libwasi-emulated-mman.a libwasi-emulated-signal.a libm.a; do
    cp "$sysroot/$lib" "$out/archives/$lib"
done

# The link target's corpus: the objects up to 16 KiB, and the shared module (a `.so` input of
# the dynamic links).
find "$out/objects" -name '*.o' -size -16k -exec cp {} "$out/link/" \;
cp "$out/modules/pic-shared.wasm" "$out/link/"
printf '#STUB\nimported_fn: main\nother\n' > "$out/link/stub.so"

rm -rf "$tmp"
touch "$out/.done"
for d in objects modules archives link; do
    echo "make-seeds: $d: $(find "$out/$d" -type f | wc -l) files, $(du -sk "$out/$d" | cut -f1) KiB"
done
