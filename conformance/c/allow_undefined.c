// --allow-undefined turns undefined functions into env imports; the runner stubs them.
//#LinkArgs: --allow-undefined
#include <stdio.h>

int host_callback(int);
void host_never_called(const char *);

int main(int argc, char **argv) {
    (void)argv;
    printf("callback: %d\n", host_callback(argc));
    if (argc > 99) host_never_called("x");
    return 0;
}
