__attribute__((visibility("hidden"))) int hidden_helper(int x) { return x + 100; }
__attribute__((visibility("default"))) int public_api(int x) { return hidden_helper(x) * 2; }
__attribute__((visibility("default"))) int public_counter = 5;
int default_hidden_by_flag(int x) { return x; }
