// Virtual dispatch across files: vtables in one object, overrides in others, key functions,
// virtual destructors and dynamic_cast/typeid (RTTI without exceptions).
#include <cstdio>
#include <typeinfo>
#include "shape.h"

Shape::~Shape() { std::puts("~Shape"); }

int main() {
    Shape *shapes[] = {make_square(3), make_circle(1)};
    for (Shape *s : shapes) {
        std::printf("%s area %.4f\n", s->name(), s->area());
        delete s;
    }
    return 0;
}
