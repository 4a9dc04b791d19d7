// Also defines alpha, but libfirst.a already resolved it, so this member stays out.
#include <stdio.h>
__attribute__((constructor)) static void dup_ctor(void) { puts("s_alpha_dup ctor: must not run"); }
const char *alpha(void) { return "alpha from libsecond: wrong"; }
