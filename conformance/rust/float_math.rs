// f64/f32 math: the transcendental functions come from wasi-libc's libm.
fn main() {
    let x = std::env::args().count() as f64 + 0.25;
    println!("{:.9} {:.9} {:.9} {:.9}", x.sin(), x.cos(), x.exp(), x.ln());
    println!("{:.9} {:.9} {:.9}", x.powf(2.7), x.atan2(2.0), x.cbrt());
    println!("{:.6} {:.6}", (x as f32).tanh(), (x as f32).hypot(3.0));
    println!("{} {} {}", (2.5f64).round(), (-2.5f64).floor(), f64::NAN.max(1.0));
}
