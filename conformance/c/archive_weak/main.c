// A weak definition in an object does not pull a strong definition out of an archive, but an
// undefined reference does; strong object definitions beat archive members.
//#Archive: libimpl.a: impl_hook.c impl_log.c
#include <stdio.h>

__attribute__((weak)) const char *hook(void) { return "weak hook in main.c"; }
const char *log_name(void);

int main(void) {
    printf("hook: %s\n", hook());
    printf("log: %s\n", log_name());
    return 0;
}
