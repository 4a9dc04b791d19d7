// --stack-first with a 128 KiB stack: the stack sits below the data, and deep recursion works.
//#LinkArgs: --stack-first -z stack-size=131072
#include <stdint.h>
#include <stdio.h>

int global_value = 7;

static int depth(int n) {
    volatile char pad[64];
    pad[0] = (char)n;
    return n == 0 ? pad[0] : depth(n - 1) + 1;
}

int main(void) {
    int local = 1;
    printf("stack below data: %d\n", (uintptr_t)&local < (uintptr_t)&global_value);
    printf("global at %p\n", (void *)&global_value);
    printf("depth %d\n", depth(1000));
    return 0;
}
