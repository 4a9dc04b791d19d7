#include <stdio.h>
extern int registered;
__attribute__((constructor)) static void reg_b(void) { puts("plugin b"); registered++; }
