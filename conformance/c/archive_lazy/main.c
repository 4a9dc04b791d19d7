// Lazy archive extraction: only members that resolve an undefined symbol are linked, and a
// member's constructor runs only if the member is extracted.
//#Archive: libfirst.a: f_alpha.c f_beta.c f_unused.c
//#Archive: libsecond.a: s_gamma.c s_alpha_dup.c
#include <stdio.h>

const char *alpha(void);
const char *gamma_fn(void);

int main(void) {
    printf("alpha: %s\n", alpha());
    printf("gamma: %s\n", gamma_fn());
    return 0;
}
