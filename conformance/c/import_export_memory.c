// --import-memory with --export-memory: the imported memory is re-exported.
//#LinkArgs: --import-memory --export-memory --initial-memory=196608
#include <stdio.h>

const char text[] = "imported and exported memory";

int main(void) {
    printf("%s, %zu pages\n", text, __builtin_wasm_memory_size(0));
    return 0;
}
