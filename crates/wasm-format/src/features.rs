//! The `target_features` and `producers` custom sections (tool-conventions `Linking.md` and
//! `ProducersSection.md`). The linker checks the features of all objects against each other and
//! writes the union of both sections into its output.

use crate::error::{ErrorKind, Result};
use crate::parse::{byte, fail, name, vec_of, In, PResult, Window};

/// One entry of `target_features`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Feature<'a> {
    /// How the object relates to the feature.
    pub prefix: FeaturePrefix,
    /// The feature name, e.g. `bulk-memory`.
    pub name: &'a str,
}

/// The policy byte before a feature name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FeaturePrefix {
    /// `+`: the object uses the feature.
    Used,
    /// `-`: the object must not be linked with anything that uses the feature.
    Disallowed,
    /// `=`: every object must use the feature. Dropped from `Linking.md` and rejected by
    /// wasm-ld 19; parsed here so that the linker can report it with the object's name.
    Required,
}

impl FeaturePrefix {
    /// The prefix for its encoding, if known.
    pub const fn from_u8(b: u8) -> Option<FeaturePrefix> {
        match b {
            b'+' => Some(FeaturePrefix::Used),
            b'-' => Some(FeaturePrefix::Disallowed),
            b'=' => Some(FeaturePrefix::Required),
            _ => None,
        }
    }

    /// The encoding, `+`, `-` or `=`.
    pub const fn as_char(self) -> char {
        match self {
            FeaturePrefix::Used => '+',
            FeaturePrefix::Disallowed => '-',
            FeaturePrefix::Required => '=',
        }
    }
}

/// Parses the contents of a `target_features` section (after its name).
pub fn parse_target_features(w: Window<'_>) -> Result<Vec<Feature<'_>>> {
    w.parse_all(
        "the target_features section",
        vec_of("features", 2, feature),
    )
}

fn feature(i: In<'_>) -> PResult<'_, Feature<'_>> {
    let (rest, b) = byte("a feature prefix")(i)?;
    let Some(prefix) = FeaturePrefix::from_u8(b) else {
        return fail(
            i,
            ErrorKind::Invalid {
                expected: "a feature prefix '+', '-' or '='",
                found: b.into(),
            },
        );
    };
    let (rest, name) = name(rest)?;
    Ok((rest, Feature { prefix, name }))
}

/// The decoded `producers` section.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Producers<'a> {
    /// The fields (`language`, `processed-by`, `sdk`), in file order.
    pub fields: Vec<ProducerField<'a>>,
}

/// One field of the `producers` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProducerField<'a> {
    /// The field name, e.g. `processed-by`.
    pub name: &'a str,
    /// The tools or languages listed under it.
    pub values: Vec<ProducerValue<'a>>,
}

/// A tool or language with its version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProducerValue<'a> {
    /// E.g. `clang`.
    pub name: &'a str,
    /// E.g. `19.1.7`; may be empty.
    pub version: &'a str,
}

impl<'a> Producers<'a> {
    /// The field with this name, if present.
    pub fn field(&self, name: &str) -> Option<&ProducerField<'a>> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// Parses the contents of a `producers` section (after its name).
pub fn parse_producers(w: Window<'_>) -> Result<Producers<'_>> {
    let fields = w.parse_all(
        "the producers section",
        vec_of("producer fields", 2, producer_field),
    )?;
    Ok(Producers { fields })
}

fn producer_field(i: In<'_>) -> PResult<'_, ProducerField<'_>> {
    let (i, name) = name(i)?;
    let (i, values) = vec_of("producer values", 2, producer_value)(i)?;
    Ok((i, ProducerField { name, values }))
}

fn producer_value(i: In<'_>) -> PResult<'_, ProducerValue<'_>> {
    let (i, tool) = name(i)?;
    let (i, version) = name(i)?;
    Ok((
        i,
        ProducerValue {
            name: tool,
            version,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linking::test_util::*;

    fn features_bytes() -> Vec<u8> {
        let mut b = vec![3, b'+'];
        string(&mut b, "bulk-memory");
        b.push(b'-');
        string(&mut b, "shared-mem");
        b.push(b'=');
        string(&mut b, "atomics");
        b
    }

    fn producers_bytes() -> Vec<u8> {
        let mut b = vec![2];
        string(&mut b, "language");
        b.push(1);
        string(&mut b, "C11");
        string(&mut b, "");
        string(&mut b, "processed-by");
        b.push(2);
        string(&mut b, "clang");
        string(&mut b, "19.1.7");
        string(&mut b, "wasm-link");
        string(&mut b, "0.1.0");
        b
    }

    #[test]
    fn parses_features() {
        let bytes = features_bytes();
        let f = parse_target_features(Window::new(&bytes, BASE)).unwrap();
        let got: Vec<(char, &str)> = f.iter().map(|f| (f.prefix.as_char(), f.name)).collect();
        assert_eq!(
            got,
            vec![('+', "bulk-memory"), ('-', "shared-mem"), ('=', "atomics")]
        );
    }

    #[test]
    fn unknown_prefix_is_an_error_at_the_prefix() {
        let mut b = vec![2, b'+', 1, b'a', b'*'];
        string(&mut b, "x");
        let err = parse_target_features(Window::new(&b, BASE)).unwrap_err();
        assert_eq!(err.offset(), BASE + 4);
        assert!(err.to_string().contains("feature prefix"), "{err}");
    }

    #[test]
    fn parses_producers() {
        let bytes = producers_bytes();
        let p = parse_producers(Window::new(&bytes, BASE)).unwrap();
        assert_eq!(p.fields.len(), 2);
        assert_eq!(
            p.field("language").unwrap().values,
            vec![ProducerValue {
                name: "C11",
                version: ""
            }]
        );
        let tools = &p.field("processed-by").unwrap().values;
        assert_eq!(
            tools[1],
            ProducerValue {
                name: "wasm-link",
                version: "0.1.0"
            }
        );
        assert!(p.field("sdk").is_none());
    }

    #[test]
    fn huge_counts_are_count_too_large() {
        let b = [0xff, 0xff, 0xff, 0xff, 0x0f, b'+', 0];
        let err = parse_target_features(Window::new(&b, BASE)).unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::CountTooLarge { .. }),
            "{err}"
        );
        let b = [1, 1, b'x', 0xff, 0xff, 0xff, 0xff, 0x0f, 0, 0];
        let err = parse_producers(Window::new(&b, BASE)).unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::CountTooLarge { .. }),
            "{err}"
        );
        assert_eq!(err.offset(), BASE + 3);
    }

    #[test]
    fn every_truncation_is_an_error_inside_the_input() {
        check_truncations(&features_bytes(), &[], |w| {
            parse_target_features(w).map(drop)
        });
        check_truncations(&producers_bytes(), &[], |w| parse_producers(w).map(drop));
    }

    #[test]
    fn garbage_never_panics() {
        check_garbage(&features_bytes(), |w| parse_target_features(w).map(drop));
        check_garbage(&producers_bytes(), |w| parse_producers(w).map(drop));
    }
}
