// Weak undefined functions and data: their address is null, nothing is imported, and a direct
// call site is linked against a trapping stub.
#include <stdio.h>

__attribute__((weak)) void optional_feature(void);
__attribute__((weak)) extern int optional_data;
__attribute__((weak)) int optional_call(int);

int main(int argc, char **argv) {
    (void)argv;
    printf("optional_feature present: %d\n", optional_feature != 0);
    printf("optional_data present: %d\n", &optional_data != 0);
    if (argc > 100) printf("%d\n", optional_call(argc));
    puts("done");
    return 0;
}
