// Extracted for alpha; pulls in beta from the same archive.
const char *beta(void);
const char *alpha(void) { return beta(); }
