#include <stdio.h>
__attribute__((constructor)) static void unused_ctor(void) { puts("f_unused ctor: must not run"); }
const char *never_referenced(void) { return "unused"; }
