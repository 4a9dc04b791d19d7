// A C++ reactor: a static initialiser runs in _initialize, exports are extern "C".
//#Reactor: push 5
//#Reactor: push 7
//#Reactor: total
#include <numeric>
#include <vector>

static std::vector<int> values = {100};

extern "C" __attribute__((export_name("push"))) int push(int x) {
    values.push_back(x);
    return (int)values.size();
}

extern "C" __attribute__((export_name("total"))) int total() {
    return std::accumulate(values.begin(), values.end(), 0);
}
