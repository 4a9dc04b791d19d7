__attribute__((weak)) const char *only_weak(void) { return "weak1.c"; }
