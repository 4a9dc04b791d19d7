// A small dynamic loader for WebAssembly dynamic linking (tool-conventions DynamicLinking.md),
// used by tests/tests/dylink.rs, tests/tests/dynamic_loader.rs and the conformance corpus's
// `pie` configuration to run a PIE main module and its shared libraries under node.
//
//   node loader.mjs main.wasm [args...]     (DYLINK_TRACE=1 prints the layout to stderr)
//
// What it does, in order:
// 1. Reads `dylink.0` of the main module and, depth first, of every `needed` library, each
//    found as a file in the main module's directory. A library is loaded once; the load order
//    is dependency order (a library before the modules that need it, the main module last).
// 2. Creates one `WebAssembly.Memory` and one funcref `WebAssembly.Table` for all modules. The
//    main module must import its memory (link it with `--import-memory`). Memory: 1 KiB left
//    unused at address 0 (so a null pointer is not a valid address), a 64 KiB stack, then each
//    module's MEM_INFO memory size at its memory alignment; the table starts with a null slot,
//    then each module's MEM_INFO table size at its table alignment. The module's offsets are its
//    own immutable `env.__memory_base` / `env.__table_base`; `env.__stack_pointer` is one
//    mutable global shared by all.
// 3. Resolves every import: `env.*` functions against the exports of the modules, searched main
//    module first then in load order (ELF's order: the first definition wins); a function of a
//    module not instantiated yet (a cycle) goes through a small JS stub. `GOT.mem.X` and
//    `GOT.func.X` are mutable globals, one per symbol shared by every module that imports it,
//    filled once every module is instantiated: GOT.mem = the exporting module's
//    `__memory_base` + the exported address; GOT.func = a table slot holding the function:
//    its first slot if a module's element segment already put it in the table, else one new
//    slot appended, so that a function's address is the same in every module. An undefined symbol marked weak in IMPORT_INFO resolves to 0 (a direct call of
//    it traps); any other undefined symbol is an error. `wasi_snapshot_preview1` comes from
//    `node:wasi`, for every module that imports it; `env.print_str` / `env.print_int` from
//    the host when no module defines them (programs without a libc).
// 4. Calls `__wasm_apply_data_relocs` then `__wasm_call_ctors` of each module in load order
//    (for the main module only what it exports; link it with `--export=__wasm_call_ctors` when
//    its `_start` does not call them), then the main module's `_start` through WASI, and exits
//    with its exit code.
// Written for wasm32. The memory64 paths (an i64 memory, i64 `__memory_base`, `__table_base`,
// `__stack_pointer` and GOT globals) are small but untested: node 20 cannot compile
// wasm-ld-19's wasm64 PIC modules (their 64-bit table), and node's WASI is 32-bit.
// Not handled: thread-local exports (EXPORT_INFO TLS), `dlopen`, shared memory, tags.
import { WASI } from 'node:wasi';
import { readFileSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const PAGE = 65536;
const NULL_AREA = 1024;
const STACK_SIZE = 65536;
const WEAK = 1; // WASM_SYMBOL_BINDING_WEAK in IMPORT_INFO flags

/** A reader of the binary format: unsigned LEB128, names, bytes. */
class Reader {
  constructor(bytes, pos = 0, end = bytes.length) {
    Object.assign(this, { bytes, pos, end });
  }
  u8() { return this.bytes[this.pos++]; }
  uleb() {
    let result = 0n, shift = 0n, byte;
    do {
      byte = this.u8();
      result |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
    } while (byte & 0x80);
    return Number(result);
  }
  name() {
    const len = this.uleb();
    const s = new TextDecoder().decode(this.bytes.subarray(this.pos, this.pos + len));
    this.pos += len;
    return s;
  }
  limits() {
    const flags = this.u8();
    const min = this.uleb();
    const max = flags & 1 ? this.uleb() : undefined;
    return { flags, min, max, is64: (flags & 4) !== 0 };
  }
}

const VALTYPES = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64' };

/** The `dylink.0` section and the imports (with global types and memory limits) of a module. */
function parseModule(bytes, name) {
  const r = new Reader(bytes, 8);
  const info = { memSize: 0, memAlign: 0, tableSize: 0, tableAlign: 0, needed: [],
    importInfo: [], imports: [], dylink: false };
  let first = true;
  while (r.pos < r.end) {
    const id = r.u8();
    const size = r.uleb();
    const end = r.pos + size;
    if (id === 0) {
      const s = new Reader(bytes, r.pos, end);
      if (s.name() === 'dylink.0') {
        if (!first) throw new Error(`${name}: dylink.0 is not the first section`);
        parseDylink(s, info);
      }
    } else if (id === 2) {
      parseImports(new Reader(bytes, r.pos, end), info.imports);
    }
    first = false;
    r.pos = end;
  }
  if (!info.dylink) throw new Error(`${name}: no dylink.0 section: not a dynamic module`);
  return info;
}

/** The subsections of `dylink.0`: MEM_INFO (1), NEEDED (2), IMPORT_INFO (4); others skipped. */
function parseDylink(s, info) {
  info.dylink = true;
  while (s.pos < s.end) {
    const type = s.u8();
    const end = s.uleb() + s.pos;
    if (type === 1) {
      [info.memSize, info.memAlign, info.tableSize, info.tableAlign] =
        [s.uleb(), s.uleb(), s.uleb(), s.uleb()];
    } else if (type === 2) {
      for (let n = s.uleb(); n > 0; n--) info.needed.push(s.name());
    } else if (type === 4) {
      for (let n = s.uleb(); n > 0; n--) {
        info.importInfo.push([[s.name(), s.name()], s.uleb()]);
      }
    }
    s.pos = end;
  }
}

/** The import section: module, field, kind, and for globals/memories/tables their types. */
function parseImports(s, out) {
  for (let n = s.uleb(); n > 0; n--) {
    const imp = { module: s.name(), field: s.name(), kind: s.u8() };
    if (imp.kind === 0) imp.type = s.uleb();
    else if (imp.kind === 1) { s.u8(); imp.limits = s.limits(); }
    else if (imp.kind === 2) imp.limits = s.limits();
    else if (imp.kind === 3) { imp.value = VALTYPES[s.u8()]; imp.mutable = s.u8() === 1; }
    else if (imp.kind === 4) { s.u8(); s.uleb(); }
    out.push(imp);
  }
}

/** Whether IMPORT_INFO marks an import weak. It names the symbol with its own import module
 * (`env` by default), also for the symbol's `GOT.mem` / `GOT.func` import. */
function isWeak(info, imp) {
  const got = imp.module === 'GOT.mem' || imp.module === 'GOT.func';
  for (const [key, flags] of info.importInfo) {
    const [module, field] = key;
    if (field === imp.field && (got || module === imp.module) && flags & WEAK) return true;
  }
  return false;
}

/** Loads `file` and, first, the libraries it needs; appends each once to `order`. */
function loadTree(dir, file, order, seen = new Set()) {
  if (seen.has(file)) return;
  seen.add(file);
  const bytes = readFileSync(join(dir, file));
  const info = parseModule(bytes, file);
  for (const lib of info.needed) loadTree(dir, lib, order, seen);
  order.push({ name: file, info, module: new WebAssembly.Module(bytes) });
}

const alignUp = (x, p2) => Math.ceil(x / 2 ** p2) * 2 ** p2;

/** Gives each module its `memoryBase` and `tableBase`; returns the memory and table sizes. */
function layout(mods) {
  let mem = NULL_AREA + STACK_SIZE, table = 1;
  for (const m of mods) {
    m.memoryBase = alignUp(mem, m.info.memAlign);
    mem = m.memoryBase + m.info.memSize;
    m.tableBase = alignUp(table, m.info.tableAlign);
    table = m.tableBase + m.info.tableSize;
  }
  return { mem, table };
}

/** The whole program: loads, lays out, links, initialises and runs it; gives the exit code. */
function run(mainPath, args) {
  const dir = dirname(mainPath);
  const mods = [];
  loadTree(dir, basename(mainPath), mods);
  const main = mods[mods.length - 1];
  const search = [main, ...mods.slice(0, -1)];
  const is64 = main.info.imports.some((i) => i.kind === 2 && i.limits.is64);
  const ptr = is64 ? 'i64' : 'i32';
  const addr = (n) => (is64 ? BigInt(n) : n);
  if (!main.info.imports.some((i) => i.kind === 2)) {
    throw new Error(`${main.name}: the main module must import its memory (--import-memory)`);
  }
  const sizes = layout(mods);
  const minPages = Math.max(...mods.flatMap((m) =>
    m.info.imports.filter((i) => i.kind === 2).map((i) => i.limits.min)));
  const pages = Math.max(minPages, Math.ceil(sizes.mem / PAGE) + 1);
  const memory = new WebAssembly.Memory(is64 ? { initial: pages, index: 'i64' } : { initial: pages });
  hostMemory = memory;
  const table = new WebAssembly.Table({ element: 'anyfunc', initial: sizes.table });
  const stackPointer = new WebAssembly.Global({ value: ptr, mutable: true },
    addr(NULL_AREA + STACK_SIZE));
  const wasi = new WASI({ version: 'preview1', args, env: {}, returnOnExit: true });
  if (process.env.DYLINK_TRACE) {
    for (const m of mods) {
      console.error(`${m.name}: memory_base=${m.memoryBase} table_base=${m.tableBase}` +
        ` ${JSON.stringify(m.info)}`);
    }
  }

  /** The module that defines `name` as an export of `kind` ('function' or 'global'). */
  const provider = (name, kind) =>
    search.find((m) => WebAssembly.Module.exports(m.module)
      .some((e) => e.name === name && e.kind === kind));
  const got = new Map();
  const undefinedSymbols = [];

  /** The value of one import of module `m`. */
  function resolve(m, imp) {
    const weak = isWeak(m.info, imp);
    if (imp.module === 'wasi_snapshot_preview1') return wasi.wasiImport[imp.field];
    if (imp.module === 'GOT.mem' || imp.module === 'GOT.func') {
      const key = `${imp.module}.${imp.field}`;
      if (!got.has(key)) {
        got.set(key, { global: new WebAssembly.Global({ value: imp.value, mutable: true },
          addr(0)), module: imp.module, field: imp.field, weak, users: [m.name] });
      } else {
        got.get(key).weak &&= weak;
        got.get(key).users.push(m.name);
      }
      return got.get(key).global;
    }
    if (imp.module !== 'env') throw new Error(`${m.name}: unknown import module ${imp.module}`);
    switch (imp.field) {
      case 'memory': return memory;
      case '__indirect_function_table': return table;
      case '__stack_pointer': return stackPointer;
      case '__memory_base': return new WebAssembly.Global({ value: ptr }, addr(m.memoryBase));
      case '__table_base': return new WebAssembly.Global({ value: ptr }, addr(m.tableBase));
    }
    if (imp.kind !== 0) throw new Error(`${m.name}: unsupported import env.${imp.field}`);
    const from = provider(imp.field, 'function');
    if (from?.instance) return from.instance.exports[imp.field];
    if (from) return (...a) => from.instance.exports[imp.field](...a);
    if (HOST[imp.field]) return HOST[imp.field];
    if (!weak) undefinedSymbols.push(`${m.name}: undefined symbol: ${imp.field}`);
    return () => { throw new Error(`weak undefined function ${imp.field} called`); };
  }

  for (const m of mods) {
    const imports = {};
    for (const imp of m.info.imports) {
      (imports[imp.module] ??= {})[imp.field] = resolve(m, imp);
    }
    if (undefinedSymbols.length) throw new Error(undefinedSymbols.join('\n'));
    m.instance = new WebAssembly.Instance(m.module, imports);
  }
  fillGot(got, provider, table, addr);

  const start = () => {
    for (const m of mods) {
      m.instance.exports.__wasm_apply_data_relocs?.();
      m.instance.exports.__wasm_call_ctors?.();
    }
    main.instance.exports._start();
  };
  return wasi.start({ exports: { memory, _start: start } });
}

/** What the host itself provides to programs without a libc (the conformance corpus's `pie`
 * programs): `print_str(ptr)` prints a NUL-terminated string, `print_int(i32)` a number, one
 * line each. Modules that define these names take precedence. */
const HOST = {
  print_str: (ptr) => {
    const bytes = new Uint8Array(hostMemory.buffer);
    let end = ptr;
    while (bytes[end]) end++;
    writeSync(1, Buffer.concat([Buffer.from(bytes.subarray(ptr, end)), Buffer.from('\n')]));
  },
  print_int: (v) => writeSync(1, `${v}\n`),
};
let hostMemory;

/** Gives every GOT global its address: data at its module's base, functions a table slot
 * (the slot the function already has in a module's element segment, else a new one). */
function fillGot(got, provider, table, addr) {
  const slots = new Map();
  for (let i = table.length - 1; i >= 0; i--) {
    if (table.get(i)) slots.set(table.get(i), i);
  }
  const missing = [];
  for (const entry of got.values()) {
    const isFunc = entry.module === 'GOT.func';
    const from = provider(entry.field, isFunc ? 'function' : 'global');
    if (!from) {
      if (!entry.weak) missing.push(`${entry.users.join(', ')}: undefined symbol: ${entry.field}`);
      continue;
    }
    const value = from.instance.exports[entry.field];
    if (isFunc) {
      if (!slots.has(value)) slots.set(value, table.grow(1, value));
      entry.global.value = addr(slots.get(value));
    } else {
      entry.global.value = addr(from.memoryBase) + value.value;
    }
  }
  if (missing.length) throw new Error(missing.join('\n'));
}

const [mainPath, ...rest] = process.argv.slice(2);
if (!mainPath) {
  console.error('usage: node loader.mjs main.wasm [args...]');
  process.exit(2);
}
try {
  process.exitCode = run(mainPath, [basename(mainPath), ...rest]);
} catch (e) {
  console.error(`loader: ${e.stack ?? e}`);
  process.exitCode = 134;
}
