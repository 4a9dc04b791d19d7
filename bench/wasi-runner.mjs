// Runs a wasm32-wasi command module under node's WASI preview1 with no arguments beyond its
// name, so `cargo xtask bench` can check both linkers' outputs print the same thing.
import { WASI } from 'node:wasi';
import { readFileSync } from 'node:fs';

const path = process.argv[2];
const wasi = new WASI({ version: 'preview1', args: [path], env: {}, returnOnExit: true });
const module = await WebAssembly.compile(readFileSync(path));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
