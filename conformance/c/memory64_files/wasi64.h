/* Output for freestanding wasm64 programs: there is no wasm64 libc. WASI preview1 is a 32-bit
   interface, so pointers are passed as 32-bit offsets and the iovec has 32-bit fields. */
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
