// --whole-archive links every member, so an unreferenced member's constructor runs.
//#LinkArgs: --whole-archive libplug.a --no-whole-archive
//#Archive: libplug.a: plug_a.c plug_b.c
#include <stdio.h>

int registered;

int main(void) {
    printf("registered plugins: %d\n", registered);
    return 0;
}
