// --shared-memory: every segment is passive and copied in by __wasm_init_memory (the start
// function, guarded by __wasm_init_memory_flag); .bss is filled with memory.fill; .tdata keeps
// its relocations (__wasm_apply_tls_relocs) and sets __tls_base. Debian's libc.a is built
// without atomics and disallows shared memory, so this single-threaded program links with
// --no-check-features.
//#CompileArgs: -matomics -mbulk-memory
//#LinkArgs: --shared-memory --no-check-features
#include <stdio.h>
#include <string.h>

static const char *names[] = {"zero", "one", "two"};
_Thread_local const char **names_tls = names;
_Thread_local int counter = 40;
_Thread_local char tls_buf[64];
int zeros[5000];
const char *greeting = "shared";

int main(void) {
    counter += 2;
    strcpy(tls_buf, names_tls[2]);
    zeros[4999] = counter;
    int sum = 0;
    for (int i = 0; i < 5000; i++) sum += zeros[i];
    printf("%s %s %d %d %s\n", greeting, tls_buf, counter, sum, names[1]);
    return 0;
}
