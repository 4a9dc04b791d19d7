// libc++ containers and algorithms: vector, map, set, string, sort.
#include <algorithm>
#include <cstdio>
#include <map>
#include <numeric>
#include <set>
#include <string>
#include <vector>

int main() {
    std::vector<int> v(50);
    std::iota(v.begin(), v.end(), -20);
    std::sort(v.begin(), v.end(), [](int a, int b) { return (a * a) % 17 < (b * b) % 17 || ((a * a) % 17 == (b * b) % 17 && a < b); });
    std::map<std::string, int> counts;
    for (const char *w : {"pear", "apple", "pear", "fig", "apple", "pear"}) counts[w]++;
    std::set<int> squares;
    for (int x : v) squares.insert(x * x % 23);
    std::string joined;
    for (auto &[k, n] : counts) joined += k + "=" + std::to_string(n) + ";";
    std::printf("%d %d %d | %s | %zu\n", v.front(), v[25], v.back(), joined.c_str(), squares.size());
    std::printf("sum %d max %d\n", std::accumulate(v.begin(), v.end(), 0), *std::max_element(v.begin(), v.end()));
    return 0;
}
