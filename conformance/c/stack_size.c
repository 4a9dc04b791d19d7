// -z stack-size=1 MiB: a 600 KiB stack frame fits.
//#LinkArgs: -z stack-size=1048576
#include <stdio.h>
#include <string.h>

static int use_stack(int n) {
    volatile char buf[600 * 1024];
    memset((char *)buf, n, sizeof buf);
    return buf[n] + buf[sizeof buf - 1];
}

int main(void) {
    printf("big frame: %d\n", use_stack(3));
    return 0;
}
