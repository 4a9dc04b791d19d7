// --global-base moves the start of static data.
//#LinkArgs: --global-base=8192
#include <stdint.h>
#include <stdio.h>

int first = 1;
const char message[] = "data after global base";

int main(void) {
    printf("%s: %d\n", message, (uintptr_t)&first >= 8192 && (uintptr_t)message >= 8192);
    printf("first at %p\n", (void *)&first);
    return 0;
}
