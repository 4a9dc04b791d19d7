// Reads stdin to the end and counts lines, words and bytes.
//#Stdin: the quick brown fox
//#Stdin: jumps over\tthe lazy dog
//#Stdin:
//#Stdin: last line
#include <ctype.h>
#include <stdio.h>

int main(void) {
    int c, lines = 0, words = 0, bytes = 0, in_word = 0;
    while ((c = getchar()) != EOF) {
        bytes++;
        if (c == '\n') lines++;
        if (isspace(c)) in_word = 0;
        else if (!in_word) { in_word = 1; words++; }
    }
    printf("%d %d %d\n", lines, words, bytes);
    return 0;
}
