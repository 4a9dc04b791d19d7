// --warn-unresolved-symbols: the link succeeds with a warning per reference, and calling the
// undefined function traps in its `undefined_stub`.
//#LinkArgs: --warn-unresolved-symbols
//#ExpectExit: 134
#include <stdio.h>

int missing_compute(int);

int main(int argc, char **argv) {
    (void)argv;
    printf("before\n");
    fflush(stdout);
    return missing_compute(argc);
}
