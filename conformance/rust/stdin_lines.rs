// Reads stdin line by line and sums the numbers.
//#Stdin: 10
//#Stdin: 20 30
//#Stdin: not a number
//#Stdin: -5
use std::io::BufRead;

fn main() {
    let mut total = 0i64;
    let mut bad = 0;
    for line in std::io::stdin().lock().lines() {
        for word in line.unwrap().split_whitespace() {
            match word.parse::<i64>() {
                Ok(n) => total += n,
                Err(_) => bad += 1,
            }
        }
    }
    println!("total {total}, {bad} words were not numbers");
}
