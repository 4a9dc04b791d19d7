//#Configs: pie
//#DriverArgs: -nostdlib
//#CompileArgs: -fno-rtti
#include "shapes.h"

struct Circle : Shape {  // derived in the main module from the library's class
  int r;
  explicit Circle(int r) : r(r) {}
  int area() const override { return 3 * r * r; }
  const char *name() const override { return "circle"; }
};

static Circle circle(2);

extern "C" void _start() {
  Shape *shapes[] = {make_square(3), make_rect(2, 5), &circle};
  for (Shape *s : shapes) {
    print_str(s->name());
    print_int(s->area());
    print_int(s->scaled(2));
  }
  print_int(describe(circle));
  print_int(describe(*shapes[0]));
}

// No C++ runtime here: the main module provides what the classes need (the library imports
// them from it).
void operator delete(void *, unsigned long) noexcept {}
extern "C" int __cxa_atexit(void (*)(void *), void *, void *) { return 0; }
