#include <stdio.h>
extern int registered;
__attribute__((constructor)) static void reg_a(void) { puts("plugin a"); registered++; }
