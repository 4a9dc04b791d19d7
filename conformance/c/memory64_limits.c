// memory64 with explicit limits and the stack first: --initial-memory, --max-memory (above
// 4 GiB is allowed for wasm64), -z stack-size and --global-base, read back through the
// linker-defined symbols and memory.size / memory.grow.
//#Target: wasm64
//#DriverArgs: -nostdlib
//#LinkArgs: --stack-first -z stack-size=131072 --global-base=200000 --initial-memory=524288 --max-memory=8589934592
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

extern char __global_base[], __stack_low[], __stack_high[], __heap_base[], __heap_end[];
const char message[] = "limits";

void _start(void) {
    put_str(message);
    put_str("\n");
    put_num("global base", (usize)__global_base);
    put_num("stack low", (usize)__stack_low);
    put_num("stack high", (usize)__stack_high);
    put_num("heap end", (usize)__heap_end);
    put_num("heap base aligned", (usize)__heap_base % 16 == 0);
    put_num("pages", (unsigned long long)__builtin_wasm_memory_size(0));
    put_num("grow", (unsigned long long)__builtin_wasm_memory_grow(0, 8));
    put_num("pages", (unsigned long long)__builtin_wasm_memory_size(0));
}
