//! A thin view of clap's matches in the terms wasm-ld uses: the last occurrence wins, a
//! `--x`/`--no-x` pair is decided by whichever came last, and order-dependent options are
//! replayed by position.

use clap::ArgMatches;

/// The options seen on the command line, with their positions.
#[derive(Debug)]
pub struct Seen {
    matches: ArgMatches,
}

impl Seen {
    /// Wraps clap's matches.
    pub fn new(matches: ArgMatches) -> Self {
        Seen { matches }
    }

    /// Every value of `id`, in order (flags record `"1"`).
    pub fn values(&self, id: &str) -> Vec<&str> {
        match self.matches.try_get_many::<String>(id) {
            Ok(Some(values)) => values.map(String::as_str).collect(),
            _ => Vec::new(),
        }
    }

    /// Whether `id` was given at all.
    pub fn has(&self, id: &str) -> bool {
        !self.values(id).is_empty()
    }

    /// The last value of `id`.
    pub fn last(&self, id: &str) -> Option<&str> {
        self.values(id).pop()
    }

    fn last_index(&self, id: &str) -> Option<usize> {
        self.matches.indices_of(id).and_then(|i| i.max())
    }

    /// Which of `ids` was given last, if any.
    pub fn last_of<'i>(&self, ids: &[&'i str]) -> Option<&'i str> {
        ids.iter()
            .filter_map(|id| self.last_index(id).map(|i| (i, *id)))
            .max()
            .map(|(_, id)| id)
    }

    /// lld's `hasFlag(on, off, default)`: the later of `on` and `off` decides.
    pub fn pair(&self, on: &str, off: &str, default: bool) -> bool {
        self.last_of(&[on, off]).map_or(default, |id| id == on)
    }

    /// Every occurrence of `ids`, in command-line order, with its value (`None` for flags).
    pub fn in_order<'i>(&self, ids: &[&'i str]) -> Vec<(&'i str, Option<&str>)> {
        let mut all: Vec<(usize, &'i str, Option<&str>)> = Vec::new();
        for &id in ids {
            let Some(indices) = self.matches.indices_of(id) else {
                continue;
            };
            let flag =
                super::table::opt(id).is_some_and(|o| o.takes == super::table::Takes::Nothing);
            let values = self.values(id);
            all.extend(
                indices
                    .zip(values)
                    .map(|(i, v)| (i, id, (!flag).then_some(v))),
            );
        }
        all.sort_by_key(|&(i, _, _)| i);
        all.into_iter().map(|(_, id, v)| (id, v)).collect()
    }
}
