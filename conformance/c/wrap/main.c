// --wrap: calls to malloc, free and puts go to __wrap_ versions defined in an archive member
// (extracted because the linker itself references __wrap_SYMBOL), which reach libc's through
// __real_SYMBOL; a wrapped symbol of the program (scale) is wrapped by a plain object, and
// --export of a wrapped name exports the wrapper.
//#NoLto: --wrap=scale of a function defined in bitcode is refused under LTO (libLTO cannot keep main's calls from binding to it)
//#Archive: libwrap.a: wrap_libc.c
//#LinkArgs: --wrap=malloc --wrap=free --wrap=puts --wrap=scale --wrap=scale --wrap=absent --export=scale
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int scale(int x);
extern int mallocs_seen;

int main(void) {
    char *p = malloc(64);
    strcpy(p, "through the wrapper");
    puts(p);
    free(p);
    printf("scale(5) = %d\n", scale(5));
    printf("mallocs seen: %d\n", mallocs_seen);
    return 0;
}
