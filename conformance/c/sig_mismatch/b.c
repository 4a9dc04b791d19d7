int compute(int a, int b) { return a * b; }
int compute_ok(int a, int b) { return compute(a, b) + 1; }
