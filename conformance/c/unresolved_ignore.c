// --unresolved-symbols=ignore-all: calls to undefined functions go to `undefined_stub` (one per
// signature); a function whose address is taken first keeps a table slot, one called first has
// a null address; undefined data is at address 0.
//#LinkArgs: --unresolved-symbols=ignore-all
#include <stdio.h>

void missing_called(void);
void missing_addr(void);
int missing_int(int);
extern int missing_data;

void (*volatile table[2])(void) = {missing_called, missing_addr};

int main(int argc, char **argv) {
    (void)argv;
    void (*volatile f)(void) = missing_addr;
    int *volatile data = &missing_data;
    printf("%d %d %d %d\n", f != 0, table[0] != 0, table[1] != 0, data == 0);
    if (argc > 5) {
        missing_called();
        f();
        return missing_int(argc) + missing_data;
    }
    return 0;
}
