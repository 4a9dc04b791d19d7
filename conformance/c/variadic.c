// Variadic functions: va_list, va_copy, vsnprintf and mixed argument types.
#include <stdarg.h>
#include <stdio.h>

static long sum(int count, ...) {
    va_list ap, copy;
    va_start(ap, count);
    va_copy(copy, ap);
    long total = 0;
    for (int i = 0; i < count; i++) total += va_arg(ap, int);
    long twice = 0;
    for (int i = 0; i < count; i++) twice += 2 * va_arg(copy, int);
    va_end(copy);
    va_end(ap);
    return total * 1000 + twice;
}

static void say(const char *fmt, ...) {
    char buf[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    printf("[%s]\n", buf);
}

int main(void) {
    printf("%ld\n", sum(5, 1, 2, 3, 4, 5));
    say("%s %d %.2f %c %lld %x", "mixed", -7, 2.5, 'z', 1LL << 40, 0xbeef);
    return 0;
}
