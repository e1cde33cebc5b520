//! Editable codebooks: journey touchpoints and feedback themes as readable TOML, checked for the mistakes a
//! team makes when editing them, and compiled for fast matching clause by clause.
//!
//! The built-in files (`codebooks/touchpoints.toml`, `codebooks/themes.toml`) are embedded and printed by
//! `chorus codebook print`, so a team starts from them. Their header describes the format.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

use chorus_core::Direction;
use chorus_text::Analyzer;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::error::{Error, line_column};
use crate::patterns::{self, Doc, Pattern, PatternSet, Vocab};

/// The built-in journey touchpoints file.
pub const BUILTIN_TOUCHPOINTS: &str = include_str!("../codebooks/touchpoints.toml");
/// The built-in feedback themes file.
pub const BUILTIN_THEMES: &str = include_str!("../codebooks/themes.toml");

/// A codebook: named entries, each matched by terms and phrases.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Codebook {
    /// The file's `name`, or the file name.
    pub name: String,
    /// The file's `description`.
    pub description: String,
    /// The entries, in file order (journey order for touchpoints).
    pub entries: Vec<CodebookEntry>,
    /// Where it came from: a path, or `<built-in touchpoints>`.
    pub origin: PathBuf,
}

/// One touchpoint or theme.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CodebookEntry {
    /// Stable id: lower-case letters, digits, `-` and `_`.
    pub id: String,
    /// Label shown in reports.
    pub label: String,
    /// What it covers.
    pub description: String,
    /// Whether more mentions are good or bad news.
    pub direction: Direction,
    /// Single words, matched on their stem.
    pub terms: Vec<String>,
    /// Single words matched only as spelt (any case), where the stem would take in other words:
    /// `caring` without `care`, `helpful` without `help`.
    pub exact: Vec<String>,
    /// Words that must appear together, in order, in one clause.
    pub phrases: Vec<String>,
    /// Words or phrases that mean the entry does not apply (see the file header).
    pub exclude: Vec<String>,
    /// Words or phrases that count only when a `context` word is in the same clause ("lovely" counts for
    /// staff attitude only beside "staff", "nurse", "they"…).
    pub contextual: Vec<String>,
    /// The words that let `contextual` ones count. When empty, `contextual` words count wherever no
    /// `unless` word is (if the entry has `unless` words; otherwise they never count).
    pub context: Vec<String>,
    /// Words or phrases that stop `contextual` ones counting in their clause: "arrived" is arrival, but
    /// "arrived quickly" is about the wait.
    pub unless: Vec<String>,
    /// The 1-based line of the entry in its file (0 if built in code).
    pub line: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCodebook {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    entry: Vec<Spanned<RawEntry>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    id: Spanned<String>,
    label: String,
    #[serde(default)]
    description: String,
    #[serde(default = "neutral")]
    direction: Direction,
    #[serde(default)]
    terms: Vec<Spanned<String>>,
    #[serde(default)]
    exact: Vec<Spanned<String>>,
    #[serde(default)]
    phrases: Vec<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    contextual: Vec<Spanned<String>>,
    #[serde(default)]
    context: Vec<Spanned<String>>,
    #[serde(default)]
    unless: Vec<Spanned<String>>,
}

fn neutral() -> Direction {
    Direction::Neutral
}

/// How serious a finding of [`check`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The codebook cannot be used as it is.
    Error,
    /// It works, but probably not as meant.
    Warning,
}

/// One problem found by [`check`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// 1-based line in the file (0 when unknown).
    pub line: usize,
    /// 1-based column (0 when unknown).
    pub column: usize,
    /// The entry concerned, if any.
    pub entry: Option<String>,
    /// What is wrong and what to do.
    pub message: String,
}

/// What [`check`] found in a codebook file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CheckReport {
    /// The codebook, if it parsed.
    pub codebook: Option<Codebook>,
    /// Problems, by line.
    pub findings: Vec<Finding>,
}

impl CheckReport {
    /// How many findings are errors.
    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count()
    }

    /// How many findings are warnings.
    pub fn warnings(&self) -> usize {
        self.findings.len() - self.errors()
    }
}

/// A word list item with the line it is on.
struct Located<'a> {
    text: &'a str,
    line: usize,
    column: usize,
}

/// An entry with where each of its items is.
struct EntryView<'a> {
    id: &'a str,
    line: usize,
    column: usize,
    terms: Vec<Located<'a>>,
    exact: Vec<Located<'a>>,
    phrases: Vec<Located<'a>>,
    exclude: Vec<Located<'a>>,
    contextual: Vec<Located<'a>>,
    context: Vec<Located<'a>>,
    unless: Vec<Located<'a>>,
}

