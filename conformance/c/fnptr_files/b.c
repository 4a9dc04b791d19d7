typedef int (*binop)(int, int);
int add(int a, int b) { return a + b; }
int mul(int a, int b) { return a * b; }
binop get_add(void) { return add; }
binop ops_in_b[2] = {add, mul};
