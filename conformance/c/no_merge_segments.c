// --no-merge-data-segments keeps one output segment per input segment.
//#LinkArgs: --no-merge-data-segments
#include <stdio.h>

int a = 1, b = 2;
const int c = 3;
static int d[10] = {4};
static const char e[] = "five";
int zero;

int main(void) {
    printf("%d %d %d %d %s %d\n", a, b, c, d[0], e, zero);
    return 0;
}