fn located<'a>(text: &str, items: &'a [Spanned<String>]) -> Vec<Located<'a>> {
    items
        .iter()
        .map(|item| {
            let (line, column) = line_column(text, item.span().start);
            Located {
                text: item.get_ref(),
                line,
                column,
            }
        })
        .collect()
}

impl Codebook {
    /// The built-in journey touchpoints, in journey order.
    pub fn builtin_touchpoints() -> Codebook {
        Codebook::parse(BUILTIN_TOUCHPOINTS, Path::new("<built-in touchpoints>"))
            .expect("the built-in touchpoints parse (a test checks it)")
    }

    /// The built-in feedback themes.
    pub fn builtin_themes() -> Codebook {
        Codebook::parse(BUILTIN_THEMES, Path::new("<built-in themes>"))
            .expect("the built-in themes parse (a test checks it)")
    }

    /// Reads and checks a codebook file, refusing one with errors (warnings are allowed; see [`check`]).
    pub fn load(path: &Path) -> Result<Codebook, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
        let report = check(&text, path);
        if let Some(first) = report
            .findings
            .iter()
            .find(|f| f.severity == Severity::Error)
        {
            if report.codebook.is_none() {
                return Err(Error::Syntax {
                    path: path.to_owned(),
                    line: first.line,
                    column: first.column,
                    message: first.message.clone(),
                });
            }
            return Err(Error::Codebook {
                path: path.to_owned(),
                count: report.errors(),
                line: first.line,
                message: first.message.clone(),
            });
        }
        report.codebook.ok_or_else(|| Error::Syntax {
            path: path.to_owned(),
            line: 1,
            column: 1,
            message: "the codebook could not be read".to_owned(),
        })
    }

    /// Parses a codebook's text (syntax and fields only; [`check`] looks further). `origin` names it in
    /// errors and in the run description.
    pub fn parse(text: &str, origin: &Path) -> Result<Codebook, Error> {
        let raw = parse_raw(text, origin)?;
        let name = raw.name.clone().unwrap_or_else(|| {
            origin
                .file_stem()
                .map_or_else(String::new, |s| s.to_string_lossy().into_owned())
        });
        let entries = raw
            .entry
            .iter()
            .map(|spanned| {
                let e = spanned.get_ref();
                let strings =
                    |v: &[Spanned<String>]| v.iter().map(|s| s.get_ref().clone()).collect();
                CodebookEntry {
                    id: e.id.get_ref().clone(),
                    label: e.label.clone(),
                    description: e.description.clone(),
                    direction: e.direction,
                    terms: strings(&e.terms),
                    exact: strings(&e.exact),
                    phrases: strings(&e.phrases),
                    exclude: strings(&e.exclude),
                    contextual: strings(&e.contextual),
                    context: strings(&e.context),
                    unless: strings(&e.unless),
                    line: line_column(text, spanned.span().start).0,
                }
            })
            .collect();
        Ok(Codebook {
            name,
            description: raw.description.clone().unwrap_or_default(),
            entries,
            origin: origin.to_owned(),
        })
    }

    /// The problems of this codebook (lines are entry lines: a codebook built in code has no finer ones).
    pub fn check(&self) -> Vec<Finding> {
        let views: Vec<EntryView<'_>> = self
            .entries
            .iter()
            .map(|e| {
                fn at(v: &[String], line: usize) -> Vec<Located<'_>> {
                    v.iter()
                        .map(|t| Located {
                            text: t,
                            line,
                            column: 0,
                        })
                        .collect()
                }
                EntryView {
                    id: &e.id,
                    line: e.line,
                    column: 0,
                    terms: at(&e.terms, e.line),
                    exact: at(&e.exact, e.line),
                    phrases: at(&e.phrases, e.line),
                    exclude: at(&e.exclude, e.line),
                    contextual: at(&e.contextual, e.line),
                    context: at(&e.context, e.line),
                    unless: at(&e.unless, e.line),
                }
            })
            .collect();
        check_entries(&views)
    }

    /// The entries' ids and labels.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.id.as_str())
    }

    /// Compiles the codebook into `vocab`.
    pub(crate) fn compile(&self, analyzer: &mut Analyzer, vocab: &mut Vocab) -> CompiledCodebook {
        let mut patterns = PatternSet::default();
        for (index, entry) in self.entries.iter().enumerate() {
            let index = index as u32;
            let lists: [(&[String], Role); 6] = [
                (&entry.terms, Role::Include),
                (&entry.phrases, Role::Include),
                (&entry.exclude, Role::Exclude),
                (&entry.contextual, Role::Contextual),
                (&entry.context, Role::Context),
                (&entry.unless, Role::Unless),
            ];
            for (items, role) in lists {
                for item in items {
                    if let Some(pattern) = patterns::compile(item, analyzer, vocab)
                        && (pattern.content > 0 || matches!(role, Role::Context | Role::Unless))
                    {
                        patterns.push(pattern, (index, role));
                    }
                }
            }
            for word in &entry.exact {
                if let Some(pattern) = patterns::compile_exact(word, analyzer, vocab) {
                    patterns.push(pattern, (index, Role::Include));
                }
            }
        }
        CompiledCodebook {
            entries: self.entries.len(),
            needs_context: self.entries.iter().map(|e| !e.context.is_empty()).collect(),
            patterns,
        }
    }
}

