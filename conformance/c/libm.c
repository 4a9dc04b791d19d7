// libm through -lm: transcendental functions and rounding.
//#DriverArgs: -lm
#include <math.h>
#include <stdio.h>

int main(int argc, char **argv) {
    volatile double x = 0.5 + argc;
    printf("sin %.9f cos %.9f tan %.9f\n", sin(x), cos(x), tan(x));
    printf("exp %.9f log %.9f pow %.9f\n", exp(x), log(x), pow(x, 3.3));
    printf("sqrt %.9f cbrt %.9f hypot %.9f\n", sqrt(x), cbrt(x), hypot(x, 2));
    printf("floor %.1f ceil %.1f round %.1f fmod %.9f\n", floor(-x), ceil(-x), round(x), fmod(10, x));
    printf("atan2 %.9f lgamma %.9f\n", atan2(1, x), lgamma(x));
    (void)argv;
    return 0;
}
