#include "shapes.h"

Shape::~Shape() {}
int Shape::area() const { return 0; }
const char *Shape::name() const { return "shape"; }

namespace {
struct Square : Shape {
  int side;
  explicit Square(int s) : side(s) {}
  int area() const override { return side * side; }
  const char *name() const override { return "square"; }
};
struct Rect : Shape {
  int w, h;
  Rect(int w, int h) : w(w), h(h) {}
  int area() const override { return w * h; }
  const char *name() const override { return "rect"; }
};
Square square(0);
Rect rect(0, 0);
int constructed = 0;
struct Counter { Counter() { constructed = 100; } } counter;  // a static constructor
}

Shape *make_square(int side) { square.side = side; return &square; }
Shape *make_rect(int w, int h) { rect.w = w; rect.h = h; return &rect; }
int describe(const Shape &s) {
  print_str(s.name());
  return s.area() + constructed;
}
