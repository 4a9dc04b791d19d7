// std::function, lambdas with captures, and function pointers to member functions.
#include <cstdio>
#include <functional>
#include <vector>

struct Acc {
    int total = 0;
    void add(int x) { total += x; }
};

int main() {
    std::vector<std::function<int(int)>> fs;
    int base = 7;
    fs.push_back([base](int x) { return x + base; });
    fs.push_back([&base](int x) { return x * base; });
    fs.push_back(std::negate<int>());
    base = 3;
    for (auto &f : fs) std::printf("%d ", f(5));
    Acc acc;
    void (Acc::*m)(int) = &Acc::add;
    for (int i = 1; i <= 4; i++) (acc.*m)(i);
    auto bound = std::bind(&Acc::add, &acc, std::placeholders::_1);
    bound(100);
    std::printf("\ntotal %d\n", acc.total);
    return 0;
}
