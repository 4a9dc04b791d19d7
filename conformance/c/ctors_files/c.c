// No symbol of this file is referenced, but it is on the command line, so its ctors run.
#include <stdio.h>
__attribute__((constructor(101))) static void c101(void) { puts("c.c 101"); }
__attribute__((destructor(101))) static void c_dtor(void) { puts("c.c dtor"); }
