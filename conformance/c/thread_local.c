// _Thread_local without threads is plain data.
#include <stdio.h>

static _Thread_local int per_thread = 5;
_Thread_local char tls_buf[16] = "tls";

int main(void) {
    per_thread += 10;
    printf("%d %s\n", per_thread, tls_buf);
    return 0;
}
