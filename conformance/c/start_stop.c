// __start_<section> / __stop_<section>: the linker defines the bounds of an output data segment
// whose name is a C identifier; the program walks the section between them.
// Not r: wasm-ld 19's `-r` writes segment flags 0, so the used (RETAIN) segment is collected
// in the final link and its bounds stay undefined.
//#Configs: O0 O2 Oz g
#include <stdio.h>

__attribute__((used, section("mysec"))) static int a = 11;
__attribute__((used, section("mysec"))) static int b = 22;
__attribute__((used, section("mysec"))) static int c = 9;
extern int __start_mysec[], __stop_mysec[];

int main(void) {
    int sum = 0;
    for (int *p = __start_mysec; p < __stop_mysec; p++) sum += *p;
    printf("entries %d, sum %d\n", (int)(__stop_mysec - __start_mysec), sum);
    return 0;
}
