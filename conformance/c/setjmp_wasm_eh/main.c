// setjmp/longjmp lowered to wasm exceptions (clang -mllvm -wasm-enable-sjlj): every object
// defines a weak `__c_longjmp` tag; rt.c provides the runtime calls clang emits, and throws
// with that tag (Debian's wasi-libc has no setjmp). Tags must match wasm-ld's and run.
//#NoLto: wasm-ld-19 cannot link it with LTO (`lto.tmp: undefined symbol: setjmp`)
//#CompileArgs: -mexception-handling -mllvm -wasm-enable-sjlj
#include <stdio.h>

typedef long jmp_buf[8];
int setjmp(jmp_buf env) __attribute__((returns_twice));
void longjmp(jmp_buf env, int value) __attribute__((noreturn));

static jmp_buf buf;
static int depth;

static void descend(int n) {
    depth = n;
    if (n == 3)
        longjmp(buf, n * 10);
    descend(n + 1);
}

int main(void) {
    int r = setjmp(buf);
    if (r == 0) {
        printf("first pass\n");
        descend(0);
    }
    printf("longjmp returned %d at depth %d\n", r, depth);
    return r == 30 ? 0 : 1;
}
