// argv and the environment the runner passes.
//#Args: one two --three=3
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    printf("argc=%d\n", argc);
    for (int i = 1; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
    const char *v = getenv("CONFORMANCE");
    printf("CONFORMANCE=%s\n", v ? v : "(unset)");
    return 0;
}
