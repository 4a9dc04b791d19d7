#include <stdio.h>
static int value;
__attribute__((constructor(150))) static void b150(void) { puts("b.c 150"); value += 1; }
__attribute__((constructor(120))) static void b120(void) { puts("b.c 120"); value += 10; }
__attribute__((constructor)) static void b_def(void) { puts("b.c default"); value += 100; }
int b_value(void) { return value; }
