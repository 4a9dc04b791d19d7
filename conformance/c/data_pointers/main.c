// Initialised data holding addresses of data and functions in other files (I32 relocations in
// data), with addends.
#include <stdio.h>

struct entry { const char *name; int (*fn)(int); const int *value; };
extern const struct entry registry[];
extern const int registry_len;
extern int numbers[8];
int *const middle = &numbers[4];

int main(void) {
    for (int i = 0; i < registry_len; i++)
        printf("%s: fn(5)=%d value=%d\n", registry[i].name, registry[i].fn(5), *registry[i].value);
    printf("middle=%d\n", *middle);
    return 0;
}
