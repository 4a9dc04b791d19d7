#!/usr/bin/env bash
# Installs what the project needs on a fresh Debian machine: the LLVM 19 wasm toolchain (the
# reference linker wasm-ld-19, clang-19, llvm-mc-19, llvm-objdump-19, and libLTO for LTO from
# llvm-19-linker-tools), wasi-libc, libc++ for
# wasm32-wasi, wabt, node, meson and ninja (for the Meson test), and the Rust wasm targets. Safe to run again: it installs only
# what is missing.
set -euo pipefail

packages=(clang-19 lld-19 llvm-19 llvm-19-linker-tools wasi-libc libclang-rt-19-dev-wasm32 libc++-19-dev-wasm32
          libc++abi-19-dev-wasm32 wabt meson ninja-build)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
command -v node >/dev/null || missing+=(nodejs)

if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

installed_targets=$(rustup target list --installed)
for t in wasm32-wasip1 wasm32-unknown-unknown; do
  grep -qx "$t" <<<"$installed_targets" || rustup target add "$t"
done
cargo clippy --version >/dev/null 2>&1 || rustup component add clippy
cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt
echo "setup: toolchain ready"
