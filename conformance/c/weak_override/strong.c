const char *who(void) { return "strong strong.c"; }
int counter = 42;
