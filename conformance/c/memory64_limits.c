// memory64 with explicit limits and the stack first: --initial-memory, --max-memory (above
// 4 GiB is allowed for wasm64), -z stack-size and --global-base, read back through the
// linker-defined symbols and memory.size / memory.grow.
//#Target: wasm64
//#DriverArgs: -nostdlib
//#LinkArgs: --stack-first -z stack-size=131072 --global-base=200000 --initial-memory=524288 --max-memory=8589934592
#include "memory64_files/wasi64.h"

extern char __global_base[], __stack_low[], __stack_high[], __heap_base[], __heap_end[];
const char message[] = "limits";

void _start(void) {
    put_str(message);
    put_str("\n");
    put_num("global base", (usize)__global_base);
    put_num("stack low", (usize)__stack_low);
    put_num("stack high", (usize)__stack_high);
    put_num("heap end", (usize)__heap_end);
    put_num("heap base aligned", (usize)__heap_base % 16 == 0);
    put_num("pages", (unsigned long long)__builtin_wasm_memory_size(0));
    put_num("grow", (unsigned long long)__builtin_wasm_memory_grow(0, 8));
    put_num("pages", (unsigned long long)__builtin_wasm_memory_size(0));
}
