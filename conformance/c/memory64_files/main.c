// memory64 (wasm64), freestanding: 64-bit data addresses across objects (MEMORY_ADDR_I64 in data,
// SLEB64 in code, with addends), merged strings, .bss, linker-defined symbols and memory.grow with
// 64-bit page counts. Run under node with --experimental-wasm-memory64.
//#Target: wasm64
//#DriverArgs: -nostdlib
#include "wasi64.h"

struct point { long long x, y; const char *name; };
extern struct point points[];
extern struct point *const corners[3];
extern const char *const words[];
extern long long *tail_ptr;
extern char __heap_base[], __data_end[], __global_base[], __stack_high[];
static long long squares[16];
char big_zeroes[70000];

void _start(void) {
    for (int i = 0; i < 16; i++)
        squares[i] = (long long)i * i * 1000000007LL;
    for (int i = 0; i < 3; i++) {
        put_str(corners[i]->name);
        put_num(" x+y", (unsigned long long)(corners[i]->x + corners[i]->y));
    }
    for (int i = 0; words[i]; i++) {
        put_str(words[i]);
        put_str("\n");
    }
    put_num("tail", (unsigned long long)*tail_ptr);
    put_num("square[15]", (unsigned long long)squares[15]);
    put_num("pointer bytes", sizeof(void *));
    put_num("global base", (usize)__global_base);
    put_num("heap after data", __heap_base > __data_end && __stack_high <= __heap_base);
    long before = __builtin_wasm_memory_grow(0, 3);
    volatile long long *far = (long long *)((usize)(before + 2) * 65536 + 40);
    *far = 0x7fedcba987654321LL;
    put_num("far", (unsigned long long)*far);
    put_num("pages grown", (unsigned long long)(__builtin_wasm_memory_size(0) - before));
    put_num("zeroes", (unsigned long long)(big_zeroes[0] + big_zeroes[69999]));
}