fn parse_raw(text: &str, origin: &Path) -> Result<RawCodebook, Error> {
    toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map_or((1, 1), |s| line_column(text, s.start));
        Error::Syntax {
            path: origin.to_owned(),
            line,
            column,
            message: e.message().trim().to_owned(),
        }
    })
}

/// Checks a codebook file's text: syntax (with line and column), duplicate or malformed ids, entries that
/// can never match, words that are only stop words, terms of several words, exclusions that cancel their
/// own entry, and terms or phrases shared by two entries.
pub fn check(text: &str, origin: &Path) -> CheckReport {
    let raw = match parse_raw(text, origin) {
        Ok(raw) => raw,
        Err(Error::Syntax {
            line,
            column,
            message,
            ..
        }) => {
            return CheckReport {
                codebook: None,
                findings: vec![Finding {
                    severity: Severity::Error,
                    line,
                    column,
                    entry: None,
                    message,
                }],
            };
        }
        Err(other) => {
            return CheckReport {
                codebook: None,
                findings: vec![Finding {
                    severity: Severity::Error,
                    line: 1,
                    column: 1,
                    entry: None,
                    message: other.to_string(),
                }],
            };
        }
    };
    let views: Vec<EntryView<'_>> = raw
        .entry
        .iter()
        .map(|spanned| {
            let e = spanned.get_ref();
            let (line, column) = line_column(text, e.id.span().start);
            EntryView {
                id: e.id.get_ref(),
                line,
                column,
                terms: located(text, &e.terms),
                exact: located(text, &e.exact),
                phrases: located(text, &e.phrases),
                exclude: located(text, &e.exclude),
                contextual: located(text, &e.contextual),
                context: located(text, &e.context),
                unless: located(text, &e.unless),
            }
        })
        .collect();
    let mut findings = check_entries(&views);
    if raw.entry.is_empty() {
        findings.push(Finding {
            severity: Severity::Error,
            line: 1,
            column: 1,
            entry: None,
            message: "no entries: add [[entry]] tables (see `chorus codebook print themes`)"
                .to_owned(),
        });
    }
    let codebook = Codebook::parse(text, origin).ok();
    CheckReport { codebook, findings }
}

fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// An entry using a pattern: (entry index, id, line, column, the item as written).
type Owner<'a> = (usize, &'a str, usize, usize, &'a str);

