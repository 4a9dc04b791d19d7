// memory64 with --shared-memory: passive segments copied in by __wasm_init_memory (i64
// addresses, the flag raced on with atomics), thread-local data of the main thread, .bss
// zeroed with memory.fill of an i64 length.
//#Target: wasm64
//#DriverArgs: -nostdlib
//#CompileArgs: -matomics -mbulk-memory
//#LinkArgs: --shared-memory --max-memory=1048576
#include "memory64_files/wasi64.h"

_Thread_local long long counter = 40;
_Thread_local char scratch[64];
static _Atomic long long total = 1;
const char greeting[] = "shared memory64";
char zeroed[5000];

void _start(void) {
    counter += 2;
    scratch[5] = 'x';
    total += counter;
    put_str(greeting);
    put_str("\n");
    put_num("counter", (unsigned long long)counter);
    put_num("scratch", (unsigned long long)(scratch[5] + scratch[6] + zeroed[4999]));
    put_num("total", (unsigned long long)total);
    put_num("max pages reached", __builtin_wasm_memory_grow(0, 100) == -1);
}
