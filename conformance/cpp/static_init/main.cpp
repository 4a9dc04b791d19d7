// Static initialisers and destructors of globals across files, with init_priority.
#include <cstdio>
#include "tracer.h"

Tracer main_default("main.cpp default");
Tracer main_early __attribute__((init_priority(200))) ("main.cpp prio 200");

int main() {
    std::printf("main: %d tracers constructed\n", Tracer::count);
    return 0;
}
