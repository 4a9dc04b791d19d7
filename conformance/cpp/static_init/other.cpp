#include "tracer.h"
int Tracer::count = 0;
Tracer other_default("other.cpp default");
Tracer other_first __attribute__((init_priority(101))) ("other.cpp prio 101");
static Tracer other_static("other.cpp static");
