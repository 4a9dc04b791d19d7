// --export-table exports the indirect function table holding address-taken functions.
//#LinkArgs: --export-table
#include <stdio.h>

static int one(void) { return 1; }
static int two(void) { return 2; }
int (*volatile pick[2])(void) = {one, two};

int main(void) {
    printf("%d %d\n", pick[0](), pick[1]());
    return 0;
}
