const char *hook(void) { return "strong hook from archive: must not be linked"; }
