// format! machinery: width, precision, alignment, Debug/Display impls, floats.
use std::fmt;

struct Point {
    x: f64,
    y: f64,
}

impl fmt::Display for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({:.2}, {:.2})", self.x, self.y)
    }
}

#[derive(Debug)]
#[allow(dead_code)]
enum Shape {
    Circle { r: f32 },
    Rect(u8, u8),
}

fn main() {
    let p = Point { x: 1.0 / 3.0, y: -2.5 };
    println!("[{p}] [{:>10}] [{:<8}|] [{:^9}]", "right", "left", "mid");
    println!("{:08.3} {:+} {:e} {:x} {:#b} {:o}", 3.14159, 7, 1234.5, 255, 5, 64);
    println!("{:?} {:#?}", Shape::Rect(2, 3), Shape::Circle { r: 1.5 });
    println!("{} {} {}", f64::MAX, f32::MIN_POSITIVE, 0.1 + 0.2);
    println!("{:?} {:?}", "quote\"d\n", 'λ');
}
