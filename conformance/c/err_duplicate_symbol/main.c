// Two strong definitions of one symbol in different objects.
//#Configs: O0 O2
//#ExpectLinkError: duplicate symbol: dup_function
int dup_function(void) { return 1; }
int main(void) { return dup_function(); }
