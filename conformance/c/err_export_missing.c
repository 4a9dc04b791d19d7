// --export of a symbol that does not exist is an error (unlike --export-if-defined).
//#Configs: O0 O2
//#LinkArgs: --export=no_such_symbol
//#ExpectLinkError: symbol exported via --export not found: no_such_symbol
int main(void) { return 0; }
