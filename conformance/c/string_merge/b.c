const char *b_hello(void) { return "hello world"; }
const char *b_world(void) { return "world"; }
const char *b_unused(void) { return "only in b.c"; }
