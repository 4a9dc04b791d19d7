int e_neg(int a) { return -a; }
