// --strip-debug drops .debug_* sections but keeps the name section.
//#Configs: g O2
//#LinkArgs: --strip-debug
#include <stdio.h>

struct point { int x, y; };

static int manhattan(struct point p) { return (p.x < 0 ? -p.x : p.x) + (p.y < 0 ? -p.y : p.y); }

int main(void) {
    struct point p = {-3, 4};
    printf("distance %d\n", manhattan(p));
    return 0;
}
