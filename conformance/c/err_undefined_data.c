// Undefined data cannot become an import, even in principle.
//#Configs: O0 O2
//#ExpectLinkError: undefined symbol: missing_data
extern int missing_data;
int main(void) { return missing_data; }
