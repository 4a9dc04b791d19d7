int e_mul(int a, int b) { return a * b * 1; }
int e_mul3(int a) { return e_mul(a, 3); }
