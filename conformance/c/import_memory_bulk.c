// --import-memory with bulk-memory: .bss is not written out; __wasm_init_memory (the start
// function) zeroes it with memory.fill instead.
//#CompileArgs: -mbulk-memory
//#LinkArgs: --import-memory
#include <stdio.h>

static int zeroed[3000];
int initialised = 7;

int main(void) {
    int sum = 0;
    for (int i = 0; i < 3000; i++) sum += zeroed[i];
    zeroed[10] = initialised;
    printf("sum %d init %d set %d\n", sum, initialised, zeroed[10]);
    return 0;
}
