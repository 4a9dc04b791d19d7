// Trait objects, generics with trait bounds, iterator adaptors and closures.
trait Animal {
    fn name(&self) -> String;
    fn legs(&self) -> u32 {
        4
    }
}

struct Dog;
struct Bird(&'static str);

impl Animal for Dog {
    fn name(&self) -> String {
        "dog".into()
    }
}

impl Animal for Bird {
    fn name(&self) -> String {
        format!("bird {}", self.0)
    }
    fn legs(&self) -> u32 {
        2
    }
}

fn largest<T: PartialOrd + Copy>(xs: &[T]) -> T {
    xs.iter().copied().fold(xs[0], |a, b| if b > a { b } else { a })
}

fn main() {
    let zoo: Vec<Box<dyn Animal>> = vec![Box::new(Dog), Box::new(Bird("robin")), Box::new(Dog)];
    let legs: u32 = zoo.iter().map(|a| a.legs()).sum();
    let names: Vec<String> = zoo.iter().map(|a| a.name()).collect();
    println!("{} legs: {}", legs, names.join(", "));
    println!("{} {} {}", largest(&[3, 9, 2]), largest(&[1.5, -2.0]), largest(&['x', 'b']));
    let evens: Vec<u64> = (1..=20u64).filter(|n| n % 2 == 0).map(|n| n * n).skip(2).step_by(3).collect();
    println!("{evens:?}");
}
