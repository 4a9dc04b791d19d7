// Without libc (whose objects predate reference types and pin the indirect function table to
// table 0), a defined externref table comes first: the indirect function table is table 1,
// the element segment carries its number (flags 2) and call_indirect names it. Output goes
// straight to WASI's fd_write.
//#CompileArgs: -mreference-types
//#DriverArgs: -nostartfiles -nostdlib
// Not with -g: clang-19 describes the table in .debug_info with a data relocation, which
// LLVM's object reader (and so wasm-ld-19) refuses ("invalid data relocation").
//#Configs: O0 O2 Oz

typedef struct {
    const char *buf;
    unsigned long len;
} ciovec;

__attribute__((import_module("wasi_snapshot_preview1"), import_name("fd_write"))) int
fd_write(int fd, const ciovec *iovs, int n, unsigned long *written);

static void put(const char *s) {
    unsigned long n = 0;
    while (s[n]) n++;
    ciovec v = {s, n};
    fd_write(1, &v, 1, &n);
}

static void put_int(int x) {
    char buf[16];
    int i = 15;
    buf[i] = 0;
    do buf[--i] = (char)('0' + x % 10); while ((x /= 10) > 0);
    put(buf + i);
    put("\n");
}

static __externref_t refs[0];

static int twice(int x) { return 2 * x; }
static int square(int x) { return x * x; }
typedef int (*unop)(int);
unop volatile ops[2] = {twice, square};

void _start(void) {
    __externref_t null = __builtin_wasm_ref_null_extern();
    put_int(__builtin_wasm_table_grow(refs, null, 3));
    put_int(__builtin_wasm_table_size(refs));
    __builtin_wasm_table_fill(refs, 0, null, 3);
    for (int i = 0; i < 2; i++) put_int(ops[i](7));
}
