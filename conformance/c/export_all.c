// --export-all exports every function and data symbol, including libc's.
//#LinkArgs: --export-all
#include <stdio.h>

int exported_by_all(int x) { return x - 1; }
int some_data = 12;

int main(void) {
    printf("%d %d\n", exported_by_all(10), some_data);
    return 0;
}
