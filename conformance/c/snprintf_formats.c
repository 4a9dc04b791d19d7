// printf formatting edge cases through wasi-libc.
#include <inttypes.h>
#include <stdio.h>

int main(void) {
    printf("[%5d][%-5d][%05d][%+d][% d]\n", 42, 42, 42, 42, 42);
    printf("[%x][%X][%#o][%#x]\n", 255, 255, 8, 255);
    printf("[%e][%g][%G][%a]\n", 12345.678, 0.0001234, 1e20, 1.0);
    printf("[%s][%.3s][%10s][%-10s]\n", "abc", "abcdef", "right", "left");
    printf("[%" PRId64 "][%" PRIu64 "][%c][%%]\n", INT64_MIN, UINT64_MAX, 'q');
    char buf[8];
    int n = snprintf(buf, sizeof buf, "%s", "truncated string");
    printf("[%s] %d\n", buf, n);
    return 0;
}
