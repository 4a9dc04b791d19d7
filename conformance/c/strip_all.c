// --strip-all drops the name section and debug info; custom user data remains.
//#LinkArgs: --strip-all
#include <stdio.h>

static int helper(int x) { return x ^ 0x55; }

int main(void) {
    printf("stripped: %d\n", helper(0x0f));
    return 0;
}
