// std::env::args and std::env::var through WASI.
//#Args: alpha beta
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    println!("args {args:?}");
    println!("CONFORMANCE={:?} MISSING={:?}", std::env::var("CONFORMANCE").ok(), std::env::var("MISSING").ok());
}
