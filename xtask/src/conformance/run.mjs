// Written by `cargo xtask conformance` to target/conformance/run.mjs. Runs linked programs
// (normally ours and the reference, one after the other, so node starts once per case) under
// node's WASI preview1 with fixed args and env, stdin/stdout/stderr redirected to the files the
// spec names, and host stubs for non-WASI imports. Prints a JSON array of exit codes; a trap
// writes `trap: <message>` to the program's stderr and counts as exit 134.
import { WASI } from 'node:wasi';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';

const spec = JSON.parse(process.argv[2]);

function stub(imp, stderr) {
  return (...args) => {
    writeSync(stderr, `host stub ${imp.module}.${imp.name}(${args.join(', ')})\n`);
    return imp.result === 'i64' ? 0n : imp.result ? 0 : undefined;
  };
}

function host(imp, io, stderr) {
  const limits = { initial: imp.min, maximum: imp.max ?? undefined };
  switch (imp.kind) {
    case 'memory':
      io.memory = new WebAssembly.Memory({ ...limits, shared: imp.shared });
      return io.memory;
    case 'table':
      return new WebAssembly.Table({ ...limits, element: 'anyfunc' });
    case 'global':
      return new WebAssembly.Global({ value: imp.result, mutable: imp.mutable }, imp.result === 'i64' ? 0n : 0);
    default:
      return stub(imp, stderr);
  }
}

function exportedMemory(exports) {
  if (exports.memory instanceof WebAssembly.Memory) return exports.memory;
  return Object.values(exports).find((v) => v instanceof WebAssembly.Memory);
}

function arg(text) {
  return text.endsWith('n') ? BigInt(text.slice(0, -1)) : Number(text);
}

function runReactor(wasi, exports, mem, fds) {
  const init = exports._initialize ? { _initialize: exports._initialize } : {};
  wasi.initialize({ exports: { ...init, memory: mem } });
  for (const call of spec.calls) {
    const f = exports[call.export];
    if (typeof f !== 'function') {
      writeSync(fds.stderr, `no exported function ${call.export}\n`);
      return 2;
    }
    const result = f(...call.args.map(arg));
    writeSync(fds.stdout, `${call.export}(${call.args.join(', ')}) = ${result}\n`);
  }
  return 0;
}

function runOne(run, fds) {
  const wasi = new WASI({
    version: 'preview1',
    args: [spec.name, ...spec.args],
    env: { CONFORMANCE: '1' },
    returnOnExit: true,
    ...fds,
  });
  const imports = wasi.getImportObject();
  const io = {};
  for (const imp of run.imports) {
    imports[imp.module] ??= {};
    imports[imp.module][imp.name] = host(imp, io, fds.stderr);
  }
  const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(run.wasm)), imports);
  const mem = exportedMemory(instance.exports) ?? io.memory ?? new WebAssembly.Memory({ initial: 0 });
  if (spec.calls.length > 0) return runReactor(wasi, instance.exports, mem, fds);
  return wasi.start({ exports: { _start: instance.exports._start, memory: mem } });
}

const codes = spec.runs.map((run) => {
  const fds = {
    stdin: openSync(spec.stdin, 'r'),
    stdout: openSync(run.stdout, 'w'),
    stderr: openSync(run.stderr, 'w'),
  };
  let code;
  try {
    code = runOne(run, fds);
  } catch (err) {
    writeSync(fds.stderr, `trap: ${err instanceof Error ? err.message : String(err)}\n`);
    code = 134;
  }
  Object.values(fds).forEach(closeSync);
  return code;
});
process.stdout.write(JSON.stringify(codes));
