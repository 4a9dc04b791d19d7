// Large initialised arrays and over-aligned data: addresses must keep their alignment.
#include <stdint.h>
#include <stdio.h>

#define N 65536
static const uint32_t table[N] = {
#define R4(i) (i) * 2654435761u, (i + 1) * 2654435761u, (i + 2) * 2654435761u, (i + 3) * 2654435761u
    R4(0), R4(4), R4(8), R4(12),
};
_Alignas(4096) static char page_aligned[100] = "page";
_Alignas(64) int cache_line[16] = {1, 2, 3};
static char big_mutable[200000] = {1};

int main(void) {
    uint32_t h = 0;
    for (int i = 0; i < N; i++) h = h * 31 + table[i];
    big_mutable[199999] = 7;
    printf("hash %u\n", h);
    printf("aligned4096 %d aligned64 %d\n", (int)((uintptr_t)page_aligned % 4096), (int)((uintptr_t)cache_line % 64));
    printf("%s %d %d %d\n", page_aligned, cache_line[2], big_mutable[0], big_mutable[199999]);
    return 0;
}
