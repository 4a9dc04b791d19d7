// stdio: the smallest program that writes to stdout.
#include <stdio.h>

int main(void) {
    printf("hello, %s! %d %.3f\n", "world", 42, 3.14159);
    puts("second line");
    return 0;
}
