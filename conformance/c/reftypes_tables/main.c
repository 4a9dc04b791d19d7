// Tables in several objects (-mreference-types): each file's static externref table keeps its
// own output table, in load order. libc's objects predate reference types, so the indirect
// function table is moved to table 0 ahead of them; function pointers cross files through it.
//#CompileArgs: -mreference-types
// Not with -g: clang-19 describes the table in .debug_info with a data relocation, which
// LLVM's object reader (and so wasm-ld-19) refuses ("invalid data relocation").
//#Configs: O0 O2 Oz
#include <stdio.h>

static __externref_t mine[0];

int grow_b(int n);
int size_b(void);
typedef int (*binop)(int, int);
binop get_sub(void);
static int add(int a, int b) { return a + b; }

int main(void) {
    __externref_t null = __builtin_wasm_ref_null_extern();
    printf("main grow %d\n", __builtin_wasm_table_grow(mine, null, 3));
    printf("b grow %d\n", grow_b(5));
    printf("b grow %d\n", grow_b(1));
    printf("sizes %d %d\n", __builtin_wasm_table_size(mine), size_b());
    binop ops[2] = {add, get_sub()};
    for (int i = 0; i < 2; i++) printf("op%d(9,4)=%d\n", i, ops[i](9, 4));
    return 0;
}
