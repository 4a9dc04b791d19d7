// Templates and inline functions with static locals used from three files: the static local
// and the template static member are shared, and the inline function has one address.
#include "util.h"
int use_in_a();
int use_in_b();
const void *addr_in_a();
const void *addr_in_b();

int main() {
    std::printf("%d %d %d\n", shared_counter(), use_in_a(), use_in_b());
    std::printf("same inline address: %d\n", addr_in_a() == addr_in_b() && addr_in_a() == (const void *)&shared_counter);
    std::printf("%d %.1f %s\n", clamp_add(100, 50, 120), clamp_add(1.5, 2.0, 9.0), inline_string());
    Box<int>::instances++;
    std::printf("Box<int>::instances = %d\n", Box<int>::instances);
    return 0;
}
