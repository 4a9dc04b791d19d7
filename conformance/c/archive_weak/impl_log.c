const char *log_name(void) { return "log from archive"; }
