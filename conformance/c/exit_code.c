// A non-zero return from main becomes the WASI exit code.
//#ExpectExit: 3
#include <stdio.h>

int main(void) {
    puts("exiting with 3");
    return 3;
}
