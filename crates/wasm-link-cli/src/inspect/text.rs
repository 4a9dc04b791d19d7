//! The text form of a [`Report`]: one block per table, columns aligned to their widest cell,
//! numbers right-aligned, empty tables left out.

use super::Report;
use std::fmt::Write;

/// A table of cells; a column whose header starts with `#` or ends with `offset`/`size`/`index`
/// is numeric and right-aligned.
struct Table {
    title: String,
    headers: &'static [&'static str],
    rows: Vec<Vec<String>>,
}

impl Table {
    fn new(title: impl Into<String>, headers: &'static [&'static str]) -> Self {
        Table {
            title: title.into(),
            headers,
            rows: Vec::new(),
        }
    }

    fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    fn widths(&self) -> Vec<usize> {
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.len()).collect();
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        widths
    }

    fn write_line(out: &mut String, cells: &[&str], widths: &[usize], numeric: &[bool]) {
        let mut line = String::from("  ");
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            let last = i + 1 == cells.len();
            let _ = match (numeric[i], last) {
                (true, _) => write!(line, "{cell:>w$}  "),
                (false, true) => write!(line, "{cell}"),
                (false, false) => write!(line, "{cell:<w$}  "),
            };
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }

    fn render(&self, out: &mut String) {
        if self.rows.is_empty() {
            return;
        }
        let _ = writeln!(out, "{} ({}):", self.title, self.rows.len());
        let widths = self.widths();
        let numeric: Vec<bool> = self.headers.iter().map(|h| is_numeric(h)).collect();
        Self::write_line(out, self.headers, &widths, &numeric);
        for row in &self.rows {
            let cells: Vec<&str> = row.iter().map(String::as_str).collect();
            Self::write_line(out, &cells, &widths, &numeric);
        }
    }
}

fn is_numeric(header: &str) -> bool {
    matches!(
        header,
        "#" | "offset" | "size" | "index" | "align" | "addend" | "priority" | "symbol"
    )
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// Renders a report as text.
pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let member = r
        .member
        .as_ref()
        .map(|m| format!("({m})"))
        .unwrap_or_default();
    let _ = writeln!(out, "{}{}: {}", r.file, member, r.kind);
    for table in tables(r) {
        table.render(&mut out);
    }
    out
}

fn tables(r: &Report) -> Vec<Table> {
    let mut all = vec![sections(r), symbols(r)];
    all.extend(relocations(r));
    all.extend([
        segments(r),
        init_funcs(r),
        comdats(r),
        features(r),
        imports(r),
        exports(r),
    ]);
    all
}

fn sections(r: &Report) -> Table {
    let mut t = Table::new("sections", &["#", "offset", "size", "name"]);
    for s in &r.sections {
        t.row(vec![
            s.index.to_string(),
            format!("{:#x}", s.offset),
            s.size.to_string(),
            s.name.clone(),
        ]);
    }
    t
}

fn symbols(r: &Report) -> Table {
    let headers = &[
        "#", "kind", "flags", "index", "segment", "offset", "size", "name",
    ];
    let mut t = Table::new("symbols", headers);
    for s in &r.symbols {
        t.row(vec![
            s.index.to_string(),
            s.kind.to_owned(),
            s.flags.join("|"),
            opt(s.target_index),
            opt(s.segment),
            opt(s.offset),
            opt(s.size),
            s.name.clone(),
        ]);
    }
    t
}

fn relocations(r: &Report) -> Vec<Table> {
    let group = |g: &super::RelocGroup| {
        let title = format!(
            "relocations for section {} ({})",
            g.target_index, g.target_name
        );
        let mut t = Table::new(title, &["offset", "type", "symbol", "addend", "name"]);
        for rel in &g.relocs {
            let offset = format!("{:#08x}", rel.offset);
            let row = [
                offset,
                rel.ty.to_owned(),
                rel.index.to_string(),
                rel.addend.to_string(),
                rel.name.clone(),
            ];
            t.row(row.to_vec());
        }
        t
    };
    r.relocations.iter().map(group).collect()
}

fn segments(r: &Report) -> Table {
    let mut t = Table::new("data segments", &["#", "align", "flags", "name"]);
    for s in &r.segments {
        t.row(vec![
            s.index.to_string(),
            s.align.to_string(),
            s.flags.join("|"),
            s.name.clone(),
        ]);
    }
    t
}

fn init_funcs(r: &Report) -> Table {
    let mut t = Table::new("init functions", &["priority", "symbol", "name"]);
    for f in &r.init_funcs {
        t.row(vec![
            f.priority.to_string(),
            f.symbol.to_string(),
            f.name.clone(),
        ]);
    }
    t
}

fn comdats(r: &Report) -> Table {
    let mut t = Table::new("comdats", &["name", "members"]);
    for c in &r.comdats {
        t.row(vec![c.name.clone(), c.members.join(" ")]);
    }
    t
}

fn features(r: &Report) -> Table {
    let mut t = Table::new("target features", &["feature"]);
    for f in &r.target_features {
        t.row(vec![f.clone()]);
    }
    t
}

fn imports(r: &Report) -> Table {
    let mut t = Table::new("imports", &["kind", "module", "field"]);
    for i in &r.imports {
        t.row(vec![i.kind.to_owned(), i.module.clone(), i.field.clone()]);
    }
    t
}

fn exports(r: &Report) -> Table {
    let mut t = Table::new("exports", &["kind", "index", "name"]);
    for e in &r.exports {
        t.row(vec![e.kind.to_owned(), e.index.to_string(), e.name.clone()]);
    }
    t
}
