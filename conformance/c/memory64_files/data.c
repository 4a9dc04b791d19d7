// Initialised data holding 64-bit addresses of data in this and the other object.
typedef unsigned long usize;
struct point { long long x, y; const char *name; };
struct point points[4] = {
    {1, 2, "origin-ish"}, {1LL << 40, 5, "far east"}, {-7, -8, "south west"}, {0, 0, "unused"},
};
struct point *const corners[3] = {&points[0], &points[1], &points[2]};
const char *const words[] = {"memory64", "addresses", "are", "i64", 0};
static long long longs[5] = {10, 20, 30, 40, 50};
long long *tail_ptr = &longs[4];
