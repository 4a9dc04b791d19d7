// Plain computation: recursion, structs by value, switch tables and 64-bit math.
#include <stdint.h>
#include <stdio.h>

struct vec { double x, y, z; };

static struct vec cross(struct vec a, struct vec b) {
    return (struct vec){a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
}

static uint64_t ackermann_ish(uint64_t m, uint64_t n) {
    if (m == 0) return n + 1;
    if (n == 0) return ackermann_ish(m - 1, 1);
    return ackermann_ish(m - 1, ackermann_ish(m, n - 1));
}

static const char *day(int d) {
    switch (d) {
    case 0: return "sun"; case 1: return "mon"; case 2: return "tue"; case 3: return "wed";
    case 4: return "thu"; case 5: return "fri"; case 6: return "sat"; default: return "?";
    }
}

int main(void) {
    struct vec c = cross((struct vec){1, 2, 3}, (struct vec){4, 5, 6});
    printf("cross %.1f %.1f %.1f\n", c.x, c.y, c.z);
    printf("ack(2,3)=%llu\n", (unsigned long long)ackermann_ish(2, 3));
    for (int i = 0; i < 8; i++) printf("%s ", day(i));
    printf("\n%llu\n", (unsigned long long)UINT64_C(0xffffffffffff) * 0x10001);
    return 0;
}
