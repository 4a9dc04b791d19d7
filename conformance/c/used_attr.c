// __attribute__((used)) keeps unreferenced functions and data alive through the GC.
#include <stdio.h>

__attribute__((used)) static int kept_function(int x) { return x * 3; }
__attribute__((used)) static const char kept_data[] = "kept by used";
static int dropped_function(int x) { return x * 5; }
static const char dropped_data[] = "dropped";

int main(void) {
    puts("used attribute");
    return 0;
}
