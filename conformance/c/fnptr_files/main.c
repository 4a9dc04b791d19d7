// Function pointers across files: table slots, equality of addresses taken in different files,
// and pointers stored in initialised data.
#include <stdio.h>

int add(int a, int b);
int mul(int a, int b);
typedef int (*binop)(int, int);
binop get_add(void);
extern binop ops_in_b[2];
static binop ops_here[2] = {add, mul};

int main(void) {
    printf("same add: %d\n", get_add() == add);
    printf("same table entry: %d %d\n", ops_here[0] == ops_in_b[0], ops_here[1] == ops_in_b[1]);
    printf("add != mul: %d\n", add != mul);
    for (int i = 0; i < 2; i++) printf("op%d(6,7)=%d\n", i, ops_in_b[i](6, 7));
    return 0;
}
