// --growable-table leaves the table maximum open.
//#LinkArgs: --growable-table --export-table
#include <stdio.h>

static int inc(int x) { return x + 1; }
static int dec(int x) { return x - 1; }

int main(int argc, char **argv) {
    (void)argv;
    int (*f)(int) = argc > 1 ? dec : inc;
    printf("%d\n", f(10));
    return 0;
}
