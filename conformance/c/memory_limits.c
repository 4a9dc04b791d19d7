// --initial-memory and --max-memory: the initial size is fixed and growth stops at the max.
//#LinkArgs: --initial-memory=1048576 --max-memory=2097152
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    printf("initial pages: %zu\n", __builtin_wasm_memory_size(0));
    void *a = malloc(600 * 1024);
    printf("600K: %s\n", a ? "ok" : "failed");
    void *b = malloc(3 * 1024 * 1024);
    printf("3M: %s\n", b ? "ok" : "failed");
    printf("grow past max: %zd\n", (ssize_t)__builtin_wasm_memory_grow(0, 64));
    return 0;
}