fn check_entries(entries: &[EntryView<'_>]) -> Vec<Finding> {
    let mut analyzer = Analyzer::english();
    let mut vocab = Vocab::default();
    let mut findings = Vec::new();
    let mut push = |severity, line, column, entry: &str, message: String| {
        findings.push(Finding {
            severity,
            line,
            column,
            entry: Some(entry.to_owned()),
            message,
        });
    };
    let mut first_line: BTreeMap<&str, usize> = BTreeMap::new();
    // Each include pattern: which entries use it, and where it first appears in each.
    let mut owners: BTreeMap<Pattern, Vec<Owner<'_>>> = BTreeMap::new();
    for (index, entry) in entries.iter().enumerate() {
        if !valid_id(entry.id) {
            push(
                Severity::Error,
                entry.line,
                entry.column,
                entry.id,
                format!(
                    "id `{}` must start with a lower-case letter or digit and contain only lower-case letters, \
                     digits, - and _ (e.g. `waiting-times`)",
                    entry.id
                ),
            );
        }
        if let Some(first) = first_line.get(entry.id) {
            push(
                Severity::Error,
                entry.line,
                entry.column,
                entry.id,
                format!(
                    "duplicate id `{}` (first at line {first}): give each entry its own id",
                    entry.id
                ),
            );
        } else {
            first_line.insert(entry.id, entry.line);
        }
        let mut usable = 0;
        let mut own: BTreeMap<Pattern, &str> = BTreeMap::new();
        let includes = [
            (&entry.terms, "term"),
            (&entry.phrases, "phrase"),
            (&entry.exact, "exact word"),
        ];
        for (items, kind) in includes {
            for item in items.iter() {
                let compiled = if kind == "exact word" {
                    patterns::compile_exact(item.text, &mut analyzer, &mut vocab)
                } else {
                    patterns::compile(item.text, &mut analyzer, &mut vocab)
                        .filter(|p| p.content > 0)
                };
                let Some(p) = compiled else {
                    let why = if kind == "exact word" {
                        "is not one word, or is a stop word, so it can never match: put phrases under \
                         `phrases`"
                    } else {
                        "is only stop words or punctuation, so it can never match: remove it"
                    };
                    push(
                        Severity::Warning,
                        item.line,
                        item.column,
                        entry.id,
                        format!("{kind} `{}` {why}", item.text),
                    );
                    continue;
                };
                if kind == "term" && p.elems.len() > 1 {
                    push(
                        Severity::Warning,
                        item.line,
                        item.column,
                        entry.id,
                        format!(
                            "term `{}` has several words: move it to `phrases` (it is matched as one)",
                            item.text
                        ),
                    );
                }
                usable += 1;
                own.entry(p.clone()).or_insert(item.text);
                let users = owners.entry(p).or_default();
                if !users.iter().any(|u| u.0 == index) {
                    users.push((index, entry.id, item.line, item.column, item.text));
                }
            }
        }
        let mut contextual = 0;
        for item in &entry.contextual {
            match patterns::compile(item.text, &mut analyzer, &mut vocab) {
                Some(p) if p.content > 0 => contextual += 1,
                _ => push(
                    Severity::Warning,
                    item.line,
                    item.column,
                    entry.id,
                    format!(
                        "contextual `{}` is only stop words or punctuation, so it can never match: remove it",
                        item.text
                    ),
                ),
            }
        }
        if usable == 0 && contextual == 0 {
            push(
                Severity::Error,
                entry.line,
                entry.column,
                entry.id,
                format!(
                    "entry `{}` has no usable terms or phrases, so it can never match: add some or delete it",
                    entry.id
                ),
            );
        }
        if contextual > 0 && entry.context.is_empty() && entry.unless.is_empty() {
            push(
                Severity::Warning,
                entry.line,
                entry.column,
                entry.id,
                format!(
                    "entry `{}` has `contextual` words but no `context` or `unless`: they can never count",
                    entry.id
                ),
            );
        }
        for (list, name) in [(&entry.context, "context"), (&entry.unless, "unless")] {
            if !list.is_empty() && entry.contextual.is_empty() {
                push(
                    Severity::Warning,
                    entry.line,
                    entry.column,
                    entry.id,
                    format!(
                        "entry `{}` has `{name}` words but no `contextual` ones: `{name}` does nothing",
                        entry.id
                    ),
                );
            }
        }
        for item in &entry.unless {
            if patterns::compile(item.text, &mut analyzer, &mut vocab).is_none() {
                push(
                    Severity::Warning,
                    item.line,
                    item.column,
                    entry.id,
                    format!(
                        "unless `{}` has no words, so it can never match: remove it",
                        item.text
                    ),
                );
            }
        }
        for item in &entry.exclude {
            match patterns::compile(item.text, &mut analyzer, &mut vocab) {
                Some(p) if p.content > 0 => {
                    if let Some(term) = own.get(&p) {
                        push(
                            Severity::Warning,
                            item.line,
                            item.column,
                            entry.id,
                            format!(
                                "exclusion `{}` is the same as `{term}`, so it cancels every match of it: remove one",
                                item.text
                            ),
                        );
                    }
                }
                _ => push(
                    Severity::Warning,
                    item.line,
                    item.column,
                    entry.id,
                    format!(
                        "exclusion `{}` is only stop words or punctuation, so it can never match: remove it",
                        item.text
                    ),
                ),
            }
        }
    }
    let mut overlaps: BTreeSet<(usize, usize, usize, String)> = BTreeSet::new();
    for users in owners.values() {
        for later in users.iter().skip(1) {
            let first = &users[0];
            overlaps.insert((
                later.2,
                later.3,
                later.0,
                format!(
                    "`{}` is also in `{}` (line {}, as `{}`): comments using it get both; keep it in one unless that is meant",
                    later.4, first.1, first.2, first.4
                ),
            ));
        }
    }
    for (line, column, index, message) in overlaps {
        push(Severity::Warning, line, column, entries[index].id, message);
    }
    findings.sort_by(|a, b| {
        (a.line, a.column, a.severity, &a.message).cmp(&(b.line, b.column, b.severity, &b.message))
    });
    findings
}

/// What a pattern does for its entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// A term or phrase: a match assigns the entry.
    Include,
    /// An exclusion.
    Exclude,
    /// Counts only beside a context word.
    Contextual,
    /// Lets contextual words count.
    Context,
    /// Stops contextual words counting.
    Unless,
}

