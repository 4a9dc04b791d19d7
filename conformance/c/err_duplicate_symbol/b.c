int dup_function(void) { return 2; }
