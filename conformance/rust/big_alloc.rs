// Large allocations grow linear memory; a sieve over 2 million numbers.
fn main() {
    let n = 2_000_000;
    let mut sieve = vec![true; n + 1];
    sieve[0] = false;
    sieve[1] = false;
    let mut i = 2;
    while i * i <= n {
        if sieve[i] {
            (i * i..=n).step_by(i).for_each(|j| sieve[j] = false);
        }
        i += 1;
    }
    let primes: Vec<usize> = (0..=n).filter(|&k| sieve[k]).collect();
    let big: Vec<u64> = (0..1_000_000u64).map(|x| x.wrapping_mul(2654435761)).collect();
    println!("{} primes, last {}, checksum {}", primes.len(), primes[primes.len() - 1], big.iter().fold(0u64, |a, b| a ^ b));
}
