int mallocs_seen;

int scale(int x) { return x * 10; }

int __real_scale(int x);
int __wrap_scale(int x) { return __real_scale(x) + 1; }
