// long double is binary128 on wasm32: soft-float helpers from compiler-rt, and printf %Lf
// from wasi-libc's separate -lc-printscan-long-double archive.
//#DriverArgs: -lc-printscan-long-double
#include <stdio.h>

int main(int argc, char **argv) {
    (void)argv;
    volatile long double x = 1.0L / (argc + 2);
    long double y = x * x + 0.125L;
    printf("%.20Lf %.10Le %d\n", y, x / 3, (int)(y * 1000));
    return 0;
}
