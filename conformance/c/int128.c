// 128-bit integer arithmetic pulls helpers from libclang_rt.builtins. Debian's builtins were
// built with a stack protector, so the program defines the guard the archive member needs: an
// archive member resolving against a symbol from an object.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

uintptr_t __stack_chk_guard = 0x5a5aa5a5;
void __stack_chk_fail(void) { abort(); }

int main(int argc, char **argv) {
    (void)argv;
    volatile __int128 a = (__int128)0x123456789abcdefLL * (argc + 1000);
    volatile __int128 b = a * a;
    __int128 q = b / (a - 7);
    __int128 r = b % 1000000007;
    unsigned long long hi = (unsigned long long)(q >> 64), lo = (unsigned long long)q;
    printf("%llx %llx %lld\n", hi, lo, (long long)r);
    return 0;
}
