// --export-table makes and exports the indirect function table even when no function's
// address is taken (it is then empty: one slot, the null at index 0).
//#LinkArgs: --export-table
#include <stdio.h>

int main(void) {
    puts("no function pointers here");
    return 0;
}
