// Compile-time templates, variadic templates, constexpr and std::array/tuple.
#include <array>
#include <cstdio>
#include <tuple>

template <int N> struct Fact { static constexpr long value = N * Fact<N - 1>::value; };
template <> struct Fact<0> { static constexpr long value = 1; };

template <typename... Ts> constexpr auto sum(Ts... ts) { return (ts + ... + 0); }

template <typename T, size_t N> constexpr T dot(const std::array<T, N> &a, const std::array<T, N> &b) {
    T s{};
    for (size_t i = 0; i < N; i++) s += a[i] * b[i];
    return s;
}

int main() {
    constexpr std::array<int, 4> a{1, 2, 3, 4}, b{5, 6, 7, 8};
    auto t = std::make_tuple(1, 2.5, 'c');
    std::printf("%ld %d %d %.1f %c\n", Fact<12>::value, sum(1, 2, 3, 4, 5), dot(a, b), std::get<1>(t), std::get<2>(t));
    return 0;
}
