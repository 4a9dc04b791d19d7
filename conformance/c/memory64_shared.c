// memory64 with --shared-memory: passive segments copied in by __wasm_init_memory (i64
// addresses, the flag raced on with atomics), thread-local data of the main thread, .bss
// zeroed with memory.fill of an i64 length.
//#Target: wasm64
//#DriverArgs: -nostdlib
//#CompileArgs: -matomics -mbulk-memory
//#LinkArgs: --shared-memory --max-memory=1048576
typedef unsigned int u32;
typedef unsigned long usize;
struct ciovec { u32 buf; u32 len; };
__attribute__((import_module("wasi_snapshot_preview1"), import_name("fd_write")))
int fd_write(u32 fd, u32 iovs, u32 n, u32 written);

static void put_str(const char *s) {
    usize n = 0;
    while (s[n]) n++;
    struct ciovec iov = { (u32)(usize)s, (u32)n };
    u32 written;
    fd_write(1, (u32)(usize)&iov, 1, (u32)(usize)&written);
}

static void put_num(const char *label, unsigned long long v) {
    char buf[24];
    int i = 23;
    buf[i] = 0;
    do { buf[--i] = (char)('0' + v % 10); v /= 10; } while (v);
    put_str(label);
    put_str(" ");
    put_str(buf + i);
    put_str("\n");
}

_Thread_local long long counter = 40;
_Thread_local char scratch[64];
static _Atomic long long total = 1;
const char greeting[] = "shared memory64";
char zeroed[5000];

void _start(void) {
    counter += 2;
    scratch[5] = 'x';
    total += counter;
    put_str(greeting);
    put_str("\n");
    put_num("counter", (unsigned long long)counter);
    put_num("scratch", (unsigned long long)(scratch[5] + scratch[6] + zeroed[4999]));
    put_num("total", (unsigned long long)total);
    put_num("max pages reached", __builtin_wasm_memory_grow(0, 100) == -1);
}
