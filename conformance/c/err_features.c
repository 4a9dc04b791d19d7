// --features replaces the inferred feature set; an object using anything else is an error.
//#Configs: O0 O2
//#LinkArgs: --features=mutable-globals
//#ExpectLinkError: Target feature 'sign-ext' used by \S*err_features\S* is not allowed
int main(void) { return 0; }
