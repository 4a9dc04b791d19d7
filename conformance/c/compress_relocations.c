// --compress-relocations (with --strip-debug, which it needs): every relocated LEB in code is
// written in its shortest form, so function bodies and the code section shrink.
//#LinkArgs: --compress-relocations --strip-debug
#include <stdio.h>
#include <string.h>

static const char *words[] = {"alpha", "beta", "gamma", "delta"};
static int (*pick)(const char *, const char *) = strcmp;
int counter = 100000;

int main(void) {
    int best = 0;
    for (int i = 1; i < 4; i++)
        if (pick(words[i], words[best]) > 0) best = i;
    counter += best;
    printf("%s %d %zu\n", words[best], counter, strlen(words[best]));
    return 0;
}
