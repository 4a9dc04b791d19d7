// Zero-initialised data (bss) of several sizes and alignments is zero at start.
#include <stdio.h>
#include <string.h>

static char small[3];
static long long wide[17];
static int big[100000];
_Alignas(256) static char aligned_bss[512];
int zero_global = 0;

int main(void) {
    long sum = zero_global + small[0] + small[2] + wide[16] + aligned_bss[511];
    for (int i = 0; i < 100000; i++) sum += big[i];
    printf("sum of bss %ld\n", sum);
    memset(big, 1, sizeof big);
    printf("after memset %d, aligned %d\n", big[99999], (int)((unsigned long)aligned_bss % 256));
    return 0;
}
