// A called function that nobody defines.
//#Configs: O0 O2
//#ExpectLinkError: undefined symbol: missing_function
int missing_function(int);
int main(void) { return missing_function(1); }
