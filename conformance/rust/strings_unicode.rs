// String handling: UTF-8, chars, case mapping, split/replace and char properties.
fn main() {
    let s = "Grüße, Jürgen! Ωμέγα — 日本語";
    println!("{} bytes, {} chars", s.len(), s.chars().count());
    println!("{}", s.to_uppercase());
    println!("{}", s.to_lowercase());
    let rev: String = s.chars().rev().collect();
    println!("{rev}");
    let words: Vec<&str> = s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    println!("{words:?}");
    println!("{}", s.replace("ü", "ue"));
    println!("{:?}", s.char_indices().filter(|(_, c)| c.is_uppercase()).map(|(i, _)| i).collect::<Vec<_>>());
}
