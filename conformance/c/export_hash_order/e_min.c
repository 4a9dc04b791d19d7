long long e_min(long long a, long long b) { return a < b ? a : b; }
