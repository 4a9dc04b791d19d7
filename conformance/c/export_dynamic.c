// --export-dynamic in a command: default-visibility symbols are exported, hidden ones are not.
//#LinkArgs: --export-dynamic
#include <stdio.h>

__attribute__((visibility("default"))) int api_double(int x) { return 2 * x; }
__attribute__((visibility("default"))) int api_counter = 3;
int hidden_by_default(int x) { return x + api_counter; }

int main(void) {
    printf("%d %d\n", api_double(21), hidden_by_default(1));
    return 0;
}
