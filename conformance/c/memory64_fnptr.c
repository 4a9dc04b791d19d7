// memory64 function pointers: TABLE_INDEX_SLEB64 / TABLE_INDEX_I64 relocations, a 64-bit
// indirect function table and call_indirect with an i64 index. Node 20 has no 64-bit tables,
// so on it this is compared structurally only.
//#Target: wasm64
//#DriverArgs: -nostdlib
typedef unsigned int u32;
typedef unsigned long usize;
__attribute__((import_module("wasi_snapshot_preview1"), import_name("proc_exit")))
void proc_exit(u32 code);

static long long add(long long a, long long b) { return a + b; }
static long long mul(long long a, long long b) { return a * b; }
static long long sub(long long a, long long b) { return a - b; }
long long (*const ops[])(long long, long long) = {add, mul, sub};
long long (*volatile chosen)(long long, long long) = mul;

void _start(void) {
    long long acc = 1;
    for (int i = 0; i < 3; i++)
        acc = ops[i](acc, 7);
    acc = chosen(acc, 3);
    proc_exit(acc == 6 * 3 ? 0 : 1);
}
