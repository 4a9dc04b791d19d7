// A panic with -C panic=abort: the message goes to stderr, then the program traps.
//#ExpectExit: 134
fn checked_div(a: i32, b: i32) -> i32 {
    if b == 0 {
        panic!("division of {a} by zero");
    }
    a / b
}

fn main() {
    println!("10 / 2 = {}", checked_div(10, 2));
    let divisor = std::env::args().count() as i32 - 1;
    println!("{}", checked_div(1, divisor));
}
