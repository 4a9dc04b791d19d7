// A memory64 reactor: _initialize runs the constructors, then the host calls exports that take
// and return i64 (pointers and sizes) as BigInts.
//#Target: wasm64
//#DriverArgs: -nostdlib
//#Reactor: scale 21n
//#Reactor: sum_to 100000n
//#Reactor: stored
typedef unsigned long usize;

void __wasm_call_ctors(void);
__attribute__((export_name("_initialize"))) void _initialize(void) { __wasm_call_ctors(); }

static long long factor;
static long long buffer[1000];

__attribute__((constructor)) static void setup(void) {
    factor = 2;
    for (int i = 0; i < 1000; i++)
        buffer[i] = i;
}

__attribute__((export_name("scale"))) long long scale(long long x) { return x * factor; }

__attribute__((export_name("sum_to"))) long long sum_to(long long n) {
    long long total = 0;
    for (long long i = 0; i < n; i++)
        total += buffer[i % 1000] + i;
    return total;
}

__attribute__((export_name("stored"))) usize stored(void) { return (usize)&buffer[999] - (usize)buffer; }
