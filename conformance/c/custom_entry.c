// --entry names a different entry function; it is exported and is the GC root.
//#DriverArgs: -nostartfiles
//#LinkArgs: --entry=my_entry
//#Reactor: my_entry
#include <stdio.h>

int my_entry(void) {
    printf("entered through my_entry\n");
    fflush(stdout);
    return 77;
}
