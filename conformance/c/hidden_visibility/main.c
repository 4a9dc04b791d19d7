// Hidden and default visibility across files with --export-dynamic: only default-visibility
// symbols are exported; hidden ones still link between files.
//#LinkArgs: --export-dynamic
#include <stdio.h>

__attribute__((visibility("hidden"))) int hidden_helper(int);
__attribute__((visibility("default"))) int public_api(int);

int main(void) {
    printf("%d %d\n", hidden_helper(4), public_api(4));
    return 0;
}
