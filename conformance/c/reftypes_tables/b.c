static __externref_t theirs[0];

int grow_b(int n) { return __builtin_wasm_table_grow(theirs, __builtin_wasm_ref_null_extern(), n); }
int size_b(void) { return __builtin_wasm_table_size(theirs); }

static int sub(int a, int b) { return a - b; }
typedef int (*binop)(int, int);
binop get_sub(void) { return sub; }
