// Replacing the global operator new/delete: strong definitions in an object override the ones
// libc++abi's archive would otherwise provide.
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

static int news, deletes;

void *operator new(std::size_t n) {
    ++news;
    if (void *p = std::malloc(n ? n : 1)) return p;
    std::abort();
}
void operator delete(void *p) noexcept { if (p) ++deletes; std::free(p); }
void operator delete(void *p, std::size_t) noexcept { operator delete(p); }

int main() {
    {
        std::vector<std::string> v;
        for (int i = 0; i < 20; i++) v.push_back(std::string(40, char('a' + i)));
        std::printf("last %s\n", v.back().c_str());
    }
    std::printf("news %d deletes %d balanced %d\n", news > 0, deletes > 0, news == deletes);
    return 0;
}
