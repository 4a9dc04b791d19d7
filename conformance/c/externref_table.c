// An externref table next to the indirect function table (-mreference-types), with libc, whose
// objects predate reference types: the indirect function table must be table 0, so it goes
// ahead of the defined externref table. table.grow/size/fill/copy/get/set on that table.
//#CompileArgs: -mreference-types
// Not with -g: clang-19 describes the table in .debug_info with a data relocation, which
// LLVM's object reader (and so wasm-ld-19) refuses ("invalid data relocation").
//#Configs: O0 O2 Oz
#include <stdio.h>

static __externref_t refs[0];

static int twice(int x) { return 2 * x; }
static int square(int x) { return x * x; }
typedef int (*unop)(int);
static unop ops[2] = {twice, square};

int main(int argc, char **argv) {
    (void)argv;
    __externref_t null = __builtin_wasm_ref_null_extern();
    printf("size %d\n", __builtin_wasm_table_size(refs));
    printf("grow %d\n", __builtin_wasm_table_grow(refs, null, 4));
    printf("grow %d\n", __builtin_wasm_table_grow(refs, null, 2));
    printf("size %d\n", __builtin_wasm_table_size(refs));
    __builtin_wasm_table_fill(refs, 1, null, 3);
    __builtin_wasm_table_copy(refs, refs, 0, 2, 3);
    int n = __builtin_wasm_table_size(refs);
    for (int i = 0; i < n; i++)
        __builtin_wasm_table_set(refs, i, __builtin_wasm_table_get(refs, (i + 1) % n));
    printf("grow past max %d\n", __builtin_wasm_table_grow(refs, null, -1));
    for (int i = 0; i < 2; i++) printf("op%d(%d)=%d\n", i, argc + 6, ops[i](argc + 6));
    return 0;
}
