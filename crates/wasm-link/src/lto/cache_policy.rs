//! `--thinlto-cache-policy`: LLVM's `parseCachePruningPolicy`, with its messages (wasm-ld
//! prints them after `--thinlto-cache-policy: invalid cache policy: `), into the values the
//! `thinlto_codegen_set_cache_*` calls take.

/// `--thinlto-cache-policy`, parsed as LLVM's `parseCachePruningPolicy` parses it; `None`
/// leaves LLVM's default.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct CachePolicy {
    /// `prune_interval`, in seconds.
    pub interval: Option<u64>,
    /// `prune_after`, in seconds.
    pub expiration: Option<u64>,
    /// `cache_size`, a percentage of the free space.
    pub percent: Option<u32>,
    /// `cache_size_bytes`.
    pub bytes: Option<u64>,
    /// `cache_size_files`.
    pub files: Option<u64>,
}

impl CachePolicy {
    /// Parses `key=value` pairs separated by `:`, with LLVM's messages.
    pub fn parse(policy: &str) -> Result<CachePolicy, String> {
        let mut p = CachePolicy::default();
        let mut rest = policy;
        while !rest.is_empty() {
            let (pair, tail) = rest.split_once(':').unwrap_or((rest, ""));
            rest = tail;
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "prune_interval" => p.interval = Some(seconds(value)?),
                "prune_after" => p.expiration = Some(seconds(value)?),
                "cache_size" => p.percent = Some(percentage(value)?),
                "cache_size_bytes" => p.bytes = Some(size(value)?),
                "cache_size_files" => p.files = Some(integer(value)?),
                _ => return Err(format!("Unknown key: '{key}'")),
            }
        }
        Ok(p)
    }
}

/// LLVM's `getAsInteger(0, ..)`: decimal, or `0x`/`0`/`0b`-prefixed.
fn integer(v: &str) -> Result<u64, String> {
    let parsed = if let Some(hex) = v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        u64::from_str_radix(hex, 16)
    } else if let Some(bin) = v.strip_prefix("0b").or_else(|| v.strip_prefix("0B")) {
        u64::from_str_radix(bin, 2)
    } else if v.len() > 1 && v.starts_with('0') {
        u64::from_str_radix(&v[1..], 8)
    } else {
        v.parse()
    };
    parsed.map_err(|_| format!("'{v}' not an integer"))
}

/// `30s`, `5m`, `2h`.
fn seconds(v: &str) -> Result<u64, String> {
    let Some(unit) = v.chars().last() else {
        return Err("Duration must not be empty".to_string());
    };
    let n = integer(&v[..v.len() - unit.len_utf8()])?;
    let scale = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        _ => return Err(format!("'{v}' must end with one of 's', 'm' or 'h'")),
    };
    Ok(n.saturating_mul(scale))
}

/// `75%`.
fn percentage(v: &str) -> Result<u32, String> {
    let digits = v
        .strip_suffix('%')
        .ok_or_else(|| format!("'{v}' must be a percentage"))?;
    match integer(digits)? {
        p @ 0..=100 => Ok(p as u32),
        _ => Err(format!("'{digits}' must be between 0 and 100")),
    }
}

/// `1024`, `64k`, `100m`, `2g` (powers of 1024).
fn size(v: &str) -> Result<u64, String> {
    let (digits, scale) = match v.chars().last().map(|c| c.to_ascii_lowercase()) {
        Some('k') => (&v[..v.len() - 1], 1u64 << 10),
        Some('m') => (&v[..v.len() - 1], 1 << 20),
        Some('g') => (&v[..v.len() - 1], 1 << 30),
        _ => (v, 1),
    };
    Ok(integer(digits)?.saturating_mul(scale))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_with_its_units() {
        let p = CachePolicy::parse("prune_interval=2m:prune_after=1h:cache_size=50%:cache_size_bytes=3k:cache_size_files=0x10")
            .unwrap();
        let expected = CachePolicy {
            interval: Some(120),
            expiration: Some(3600),
            percent: Some(50),
            bytes: Some(3072),
            files: Some(16),
        };
        assert_eq!(p, expected);
        assert_eq!(CachePolicy::parse(""), Ok(CachePolicy::default()));
        assert_eq!(
            CachePolicy::parse("cache_size_bytes=2G").unwrap().bytes,
            Some(2 << 30)
        );
    }

    #[test]
    fn errors_are_llvms() {
        let err = |p: &str| CachePolicy::parse(p).unwrap_err();
        assert_eq!(err("prune_interval=abc"), "'ab' not an integer");
        assert_eq!(
            err("prune_interval=10x"),
            "'10x' must end with one of 's', 'm' or 'h'"
        );
        assert_eq!(err("prune_after="), "Duration must not be empty");
        assert_eq!(err("cache_size=50"), "'50' must be a percentage");
        assert_eq!(err("cache_size=200%"), "'200' must be between 0 and 100");
        assert_eq!(err("cache_size_bytes=1x"), "'1x' not an integer");
        assert_eq!(err("a::b"), "Unknown key: 'a'");
    }
}
