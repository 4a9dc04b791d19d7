// --import-memory: the memory comes from env.memory (the runner provides it); bss is zeroed
// by the linker-made start function.
//#LinkArgs: --import-memory
#include <stdio.h>
#include <stdlib.h>

static int zeroed[1000];
int initialised = 99;

int main(void) {
    int sum = 0;
    for (int i = 0; i < 1000; i++) sum += zeroed[i];
    char *p = malloc(100000);
    printf("sum %d init %d malloc %s\n", sum, initialised, p ? "ok" : "failed");
    return 0;
}
