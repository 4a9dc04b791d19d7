// Constructors and destructors with priorities, plus atexit, in one file.
#include <stdio.h>
#include <stdlib.h>

__attribute__((constructor(300))) static void c300(void) { puts("ctor 300"); }
__attribute__((constructor(101))) static void c101(void) { puts("ctor 101"); }
__attribute__((constructor)) static void cdef(void) { puts("ctor default"); }
__attribute__((constructor(200))) static void c200(void) { puts("ctor 200"); }
__attribute__((destructor(150))) static void d150(void) { puts("dtor 150"); }
__attribute__((destructor)) static void ddef(void) { puts("dtor default"); }
static void at_exit(void) { puts("atexit"); }

int main(void) {
    atexit(at_exit);
    puts("main");
    return 0;
}
