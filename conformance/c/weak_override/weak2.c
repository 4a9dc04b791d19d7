// Two weak definitions: the first in link order (weak1.c, before weak2.c) wins.
__attribute__((weak)) const char *only_weak(void) { return "weak2.c"; }
