// Identical and suffix string literals in several files: merged by the linker at -O1 and above.
#include <stdio.h>
#include <string.h>

const char *b_hello(void);
const char *b_world(void);

int main(void) {
    const char *h = "hello world";
    const char *w = "world";
    printf("%s|%s|%s|%s\n", h, w, b_hello(), b_world());
    printf("lengths %zu %zu\n", strlen(b_hello()), strlen(b_world()));
    return 0;
}
