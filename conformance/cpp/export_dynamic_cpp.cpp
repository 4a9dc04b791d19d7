// C++ with --export-dynamic and --no-gc-sections: mangled default-visibility names are exported.
//#LinkArgs: --export-dynamic --no-gc-sections
#include <cstdio>

namespace api {
__attribute__((visibility("default"))) int twice(int x) { return 2 * x; }
__attribute__((visibility("default"))) double twice(double x) { return 2 * x; }
}  // namespace api

int main() {
    std::printf("%d %.1f\n", api::twice(4), api::twice(1.25));
    return 0;
}
