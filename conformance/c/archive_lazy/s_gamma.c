const char *gamma_fn(void) { return "gamma from libsecond"; }
