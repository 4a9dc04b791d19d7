// Written by `cargo xtask conformance` to target/conformance/run.mjs: runs one linked program
// under node's WASI (preview1) with fixed args and env, host stubs for non-WASI imports, and
// the stdin it is given. A trap prints `trap: <message>` and exits 134.
import { WASI } from 'node:wasi';
import { readFileSync } from 'node:fs';

const spec = JSON.parse(process.argv[2]);
const wasi = new WASI({
  version: 'preview1',
  args: [spec.name, ...spec.args],
  env: { CONFORMANCE: '1' },
  returnOnExit: true,
});
const imports = wasi.getImportObject();
let memory;

function stub(imp) {
  return (...args) => {
    process.stderr.write(`host stub ${imp.module}.${imp.name}(${args.join(', ')})\n`);
    return imp.result === 'i64' ? 0n : imp.result ? 0 : undefined;
  };
}

function host(imp) {
  const limits = { initial: imp.min, maximum: imp.max ?? undefined };
  switch (imp.kind) {
    case 'memory':
      memory = new WebAssembly.Memory({ ...limits, shared: imp.shared });
      return memory;
    case 'table':
      return new WebAssembly.Table({ ...limits, element: 'anyfunc' });
    case 'global':
      return new WebAssembly.Global({ value: imp.result, mutable: imp.mutable }, imp.result === 'i64' ? 0n : 0);
    default:
      return stub(imp);
  }
}

for (const imp of spec.imports) {
  imports[imp.module] ??= {};
  imports[imp.module][imp.name] = host(imp);
}

function exportedMemory(exports) {
  if (exports.memory instanceof WebAssembly.Memory) return exports.memory;
  return Object.values(exports).find((v) => v instanceof WebAssembly.Memory);
}

function arg(text) {
  return text.endsWith('n') ? BigInt(text.slice(0, -1)) : Number(text);
}

function runReactor(exports, mem) {
  const init = exports._initialize ? { _initialize: exports._initialize } : {};
  wasi.initialize({ exports: { ...init, memory: mem } });
  for (const call of spec.calls) {
    const f = exports[call.export];
    if (typeof f !== 'function') {
      process.stderr.write(`no exported function ${call.export}\n`);
      return 2;
    }
    const result = f(...call.args.map(arg));
    process.stdout.write(`${call.export}(${call.args.join(', ')}) = ${result}\n`);
  }
  return 0;
}

function main() {
  const module = new WebAssembly.Module(readFileSync(spec.wasm));
  const instance = new WebAssembly.Instance(module, imports);
  const mem = exportedMemory(instance.exports) ?? memory ?? new WebAssembly.Memory({ initial: 0 });
  if (spec.calls.length > 0) return runReactor(instance.exports, mem);
  return wasi.start({ exports: { _start: instance.exports._start, memory: mem } });
}

try {
  process.exitCode = main();
} catch (err) {
  process.stderr.write(`trap: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 134;
}
