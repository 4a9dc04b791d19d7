// Data placed in a named section keeps its own output segment name.
#include <stdio.h>

__attribute__((section("mysection"))) int in_my_section[4] = {1, 2, 3, 4};
__attribute__((section("mysection"))) char tagged[] = "tagged";
int ordinary = 5;

int main(void) {
    printf("%d %s %d\n", in_my_section[3], tagged, ordinary);
    return 0;
}
