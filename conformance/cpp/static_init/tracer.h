#pragma once
#include <cstdio>
struct Tracer {
    static int count;
    const char *name;
    explicit Tracer(const char *n) : name(n) { ++count; std::printf("construct %s\n", name); }
    ~Tracer() { std::printf("destroy %s\n", name); }
};
