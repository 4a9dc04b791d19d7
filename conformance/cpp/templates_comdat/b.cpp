#include "util.h"
int use_in_b() { Box<int>::instances += 100; return shared_counter() + clamp_add(3L, 4L, 100L); }
const void *addr_in_b() { return (const void *)&shared_counter; }
