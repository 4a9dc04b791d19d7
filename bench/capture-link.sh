#!/bin/sh
# Stands in for the linker of a `cargo build` so the link can be replayed: writes the arguments
# it is given (NUL-separated) to $BENCH_CAPTURE_DIR/args, copying object files first because
# rustc deletes its codegen-unit objects after linking, then links with wasm-ld-19.
set -eu
cap="${BENCH_CAPTURE_DIR:?BENCH_CAPTURE_DIR must name the capture directory}"
mkdir -p "$cap/inputs"
: > "$cap/args.tmp"
i=0
for arg in "$@"; do
  case "$arg" in
    *.o)
      if [ -f "$arg" ]; then
        i=$((i + 1))
        copy="$cap/inputs/$i-$(basename "$arg")"
        cp "$arg" "$copy"
        arg="$copy"
      fi
      ;;
  esac
  printf '%s\0' "$arg" >> "$cap/args.tmp"
done
mv "$cap/args.tmp" "$cap/args"
exec wasm-ld-19 "$@"
