// std::unordered_map/unordered_set with a custom hash; output is sorted for determinism.
#include <algorithm>
#include <cstdio>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

struct Key { int a, b; bool operator==(const Key &o) const { return a == o.a && b == o.b; } };
struct KeyHash { size_t operator()(const Key &k) const { return std::hash<int>()(k.a * 31 + k.b); } };

int main() {
    std::unordered_map<Key, std::string, KeyHash> m;
    for (int i = 0; i < 100; i++) m[{i % 10, i / 10}] = std::to_string(i);
    std::unordered_set<std::string> seen;
    for (auto &kv : m) seen.insert(kv.second.substr(0, 1));
    std::vector<std::string> firsts(seen.begin(), seen.end());
    std::sort(firsts.begin(), firsts.end());
    std::printf("%zu entries, m[{3,4}]=%s, first digits:", m.size(), m[{3, 4}].c_str());
    for (auto &s : firsts) std::printf(" %s", s.c_str());
    std::printf("\n");
    return 0;
}
