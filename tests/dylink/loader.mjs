// A small dynamic loader for WebAssembly modules linked with `-pie` / `-shared`, following
// tool-conventions DynamicLinking.md, to run the same programs linked by wasm-link and by
// wasm-ld-19 and compare what they do.
//
//   node loader.mjs MAIN.wasm
//
// - Reads `dylink.0` of the main module and, recursively, of every module it lists as NEEDED
//   (found beside it), and loads dependencies first.
// - One memory and one table for all. Each module gets `memSize` bytes of memory (aligned as
//   `memAlign` asks) and `tableSize` table slots; `__memory_base` / `__table_base` say where.
// - A shared mutable `__stack_pointer` over a 64 KiB stack at the start of memory.
// - `env.*` functions resolve to the first module that exports the name, the main module
//   first, then the libraries in load order (through a trampoline, so modules may call each
//   other in any order); `GOT.mem.X` holds the address of data X,
//   `GOT.func.X` the table slot of function X (added to the table when missing). Weak imports
//   (IMPORT_INFO) may stay unresolved: 0, or a function that traps.
// - After instantiating everything: per module, dependencies first, `__wasm_apply_data_relocs`
//   then `__wasm_call_ctors`; then the main module's `_start`.
// - The programs print with `env.print_str(ptr)` (a NUL-terminated string) and
//   `env.print_int(i32)`, one line each; nothing else is provided.

import fs from "node:fs";
import path from "node:path";

const PAGE = 65536;
const STACK = 65536;

/** Reads an unsigned LEB128 at `at` of `bytes`: [value, next offset]. */
function uleb(bytes, at) {
  let value = 0, shift = 0, byte;
  do {
    byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, at];
}

/** A UTF-8 string with its LEB128 length at `at`: [string, next offset]. */
function str(bytes, at) {
  const [len, start] = uleb(bytes, at);
  return [new TextDecoder().decode(bytes.subarray(start, start + len)), start + len];
}

/** The `dylink.0` section of a module: memory and table needs, NEEDED, weak imports. */
function readDylink(bytes) {
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at];
    const [size, body] = uleb(bytes, at + 1);
    const end = body + size;
    if (id === 0) {
      const [name, sub] = str(bytes, body);
      if (name === "dylink.0") return parseDylink(bytes, sub, end);
    }
    at = end;
  }
  throw new Error("not a dynamic module: no dylink.0 section");
}

function parseDylink(bytes, at, end) {
  const info = { memSize: 0, memAlign: 0, tableSize: 0, tableAlign: 0, needed: [], weak: new Set() };
  while (at < end) {
    const type = bytes[at];
    const [size, body] = uleb(bytes, at + 1);
    let p = body;
    if (type === 1) {
      [info.memSize, p] = uleb(bytes, p);
      [info.memAlign, p] = uleb(bytes, p);
      [info.tableSize, p] = uleb(bytes, p);
      [info.tableAlign, p] = uleb(bytes, p);
    } else if (type === 2) {
      let count, name;
      [count, p] = uleb(bytes, p);
      for (let i = 0; i < count; i++) {
        [name, p] = str(bytes, p);
        info.needed.push(name);
      }
    } else if (type === 4) {
      let count, module, field, flags;
      [count, p] = uleb(bytes, p);
      for (let i = 0; i < count; i++) {
        [module, p] = str(bytes, p);
        [field, p] = str(bytes, p);
        [flags, p] = uleb(bytes, p);
        if (flags & 1) info.weak.add(`${module}.${field}`);
      }
    }
    at = body + size;
  }
  return info;
}

/** Every module to load, dependencies before the modules that need them. */
function loadOrder(mainPath) {
  const order = [];
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const bytes = new Uint8Array(fs.readFileSync(file));
    const dylink = readDylink(bytes);
    for (const dep of dylink.needed) visit(path.join(path.dirname(file), dep));
    order.push({ file, bytes, dylink });
  };
  visit(mainPath);
  return order;
}

