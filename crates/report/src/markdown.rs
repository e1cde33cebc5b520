//! Markdown for pasting into papers and wikis: one section per table, every cell escaped so that a
//! comment's pipes, markup or HTML stay text.

use std::fmt::Write;

use crate::escape;
use crate::model::ReportData;
use crate::tables::{Kind, Table, tables};

/// The whole report as Markdown.
pub fn render(data: &ReportData) -> String {
    let mut out = String::new();
    out.push_str("# Patient experience report\n\n");
    if let Some(period) = data.scope.period {
        let _ = writeln!(out, "Period: {}  ", escape::markdown(&period.label()));
    }
    if let Some(service) = &data.scope.service {
        let _ = writeln!(out, "Service: {}  ", escape::markdown(service));
    }
    if !data.source.is_empty() {
        let _ = writeln!(out, "Generated from {}  ", escape::markdown(&data.source));
    }
    out.push('\n');
    for table in tables(data) {
        render_table(&mut out, &table);
    }
    out
}

/// One table as a Markdown section.
pub fn render_table(out: &mut String, table: &Table) {
    let _ = writeln!(out, "## {}\n", escape::markdown(&table.title));
    if let Some(note) = &table.note {
        let _ = writeln!(out, "_{}_\n", escape::markdown(note));
    }
    if table.rows.is_empty() {
        out.push_str("None.\n\n");
        return;
    }
    out.push('|');
    for c in &table.columns {
        let _ = write!(out, " {} |", escape::markdown(&c.header));
    }
    out.push_str("\n|");
    for c in &table.columns {
        out.push_str(match c.kind {
            Kind::Count | Kind::Percent | Kind::Decimal => " ---: |",
            Kind::Text | Kind::Quote => " --- |",
        });
    }
    out.push('\n');
    for row in &table.rows {
        out.push('|');
        for value in row {
            let _ = write!(out, " {} |", escape::markdown(&value.display()));
        }
        out.push('\n');
    }
    out.push('\n');
}
