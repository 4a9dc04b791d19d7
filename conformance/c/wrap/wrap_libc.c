#include <stddef.h>

void *__real_malloc(size_t n);
void __real_free(void *p);
int __real_puts(const char *s);

extern int mallocs_seen;

void *__wrap_malloc(size_t n) {
    mallocs_seen++;
    return __real_malloc(n);
}

void __wrap_free(void *p) { __real_free(p); }

int __wrap_puts(const char *s) {
    __real_puts("[puts wrapped]");
    return __real_puts(s);
}
