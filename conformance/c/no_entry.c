// --no-entry without crt1: a library of exports with no _start and no WASI imports.
//#DriverArgs: -nostartfiles
//#LinkArgs: --no-entry --export=square --export=fib
//#Reactor: square 12
//#Reactor: fib 20
int square(int x) { return x * x; }
int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
