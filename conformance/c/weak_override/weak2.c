// Two weak definitions: the first one seen (weak1.c? no: main.c order) wins.
__attribute__((weak)) const char *only_weak(void) { return "weak2.c"; }
