//! Target features (lld's `populateTargetFeatures`): the set the output is allowed to use, and the
//! checks that reject objects whose features cannot be linked together.
//!
//! The allowed set is the union of what the loaded objects use (or `--features=` when given),
//! plus `--extra-features=`. It becomes the output `target_features` section and decides whether
//! an imported memory's `.bss` must be written out (without `bulk-memory`, nothing could zero it).

use crate::config::Config;
use crate::diagnostic::{errors as errors_of, Code, Errors};
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
    /// With `--emit-relocs`, relocations may point into `.bss`, so it is written too.
    pub fn emit_bss(&self, config: &Config) -> bool {
        config.emit_relocs || (config.import_memory.is_some() && !self.has("bulk-memory"))
    }
}

/// For each feature name, the first object (in load order) that declares it with a prefix.
type FirstUser<'a> = BTreeMap<&'a str, FileId>;

/// What the loaded objects declare, as lld collects it in `populateTargetFeatures`: three
/// `StringMap`s of feature → first object. A `=` (required) feature is also used.
#[derive(Default)]
struct Declared<'a> {
    used: FirstUser<'a>,
    required: FirstUser<'a>,
    disallowed: FirstUser<'a>,
    /// Used and required names in insertion order, for the `StringMap` iteration order in
    /// which lld reports them.
    used_order: Vec<&'a str>,
    required_order: Vec<&'a str>,
}

impl<'a> Declared<'a> {
    fn collect(inputs: &Inputs<'a>, res: &Resolved<'_>) -> Declared<'a> {
        let mut d = Declared::default();
        for &f in &res.loaded {
            for feat in &inputs.obj(f).features {
                match feat.prefix {
                    FeaturePrefix::Used => first(&mut d.used, &mut d.used_order, feat.name, f),
                    FeaturePrefix::Required => {
                        first(&mut d.used, &mut d.used_order, feat.name, f);
                        first(&mut d.required, &mut d.required_order, feat.name, f);
                    }
                    FeaturePrefix::Disallowed => {
                        d.disallowed.entry(feat.name).or_insert(f);
                    }
                }
            }
        }
        d
    }

    /// Used features with their first user, in lld's `StringMap` order.
    fn used(&self) -> impl Iterator<Item = (&'a str, FileId)> + '_ {
        let names = crate::string_map::iteration_order(self.used_order.iter().copied());
        names.into_iter().map(|n| (n, self.used[n]))
    }

    /// Required features with their first requirer, in lld's `StringMap` order.
    fn required(&self) -> Vec<(&'a str, FileId)> {
        let names = crate::string_map::iteration_order(self.required_order.iter().copied());
        names.into_iter().map(|n| (n, self.required[n])).collect()
    }
}

/// Records `f` as the first object declaring `name`, unless another was.
fn first<'a>(map: &mut FirstUser<'a>, order: &mut Vec<&'a str>, name: &'a str, f: FileId) {
    if let std::collections::btree_map::Entry::Vacant(e) = map.entry(name) {
        e.insert(f);
        order.push(name);
    }
}

/// Computes the allowed features and checks every object against them. Errors use wasm-ld's
/// wording and order, so scripts that look for them keep working.
pub fn check(
    inputs: &Inputs<'_>,
    res: &Resolved<'_>,
    live: &Liveness,
    config: &Config,
) -> (Features, Errors) {
    let (features, errors) = check_strings(inputs, res, live, config);
    (features, errors_of(Code::Features, errors))
}

fn check_strings(
    inputs: &Inputs<'_>,
    res: &Resolved<'_>,
    live: &Liveness,
    config: &Config,
) -> (Features, Vec<String>) {
    let mut allowed: BTreeSet<String> = config.extra_features.iter().cloned().collect();
    // PIC objects should all say so themselves; lld adds it regardless.
    if config.pic {
        allowed.insert("mutable-globals".to_string());
    }
    if let Some(explicit) = &config.features {
        allowed.extend(explicit.iter().cloned());
        if !config.check_features {
            return (Features { allowed }, Vec::new());
        }
    }
    let mut errors = Vec::new();
    let declared = Declared::collect(inputs, res);
    if config.features.is_none() {
        allowed.extend(declared.used.keys().map(|k| k.to_string()));
    }
    if !config.check_features {
        return (Features { allowed }, errors);
    }
    let features = Features { allowed };
    if config.shared_memory {
        if let Some(&f) = declared.disallowed.get("shared-mem") {
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
        for (name, f) in declared.used() {
            if !features.has(name) {
                errors.push(format!(
                    "Target feature '{name}' used by {} is not allowed.",
                    inputs.short_name(f)
                ));
            }
        }
    }
    check_each_object(inputs, res, &declared, &mut errors);
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

/// Per object: every feature it uses that another object disallows, then every required
/// feature it lacks, each an error naming both objects.
fn check_each_object(
    inputs: &Inputs<'_>,
    res: &Resolved<'_>,
    declared: &Declared<'_>,
    errors: &mut Vec<String>,
) {
    let required = declared.required();
    if declared.disallowed.is_empty() && required.is_empty() {
        return;
    }
    for &f in &res.loaded {
        let features = &inputs.obj(f).features;
        let has = features
            .iter()
            .filter(|feat| feat.prefix != FeaturePrefix::Disallowed);
        for feat in has.clone() {
            if let Some(&by) = declared.disallowed.get(feat.name) {
                errors.push(format!(
                    "Target feature '{}' used in {} is disallowed by {}. Use --no-check-features \
                     to suppress.",
                    feat.name,
                    inputs.short_name(f),
                    inputs.short_name(by)
                ));
            }
        }
        for &(name, by) in &required {
            if !has.clone().any(|feat| feat.name == name) {
                errors.push(format!(
                    "Missing target feature '{name}' in {}, required by {}. Use \
                     --no-check-features to suppress.",
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
) -> Errors {
    // A relocatable output's imports are the final link's to check (lld's
    // `checkImportExportTargetFeatures`).
    if config.relocatable || !config.check_features || features.has("mutable-globals") {
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
    errors_of(Code::Features, imports.chain(exports))
}
