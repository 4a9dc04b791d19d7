// --no-gc-sections keeps unreferenced functions and data.
//#LinkArgs: --no-gc-sections
#include <stdio.h>

int unused_function(int x) { return x * 11; }
static int unused_static(int x) { return x * 13; }
const char unused_string[] = "kept without gc";
int unused_array[1000] = {1};

int main(void) {
    puts("no gc");
    return 0;
}