/// A codebook compiled against a run's vocabulary.
#[derive(Debug, Clone, Default)]
pub(crate) struct CompiledCodebook {
    entries: usize,
    /// Per entry: whether its contextual words need a context word.
    needs_context: Vec<bool>,
    patterns: PatternSet<(u32, Role)>,
}

/// One pattern found in a clause.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RawMatch {
    entry: u32,
    role: Role,
    tokens: (u32, u32),
}

impl CompiledCodebook {
    /// Builds the index once the vocabulary is complete.
    pub(crate) fn finish(&mut self, vocab_len: usize) {
        self.patterns.finish(vocab_len);
    }

    /// How many entries.
    pub(crate) fn len(&self) -> usize {
        self.entries
    }

    /// The entries matched in the clause `range` of `tokens`, appended to `out` sorted and without
    /// repeats. `scratch` is reused between calls.
    pub(crate) fn match_clause(
        &self,
        doc: Doc<'_>,
        range: Range<usize>,
        scratch: &mut Vec<RawMatch>,
        out: &mut Vec<u32>,
    ) {
        let (tokens, syms) = (doc.tokens, doc.syms);
        scratch.clear();
        for i in range.clone() {
            for (pattern, (entry, role)) in self.patterns.candidates(syms[i], &tokens[i]) {
                if let Some(end) = patterns::match_at(doc, i, range.end, pattern) {
                    scratch.push(RawMatch {
                        entry: *entry,
                        role: *role,
                        tokens: (i as u32, end as u32),
                    });
                }
            }
        }
        if scratch.is_empty() {
            return;
        }
        let start = out.len();
        for m in scratch.iter() {
            let counts = match m.role {
                Role::Include => true,
                Role::Contextual => {
                    let beside =
                        |role| scratch.iter().any(|c| c.entry == m.entry && c.role == role);
                    (!self.needs_context[m.entry as usize] || beside(Role::Context))
                        && !beside(Role::Unless)
                }
                Role::Exclude | Role::Context | Role::Unless => false,
            };
            if !counts {
                continue;
            }
            let cancelled = scratch.iter().any(|x| {
                x.entry == m.entry
                    && x.role == Role::Exclude
                    && (x.tokens.0 <= m.tokens.0 && m.tokens.1 <= x.tokens.1
                        || !scratch.iter().any(|y| {
                            y.entry == x.entry
                                && matches!(y.role, Role::Include | Role::Contextual)
                                && y.tokens.0 < x.tokens.1
                                && x.tokens.0 < y.tokens.1
                        }))
            });
            if !cancelled {
                out.push(m.entry);
            }
        }
        out[start..].sort_unstable();
        let mut kept = start;
        for k in start..out.len() {
            if k == start || out[k] != out[kept - 1] {
                out[kept] = out[k];
                kept += 1;
            }
        }
        out.truncate(kept);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_codebooks_are_clean() {
        for (text, name) in [
            (BUILTIN_TOUCHPOINTS, "touchpoints"),
            (BUILTIN_THEMES, "themes"),
        ] {
            let report = check(text, Path::new(name));
            assert!(report.codebook.is_some(), "{name}");
            assert_eq!(report.findings, [], "{name}");
        }
    }

    #[test]
    fn touchpoints_are_in_journey_order() {
        let ids: Vec<String> = Codebook::builtin_touchpoints()
            .ids()
            .map(str::to_owned)
            .collect();
        assert_eq!(
            ids,
            [
                "access",
                "travel",
                "arrival",
                "waiting",
                "assessment",
                "treatment",
                "information",
                "medication",
                "stay",
                "discharge"
            ]
        );
    }
}
