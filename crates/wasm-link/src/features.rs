//! Target features (lld's `populateTargetFeatures`): the set the output is allowed to use, and the
//! checks that reject objects whose features cannot be linked together.
//!
//! The allowed set is the union of what the loaded objects use (or `--features=` when given),
//! plus `--extra-features=`. It becomes the output `target_features` section and decides whether
//! an imported memory's `.bss` must be written out (without `bulk-memory`, nothing could zero it).

use crate::config::Config;
use crate::ids::FileId;
use crate::inputs::Inputs;
use crate::mark::Liveness;
use crate::resolve::Resolved;
use std::collections::{BTreeMap, BTreeSet};
use wasm_format::features::FeaturePrefix;

/// The output's features.
#[derive(Debug, Default, Clone)]
pub struct Features {
    /// Features the output may use, sorted: the body of `target_features`.
    pub allowed: BTreeSet<String>,
}

impl Features {
    /// Whether `name` is allowed.
    pub fn has(&self, name: &str) -> bool {
        self.allowed.contains(name)
    }

    /// Whether `.bss` is written to the data section: with an imported memory and no
    /// `bulk-memory`, nothing else could zero it (`__wasm_init_memory` uses `memory.fill`).
    pub fn emit_bss(&self, config: &Config) -> bool {
        config.import_memory.is_some() && !self.has("bulk-memory")
    }
}

/// For each feature name, the first object (in load order) that declares it with a prefix.
type FirstUser<'a> = BTreeMap<&'a str, FileId>;

/// Computes the allowed features and checks every object against them. Errors use wasm-ld's
/// wording, so scripts that look for them keep working.
pub fn check(
    inputs: &Inputs<'_>,
    res: &Resolved<'_>,
    live: &Liveness,
    config: &Config,
) -> (Features, Vec<String>) {
    let mut allowed: BTreeSet<String> = config.extra_features.iter().cloned().collect();
    if let Some(explicit) = &config.features {
        allowed.extend(explicit.iter().cloned());
        if !config.check_features {
            return (Features { allowed }, Vec::new());
        }
    }
    let mut errors = Vec::new();
    let mut used = FirstUser::new();
    let mut disallowed = FirstUser::new();
    for &f in &res.loaded {
        for feat in &inputs.obj(f).features {
            match feat.prefix {
                FeaturePrefix::Used => used.entry(feat.name).or_insert(f),
                FeaturePrefix::Disallowed => disallowed.entry(feat.name).or_insert(f),
                FeaturePrefix::Required => {
                    errors.push(format!("{}: unknown feature policy prefix", inputs.name(f)));
                    continue;
                }
            };
        }
    }
    if config.features.is_none() {
        allowed.extend(used.keys().map(|k| k.to_string()));
    }
    if !config.check_features {
        return (Features { allowed }, errors);
    }
    let features = Features { allowed };
    if config.shared_memory {
        if let Some(&f) = disallowed.get("shared-mem") {
            errors.push(format!(
                "--shared-memory is disallowed by {} because it was not compiled with 'atomics' or \
                 'bulk-memory' features.",
                inputs.short_name(f)
            ));
        }
        missing(&features, "shared memory", &mut errors);
    }
    if uses_tls(inputs, res, live) {
        missing(&features, "thread-local storage", &mut errors);
    }
    if config.features.is_some() {
        for (name, &f) in &used {
            if !features.has(name) {
                errors.push(format!(
                    "Target feature '{name}' used by {} is not allowed.",
                    inputs.short_name(f)
                ));
            }
        }
    }
    check_disallowed(inputs, res, &disallowed, &mut errors);
    (features, errors)
}

/// `atomics` and `bulk-memory` are needed for shared memory and for TLS.
fn missing(features: &Features, what: &str, errors: &mut Vec<String>) {
    for name in ["atomics", "bulk-memory"] {
        if !features.has(name) {
            errors.push(format!(
                "'{name}' feature must be used in order to use {what}"
            ));
        }
    }
}

/// Whether any live segment holds thread-local data.
fn uses_tls(inputs: &Inputs<'_>, res: &Resolved<'_>, live: &Liveness) -> bool {
    res.loaded.iter().any(|&f| {
        let obj = inputs.obj(f);
        let segs = obj.segments.iter().enumerate();
        segs.filter(|(i, _)| live.segments[f.idx()][*i])
            .any(|(_, s)| is_tls_segment(s.name, s.flags.0))
    })
}

/// lld's `InputChunk::isTLS`: the TLS flag, or the `.tdata`/`.tbss` names older objects relied on.
pub fn is_tls_segment(name: &str, flags: u32) -> bool {
    flags & 2 != 0 || name.starts_with(".tdata") || name.starts_with(".tbss")
}

/// Every object using a feature another object disallows is an error naming both.
fn check_disallowed(
    inputs: &Inputs<'_>,
    res: &Resolved<'_>,
    disallowed: &FirstUser<'_>,
    errors: &mut Vec<String>,
) {
    if disallowed.is_empty() {
        return;
    }
    for &f in &res.loaded {
        for feat in &inputs.obj(f).features {
            if feat.prefix == FeaturePrefix::Disallowed {
                continue;
            }
            if let Some(&by) = disallowed.get(feat.name) {
                errors.push(format!(
                    "Target feature '{}' used in {} is disallowed by {}. Use --no-check-features \
                     to suppress.",
                    feat.name,
                    inputs.short_name(f),
                    inputs.short_name(by)
                ));
            }
        }
    }
}

/// lld's `checkImportExportTargetFeatures`: without `mutable-globals`, no mutable global may be
/// imported and no global exported.
pub fn check_globals(
    features: &Features,
    config: &Config,
    imported_mutable: impl Iterator<Item = String>,
    exported_globals: impl Iterator<Item = String>,
) -> Vec<String> {
    if !config.check_features || features.has("mutable-globals") {
        return Vec::new();
    }
    let imports = imported_mutable.map(|name| {
        format!(
            "mutable global imported but 'mutable-globals' feature not present in inputs: \
             `{name}`. Use --no-check-features to suppress."
        )
    });
    let exports = exported_globals.map(|name| {
        format!(
            "mutable global exported but 'mutable-globals' feature not present in inputs: \
             `{name}`. Use --no-check-features to suppress."
        )
    });
    imports.chain(exports).collect()
}
