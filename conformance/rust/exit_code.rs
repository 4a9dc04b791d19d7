// std::process::exit with a code, after flushing stdout.
//#ExpectExit: 7
use std::io::Write;

fn main() {
    print!("about to exit");
    std::io::stdout().flush().unwrap();
    std::process::exit(7);
}
