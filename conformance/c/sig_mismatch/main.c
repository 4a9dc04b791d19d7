// A function called with a different signature than its definition: wasm-ld warns and links a
// trapping stub for the mismatched call, so the program traps after printing.
//#NoLto: LTO sees the mismatched call and it no longer traps (under wasm-ld-19 too)
//#ExpectExit: 134
#include <stdio.h>

int compute(int a);  /* defined as (int, int) in b.c */
int compute_ok(int a, int b);

int main(void) {
    printf("ok: %d\n", compute_ok(2, 3));
    fflush(stdout);
    printf("mismatch: %d\n", compute(2));
    return 0;
}
