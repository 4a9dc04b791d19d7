// Static (local) functions and data with the same names in several files stay separate.
#include <stdio.h>

static int helper(void) { return 1; }
static int state = 100;
int from_b(void);
int from_c(void);

int main(void) {
    printf("%d %d %d %d\n", helper(), state, from_b(), from_c());
    return 0;
}
