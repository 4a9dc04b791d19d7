// Extra linker arguments through rustc: a bigger stack and --no-gc-sections.
//#LinkArgs: -z stack-size=2097152 --no-gc-sections
fn deep(n: u32, acc: &mut Vec<u32>) -> u32 {
    let buf = [n; 256];
    acc.push(buf[255]);
    if n == 0 {
        0
    } else {
        deep(n - 1, acc) + buf[n as usize % 256]
    }
}

fn main() {
    let mut acc = Vec::new();
    println!("deep {} len {}", deep(1000, &mut acc), acc.len());
}
