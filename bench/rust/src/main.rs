//! The `rust` benchmark workload: enough of `regex` and `serde_json` to make a realistic link,
//! printing a deterministic result so the outputs of two linkers can be compared by running them.

use regex::Regex;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One log line, parsed by the regex and serialized by serde.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Entry {
    level: String,
    module: String,
    code: u32,
    message: String,
}

/// Builds a synthetic log with a known mix of levels and modules.
fn log_text(lines: u32) -> String {
    let levels = ["INFO", "WARN", "ERROR", "DEBUG"];
    let modules = ["net", "db", "ui", "auth", "cache"];
    (0..lines)
        .map(|i| {
            let level = levels[(i * 7 % 4) as usize];
            let module = modules[(i * 3 % 5) as usize];
            format!("[{level}] {module}: code={} message=\"event number {i}\"\n", i * 13 % 997)
        })
        .collect()
}

fn parse(text: &str) -> Vec<Entry> {
    let line = Regex::new(r#"^\[(\w+)\] (\w+): code=(\d+) message="([^"]*)"$"#).expect("valid regex");
    text.lines()
        .filter_map(|l| line.captures(l))
        .map(|c| Entry {
            level: c[1].to_string(),
            module: c[2].to_string(),
            code: c[3].parse().unwrap_or(0),
            message: c[4].to_string(),
        })
        .collect()
}

fn main() {
    let entries = parse(&log_text(2000));
    let json = serde_json::to_string(&entries).expect("serializable");
    let back: Vec<Entry> = serde_json::from_str(&json).expect("round trip");
    assert_eq!(back, entries);
    let mut per_level: BTreeMap<&str, (u32, u64)> = BTreeMap::new();
    for e in &entries {
        let slot = per_level.entry(e.level.as_str()).or_default();
        slot.0 += 1;
        slot.1 += u64::from(e.code);
    }
    let summary = serde_json::json!({ "entries": entries.len(), "json_bytes": json.len(), "levels": per_level });
    println!("{summary}");
}
