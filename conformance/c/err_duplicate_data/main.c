// Two strong definitions of a data symbol.
//#Configs: O0 O2
//#ExpectLinkError: duplicate symbol: shared_counter
int shared_counter = 1;
int main(void) { return shared_counter; }
