// The wasi-threads link line: an imported, exported, shared memory with a maximum, and the
// TLS entry points a thread runtime calls (__wasm_init_tls, __tls_size, __tls_align,
// __tls_base) exported by name.
//#CompileArgs: -matomics -mbulk-memory
//#LinkArgs: --shared-memory --no-check-features --import-memory --export-memory --max-memory=4194304 --export=__wasm_init_tls --export=__tls_size --export=__tls_align --export=__tls_base
#include <stdio.h>

_Thread_local long long wide = 1234567890123LL;
_Thread_local _Alignas(32) char aligned[3] = "ab";
static int table[256];

int main(void) {
    for (int i = 0; i < 256; i++) table[i] = i * i;
    wide += table[255];
    printf("%lld %s %d\n", wide, aligned, (int)((unsigned long)aligned % 32));
    return 0;
}
