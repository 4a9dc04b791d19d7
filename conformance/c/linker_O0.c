// wasm-ld -O0: string literals are not merged, so the data segments are larger.
//#LinkArgs: -O0
#include <stdio.h>

static const char *strings[] = {"hello world", "world", "hello world", "orld", "d"};

int main(void) {
    for (int i = 0; i < 5; i++) printf("%s\n", strings[i]);
    return 0;
}
