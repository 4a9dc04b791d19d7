// --export of symbols that only archive members define: wasm-ld walks the --export names in
// the hash order of an LLVM StringSet (xxh3), and each extraction appends its member's
// functions, so the function order follows the hash, not the command line.
//#Archive: libexports.a: e_add.c e_mul.c e_neg.c e_sum.c e_max.c e_min.c
//#LinkArgs: --export=e_add --export=e_mul --export=e_neg --export=e_sum --export=e_max --export=e_min
#include <stdio.h>

int main(void) {
    puts("exports come from the archive");
    return 0;
}
