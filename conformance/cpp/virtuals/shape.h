#pragma once
struct Shape {
    virtual ~Shape();
    virtual double area() const = 0;
    virtual const char *name() const { return "shape"; }
};
Shape *make_square(double side);
Shape *make_circle(double r);
