#include <stdio.h>
__attribute__((constructor)) static void beta_ctor(void) { puts("f_beta ctor (extracted)"); }
const char *beta(void) { return "alpha->beta from libfirst"; }
