// A weak definition in one file is overridden by a strong one in another; the weak data too.
#include <stdio.h>

__attribute__((weak)) const char *who(void) { return "weak main.c"; }
__attribute__((weak)) int counter = 1;
const char *only_weak(void);

int main(void) {
    printf("who: %s\n", who());
    printf("counter: %d\n", counter);
    printf("only_weak: %s\n", only_weak());
    return 0;
}
