// A WASI reactor (-mexec-model=reactor): _initialize runs the constructors, then the host calls
// exports named with export_name.
//#Reactor: add 2 3
//#Reactor: scale 7
//#Reactor: calls
#include <stdio.h>

static int factor;
static int ncalls;

__attribute__((constructor)) static void init(void) { factor = 10; puts("reactor initialised"); }

__attribute__((export_name("add"))) int add(int a, int b) { ncalls++; return a + b; }
__attribute__((export_name("scale"))) int scale(int x) { ncalls++; return x * factor; }
__attribute__((export_name("calls"))) int calls(void) { return ncalls; }
