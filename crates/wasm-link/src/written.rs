//! What the writer returns: where it put every section and every atom, as file offsets. The
//! link map (`--Map`) and the size report are built from it, never by reading the output back.

use crate::ids::FileId;
use crate::output::Output;
use wasm_format::SectionId;

/// One section of the output.
#[derive(Clone, Debug)]
pub struct WrittenSection {
    /// Its id.
    pub id: SectionId,
    /// A custom section's name.
    pub name: Option<String>,
    /// The offset of its id byte.
    pub offset: u64,
    /// Its size, header included.
    pub size: u64,
    /// A custom section made of input chunks copied as they are: each chunk's file and size,
    /// in order (empty for merged or linker-made sections).
    pub chunks: Vec<(FileId, u64)>,
    /// Parallel to `chunks`: each chunk's position in its object's custom sections.
    pub chunk_customs: Vec<usize>,
}

impl WrittenSection {
    /// `TYPE`, `CODE`, ..., or a custom section's name: what the size report calls it.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(self.id.name())
    }
}

/// Where the writer put things.
#[derive(Clone, Debug, Default)]
pub struct Written {
    /// Every section, in file order.
    pub sections: Vec<WrittenSection>,
    /// Per defined output function: the offset of its body (size prefix included) in the code
    /// section's contents, and its size.
    pub functions: Vec<(u64, u64)>,
    /// Per output data segment: the offsets of its header and of its bytes in the data
    /// section's contents, if it is written.
    pub segments: Vec<Option<(u64, u64)>>,
    /// The output's size.
    pub file_size: u64,
    /// How long each part of writing took (planning custom sections, the head, the other
    /// sections' plan, the name section, filling and writing the pieces), for `--time`.
    pub parts: Vec<(&'static str, std::time::Duration)>,
}

impl Written {
    /// Records a section that starts at `start` of the output and ends where it ends now.
    pub(crate) fn section(&mut self, id: SectionId, name: Option<&str>, start: u64, end: u64) {
        if end > start {
            self.sections.push(WrittenSection {
                id,
                name: name.map(str::to_string),
                offset: start,
                size: end - start,
                chunks: Vec::new(),
                chunk_customs: Vec::new(),
            });
        }
    }

    /// Runs `write`, which appends one section (or none) to `out`, and records it.
    pub(crate) fn record<'p, T>(
        &mut self,
        out: &mut Output<'p>,
        id: SectionId,
        name: Option<&str>,
        write: impl FnOnce(&mut Output<'p>) -> T,
    ) -> T {
        let start = out.len() as u64;
        let value = write(out);
        self.section(id, name, start, out.len() as u64);
        value
    }
}
