#include "util.h"
int use_in_a() { Box<int>::instances += 10; return shared_counter() + clamp_add(1, 2, 100); }
const void *addr_in_a() { return (const void *)&shared_counter; }