const memory = new WebAssembly.Memory({ initial: 16, maximum: 65536 });
const table = new WebAssembly.Table({ initial: 1, element: "anyfunc" });
const stackPointer = new WebAssembly.Global({ value: "i32", mutable: true }, STACK);
let heap = STACK;
const exported = new Map(); // name -> { fn } or { addr }
const got = []; // { global, kind, name, weak, module }

function allocate(size, align) {
  heap = Math.ceil(heap / align) * align;
  const at = heap;
  heap += size;
  const needed = Math.ceil(heap / PAGE);
  const have = memory.buffer.byteLength / PAGE;
  if (needed > have) memory.grow(needed - have);
  return at;
}

function cString(ptr) {
  const bytes = new Uint8Array(memory.buffer);
  let end = ptr;
  while (bytes[end]) end++;
  return new TextDecoder().decode(bytes.subarray(ptr, end));
}

const env = {
  print_str: (ptr) => console.log(cString(ptr)),
  print_int: (v) => console.log(String(v)),
};

/** The function a module's `env` import stands for, resolved when first called. */
function trampoline(name, weak) {
  return (...args) => {
    const sym = exported.get(name);
    if (sym && sym.fn) return sym.fn(...args);
    if (weak) throw new Error(`called the missing weak function ${name}`);
    throw new Error(`undefined function ${name}`);
  };
}

function imports(mod, memoryBase, tableBase, weakImports) {
  const out = {
    env: {
      memory,
      __indirect_function_table: table,
      __stack_pointer: stackPointer,
      __memory_base: new WebAssembly.Global({ value: "i32", mutable: false }, memoryBase),
      __table_base: new WebAssembly.Global({ value: "i32", mutable: false }, tableBase),
    },
    "GOT.mem": {},
    "GOT.func": {},
  };
  for (const imp of WebAssembly.Module.imports(mod)) {
    const weak = weakImports.has(`env.${imp.name}`);
    if (imp.module === "env" && imp.kind === "function") {
      out.env[imp.name] = env[imp.name] ?? trampoline(imp.name, weak);
    } else if (imp.module === "GOT.mem" || imp.module === "GOT.func") {
      const global = new WebAssembly.Global({ value: "i32", mutable: true }, 0);
      out[imp.module][imp.name] = global;
      got.push({ global, kind: imp.module, name: imp.name, weak });
    }
  }
  return out;
}

/** The table slot of a function, adding it to the table if it has none. */
const slots = new Map();
function slotOf(fn) {
  if (slots.has(fn)) return slots.get(fn);
  const slot = table.grow(1);
  table.set(slot, fn);
  slots.set(fn, slot);
  return slot;
}

const modules = loadOrder(process.argv[2]);
const instances = [];
for (const { bytes, dylink, file } of modules) {
  const memoryBase = allocate(dylink.memSize, 2 ** dylink.memAlign);
  const tableBase = table.grow(dylink.tableSize);
  const mod = new WebAssembly.Module(bytes);
  const instance = new WebAssembly.Instance(mod, imports(mod, memoryBase, tableBase, dylink.weak));
  instances.push({ file, instance, memoryBase });
}
// Symbols resolve as in a global lookup scope: the main module first, then the libraries in
// load order; the first definition wins (so the main module overrides weak ones).
const scope = [instances[instances.length - 1], ...instances.slice(0, -1)];
for (const { instance, memoryBase } of scope) {
  for (const [name, value] of Object.entries(instance.exports)) {
    if (exported.has(name)) continue;
    if (typeof value === "function") exported.set(name, { fn: value });
    else if (value instanceof WebAssembly.Global) exported.set(name, { addr: memoryBase + value.value });
  }
}
for (const entry of got) {
  const sym = exported.get(entry.name);
  if (!sym && entry.weak) continue; // a missing weak symbol's address is 0
  if (!sym) throw new Error(`undefined symbol ${entry.name}`);
  entry.global.value = entry.kind === "GOT.mem" ? sym.addr : slotOf(sym.fn);
}
for (const { instance } of instances) {
  instance.exports.__wasm_apply_data_relocs?.();
  instance.exports.__wasm_call_ctors?.();
}
instances[instances.length - 1].instance.exports._start();
