// Constructors spread over files: priority first, then file order, then order within a file.
#include <stdio.h>

__attribute__((constructor(150))) static void main150(void) { puts("main.c 150"); }
__attribute__((constructor)) static void main_def(void) { puts("main.c default"); }
int b_value(void);

int main(void) {
    printf("main: b_value=%d\n", b_value());
    return 0;
}
