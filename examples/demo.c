/* The README's demo program: constructors, function pointers, data that points at data,
 * string literals, malloc and stdio — linked by wasm-link and run under node's WASI. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int ready;
__attribute__((constructor)) static void init(void) { ready = 1; }

static int square(int x) { return x * x; }
static int twice(int x) { return 2 * x; }
static int (*const ops[])(int) = {square, twice};
static const char *const names[] = {"square", "twice"};

int main(void) {
    char *buf = malloc(64);
    for (int i = 0; i < 2; i++) {
        snprintf(buf, 64, "%s(7) = %d", names[i], ops[i](7));
        puts(buf);
    }
    printf("constructor ran: %s, strlen(\"wasm\") = %zu\n", ready ? "yes" : "no", strlen("wasm"));
    free(buf);
    return 0;
}
