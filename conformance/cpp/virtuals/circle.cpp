#include <cstdio>
#include "shape.h"
struct Circle : Shape {
    double r;
    explicit Circle(double radius) : r(radius) {}
    ~Circle() override { std::puts("~Circle"); }
    double area() const override { return 3.14159265358979 * r * r; }
};
Shape *make_circle(double r) { return new Circle(r); }
