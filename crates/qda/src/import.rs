//! `import-codings`: the codings of a `.qdpx` project (one Chorus exported and a researcher recoded in
//! their tool, or one made elsewhere from the same comments) back into a store as people's labels,
//! written as corrections.
//!
//! **The file is untrusted.** It is read as a zip without ever extracting it: no name inside it becomes a
//! path on disk, an entry whose name points outside the archive (`../x`, `/etc/x`, `C:\x`) makes the
//! whole file refused, and every entry is read through a cap (declared sizes can lie), with a budget for
//! the file as a whole. `project.qde` is parsed as a stream; malformed XML is an error naming the file and
//! the byte.
//!
//! **Matching.** A selection whose GUID is a comment's (as [`crate::comment_guid`] derives it) is that
//! comment; a selection inside it in the same source (a clause, or a passage a researcher selected) is
//! part of it. Any other coded selection is matched by text: the paragraph holding it, the whole source,
//! or the selected text, equal after normalising whitespace and case to the text of exactly one stored
//! comment; two comments or none leave it unmatched, with that reason.
//!
//! **Codes** map by their place in the tree the export writes ([`crate::codes`]): `Touchpoints / …` by a
//! touchpoint's label or id, `Themes / …` to codebook themes, `Framework / [category /] …` to model
//! themes, `Discovered / …`, `Sentiment / …`; a code the catalog does not list is still known when its
//! GUID is the one Chorus gives that name. Anything else is an unknown code, counted by name.
//!
//! **Reconciling.** For each comment the file covers, the labels it codes are compared with the labels
//! the file was made from: the reviewer user's codings (corrected labels) when the file has them for the
//! comment, else the machine user's (the raw annotations, as the export writes them), else the comment's
//! labels now. A label coded and not there before is an addition; one there before and no longer coded a
//! removal (only for the families of codes the file's code book has: a project without touchpoints
//! removes none); a change in the sentiment codes sets the sentiment. A change the store's labels already
//! carry writes nothing, so importing an unchanged export writes no correction.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

use chorus_core::corrections::{
    CommentKey, CommentLabel, Correction, CorrectionAction, Corrections,
};
use chorus_core::keys::stable_hash;
use chorus_core::{Annotations, Comment, SentimentLabel, ThemeCatalog};
use chorus_index::Store;
use quick_xml::events::{BytesStart, Event};

use crate::Error;
use crate::codes::{Kind, code_guid};
use crate::guid::Guid;
use crate::labels::{self, Labels, fold, theme_source};
use crate::project::{chorus_user, comment_guid, reviewer_user};

/// Comments read from the store at a time.
const BATCH: usize = 4096;

/// How to import.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    /// Who made the codings, for the corrections (default: the project's user).
    pub reviewer: Option<String>,
    /// When, as written in each correction (`chorus_core::corrections::utc_timestamp`).
    pub time: String,
    /// Say what would change, write nothing.
    pub dry_run: bool,
    /// The most the zip may unzip to, all entries read together (a zip bomb is refused).
    pub max_unzipped: u64,
}

/// What an import found and did: the reconciliation printed for the user.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Text selections read.
    pub selections: u64,
    /// Codings read.
    pub codings: u64,
    /// Comments matched by the GUIDs Chorus gave them.
    pub matched_by_guid: u64,
    /// Comments matched by their text.
    pub matched_by_text: u64,
    /// Labels the file adds.
    pub added: u64,
    /// Labels the file removes.
    pub removed: u64,
    /// Sentiments the file changes.
    pub sentiment_set: u64,
    /// Labels the file codes as the store has them.
    pub unchanged: u64,
    /// Coded selections matched to no comment, by reason.
    pub unmatched: BTreeMap<String, u64>,
    /// Codings with a code Chorus does not know, by the code's name.
    pub unknown_codes: BTreeMap<String, u64>,
    /// The corrections written (or, with `dry_run`, that would be).
    pub corrections: Vec<Correction>,
    /// The reviewer named in the corrections.
    pub reviewer: Option<String>,
}

impl ImportSummary {
    /// Whether anything of the file was set aside (unmatched selections or unknown codes).
    pub fn set_aside(&self) -> bool {
        !self.unmatched.is_empty() || !self.unknown_codes.is_empty()
    }
}

/// Imports the codings of the `.qdpx` at `path` into `store` as corrections (see the module's
/// documentation). Nothing is written outside the store, and nothing at all with `dry_run`.
pub fn import_codings(
    store: &Store,
    path: &Path,
    options: &ImportOptions,
) -> Result<ImportSummary, Error> {
    let mut zip = Zip::open(path, options.max_unzipped)?;
    let project = zip.project()?;
    let catalog = store.catalog()?.unwrap_or_default();
    let codes = resolve_codes(&project, &catalog);
    let mut summary = ImportSummary {
        reviewer: options
            .reviewer
            .clone()
            .or_else(|| project_reviewer(&project)),
        ..ImportSummary::default()
    };
    let known = StoreIndex::read(store)?;
    let coded = match_selections(&project, &codes, &known, &mut zip, &mut summary)?;
    let corrections = store.corrections()?;
    let families: BTreeSet<Kind> = codes
        .values()
        .filter_map(|c| match c {
            Resolved::Label(kind, _) => Some(*kind),
            _ => None,
        })
        .collect();
    let seqs: Vec<u64> = coded.keys().copied().collect();
    store.for_each_comment_of(&seqs, BATCH, |batch| {
        for (seq, c) in &batch {
            let file = &coded[seq];
            if file.by_text {
                summary.matched_by_text += 1;
            } else {
                summary.matched_by_guid += 1;
            }
            reconcile(
                c,
                file,
                &codes,
                &families,
                &corrections,
                options,
                &mut summary,
            );
        }
        Ok::<(), Error>(())
    })?;
    if !options.dry_run && !summary.corrections.is_empty() {
        store.add_corrections(&summary.corrections)?;
    }
    Ok(summary)
}

/// The name of the project's person: its first user who is neither Chorus nor Chorus's reviewer, else
/// Chorus's reviewer (an export of corrections coming back unchanged).
fn project_reviewer(project: &Project) -> Option<String> {
    let named = |g: &Guid| project.users.iter().find(|(u, _)| u == g);
    project
        .users
        .iter()
        .find(|(g, name)| *g != chorus_user() && *g != reviewer_user() && !name.trim().is_empty())
        .or_else(|| named(&reviewer_user()))
        .map(|(_, name)| name.trim().to_owned())
}

// ---------------------------------------------------------------------------------------------------
// The zip, read with caps.

/// The file's name inside the zip.
const PROJECT_QDE: &str = "project.qde";

/// A `.qdpx` opened for reading, with its entries by name and what is left of its unzip budget.
struct Zip {
    path: PathBuf,
    archive: zip::ZipArchive<BufReader<File>>,
    /// `sources/NAME` or `Sources/NAME` (any case of the folder): NAME → entry.
    sources: HashMap<String, usize>,
    project: Option<usize>,
    budget: u64,
}

impl Zip {
    fn open(path: &Path, budget: u64) -> Result<Zip, Error> {
        let bad = |reason: String| Error::Read {
            path: path.to_owned(),
            reason,
        };
        let file = File::open(path).map_err(|e| bad(format!("cannot open it: {e}")))?;
        let mut archive = zip::ZipArchive::new(BufReader::new(file))
            .map_err(|e| bad(format!("not a .qdpx project (a zip): {e}")))?;
        let mut sources = HashMap::new();
        let mut project = None;
        for i in 0..archive.len() {
            let entry = archive
                .by_index_raw(i)
                .map_err(|e| bad(format!("entry {} cannot be read: {e}", i + 1)))?;
            let name = entry
                .name()
                .map_err(|e| bad(format!("entry {} has no readable name: {e}", i + 1)))?
                .into_owned();
            if entry.enclosed_name().is_none() || name.contains('\\') || name.contains(':') {
                return Err(bad(format!(
                    "it holds an entry named {name:?}, which points outside the project: a .qdpx \
                     from a QDA tool never does; the file was not read"
                )));
            }
            if name == PROJECT_QDE {
                project = Some(i);
            } else if name.len() > 8 && name[..8].eq_ignore_ascii_case("sources/") {
                sources.insert(name[8..].to_owned(), i);
            }
        }
        Ok(Zip {
            path: path.to_owned(),
            archive,
            sources,
            project,
            budget,
        })
    }

    fn bad(&self, reason: String) -> Error {
        Error::Read {
            path: self.path.clone(),
            reason,
        }
    }

    /// Parses `project.qde`, streamed through the budget.
    fn project(&mut self) -> Result<Project, Error> {
        let Some(index) = self.project else {
            return Err(self.bad(format!(
                "no {PROJECT_QDE} in it: is it a REFI-QDA project (.qdpx)?"
            )));
        };
        let budget = self.budget;
        let path = self.path.clone();
        let bad = |reason: String| Error::Read {
            path: path.clone(),
            reason,
        };
        let entry = self
            .archive
            .by_index(index)
            .map_err(|e| bad(format!("{PROJECT_QDE} cannot be unzipped: {e}")))?;
        if entry.size() > budget {
            return Err(bad(too_big(PROJECT_QDE, budget)));
        }
        let mut capped = Capped {
            inner: entry,
            left: budget,
        };
        let parsed = parse_project(BufReader::new(&mut capped));
        let left = capped.left;
        let project = parsed.map_err(|reason| {
            if left == 0 {
                bad(too_big(PROJECT_QDE, budget))
            } else {
                bad(format!("{PROJECT_QDE}: {reason}"))
            }
        })?;
        self.budget = left;
        Ok(project)
    }

    /// The text of a source whose `plainTextPath` is `internal://NAME`, from `sources/NAME`.
    fn source_text(&mut self, plain_text_path: &str) -> Result<String, String> {
        let Some(name) = plain_text_path.strip_prefix("internal://") else {
            return Err("its source's text is outside the project file".to_owned());
        };
        let Some(&index) = self.sources.get(name) else {
            return Err("its source's text is missing from the project file".to_owned());
        };
        let budget = self.budget;
        let entry = self
            .archive
            .by_index(index)
            .map_err(|e| format!("its source's text cannot be unzipped: {e}"))?;
        let label = format!("sources/{name}");
        if entry.size() > budget {
            return Err(too_big(&label, budget));
        }
        let mut bytes = Vec::new();
        let read = entry.take(budget + 1).read_to_end(&mut bytes);
        read.map_err(|e| format!("its source's text cannot be unzipped: {e}"))?;
        if bytes.len() as u64 > budget {
            return Err(too_big(&label, budget));
        }
        self.budget -= bytes.len() as u64;
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        String::from_utf8(bytes.to_vec())
            .map_err(|_| "its source's text is not UTF-8, as REFI-QDA requires".to_owned())
    }
}

fn too_big(entry: &str, budget: u64) -> String {
    format!(
        "{entry} unzips to more than {budget} bytes (with what was read before it): refused as a zip \
         bomb; raise --max-unzipped if the project is really that large"
    )
}

/// A reader that fails once more than `left` bytes have come through it.
struct Capped<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > self.left {
            self.left = 0;
            return Err(io::Error::other("over the unzip budget"));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

// ---------------------------------------------------------------------------------------------------
// project.qde: the parts an import needs.

/// What an import needs of `project.qde`.
#[derive(Debug, Default)]
struct Project {
    users: Vec<(Guid, String)>,
    /// Every code, by GUID: its names from the top of the tree down.
    codes: HashMap<Guid, Vec<String>>,
    sources: Vec<Source>,
}

/// A text source.
#[derive(Debug, Default)]
struct Source {
    plain_text_path: Option<String>,
    /// `<PlainTextContent>`, when the text is in the project file itself.
    content: Option<String>,
    selections: Vec<Selection>,
}

/// A text selection and its codings.
#[derive(Debug, Default)]
struct Selection {
    guid: Option<Guid>,
    start: usize,
    end: usize,
    user: Option<Guid>,
    /// (code, the coding's user).
    codings: Vec<(Option<Guid>, Option<Guid>)>,
}

/// The attributes of a tag, by local name.
fn attributes(tag: &BytesStart<'_>) -> Result<HashMap<String, String>, String> {
    let mut out = HashMap::new();
    for a in tag.attributes() {
        let a = a.map_err(|e| format!("a bad attribute: {e}"))?;
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| format!("a bad attribute value: {e}"))?
            .into_owned();
        let key = a.key.local_name().as_ref().to_owned();
        out.insert(key, value);
    }
    Ok(out)
}

fn guid_of(attrs: &HashMap<String, String>, name: &str) -> Option<Guid> {
    attrs.get(name).and_then(|g| Guid::parse(g))
}

/// Parses the parts of `project.qde` an import needs; the error says what and at which byte.
fn parse_project<R: io::BufRead>(input: R) -> Result<Project, String> {
    let mut reader = quick_xml::Reader::from_reader(input);
    let mut project = Project::default();
    let mut buf = Vec::new();
    // Names of the open <Code>s, and whether each had a GUID (an unnamed code still nests).
    let mut code_path: Vec<String> = Vec::new();
    let mut source: Option<Source> = None;
    let mut selection: Option<Selection> = None;
    let mut coding_user: Option<Option<Guid>> = None;
    let mut in_content = false;
    loop {
        buf.clear();
        let at = reader.buffer_position();
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| format!("not well-formed XML at byte {at}: {e}"))?;
        let empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(ref tag) | Event::Empty(ref tag) => {
                let attrs = || attributes(tag).map_err(|e| format!("{e} at byte {at}"));
                match tag.local_name().as_ref() {
                    "User" => {
                        let a = attrs()?;
                        if let Some(guid) = guid_of(&a, "guid") {
                            let name = a.get("name").cloned().unwrap_or_default();
                            project.users.push((guid, name));
                        }
                    }
                    "Code" => {
                        let a = attrs()?;
                        code_path.push(a.get("name").cloned().unwrap_or_default());
                        if let Some(guid) = guid_of(&a, "guid") {
                            project.codes.insert(guid, code_path.clone());
                        }
                        if empty {
                            code_path.pop();
                        }
                    }
                    "TextSource" if !empty => {
                        let a = attrs()?;
                        source = Some(Source {
                            plain_text_path: a.get("plainTextPath").cloned(),
                            ..Source::default()
                        });
                    }
                    "PlainTextContent" if !empty && source.is_some() => in_content = true,
                    "PlainTextSelection" if source.is_some() => {
                        let a = attrs()?;
                        let position = |name: &str| {
                            a.get(name)
                                .and_then(|v| v.trim().parse::<usize>().ok())
                                .ok_or_else(|| {
                                    format!("a <PlainTextSelection> without a {name} at byte {at}")
                                })
                        };
                        let s = Selection {
                            guid: guid_of(&a, "guid"),
                            start: position("startPosition")?,
                            end: position("endPosition")?,
                            user: guid_of(&a, "creatingUser"),
                            codings: Vec::new(),
                        };
                        match empty {
                            true => push_selection(&mut source, s),
                            false => selection = Some(s),
                        }
                    }
                    "Coding" if selection.is_some() => {
                        let user = guid_of(&attrs()?, "creatingUser");
                        coding_user = (!empty).then_some(user);
                    }
                    "CodeRef" => {
                        if let (Some(user), Some(s)) = (coding_user, selection.as_mut()) {
                            s.codings.push((guid_of(&attrs()?, "targetGUID"), user));
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) if in_content => {
                if let Some(s) = source.as_mut() {
                    s.content
                        .get_or_insert_with(String::new)
                        .push_str(&t.xml10_content());
                }
            }
            Event::CData(t) if in_content => {
                if let Some(s) = source.as_mut() {
                    let text = t.xml10_content();
                    s.content.get_or_insert_with(String::new).push_str(&text);
                }
            }
            Event::GeneralRef(r) if in_content => {
                if let (Some(c), Some(s)) = (crate::xml::reference_char(&r), source.as_mut()) {
                    s.content.get_or_insert_with(String::new).push(c);
                }
            }
            Event::End(tag) => match tag.local_name().as_ref() {
                "Code" => {
                    code_path.pop();
                }
                "TextSource" => project.sources.extend(source.take()),
                "PlainTextContent" => in_content = false,
                "PlainTextSelection" => {
                    if let Some(s) = selection.take() {
                        push_selection(&mut source, s);
                    }
                }
                "Coding" => coding_user = None,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    if source.is_some() || !code_path.is_empty() {
        return Err("it ends before its elements are closed (a cut file?)".to_owned());
    }
    Ok(project)
}

fn push_selection(source: &mut Option<Source>, s: Selection) {
    if let Some(source) = source.as_mut() {
        source.selections.push(s);
    }
}

// ---------------------------------------------------------------------------------------------------
// Codes.

/// What a code of the file is to Chorus.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Resolved {
    /// A label: kind and name (a touchpoint's id, a theme's name, a sentiment).
    Label(Kind, String),
    /// Not one Chorus knows: its path, for the report.
    Unknown(String),
}

/// Maps every code of the file (see the module's documentation).
fn resolve_codes(project: &Project, catalog: &ThemeCatalog) -> HashMap<Guid, Resolved> {
    let builtin = Builtin {
        touchpoints: chorus_themes::Codebook::builtin_touchpoints().entries,
        themes: chorus_themes::Codebook::builtin_themes().entries,
    };
    project
        .codes
        .iter()
        .map(|(guid, path)| (*guid, resolve(*guid, path, catalog, &builtin)))
        .collect()
}

/// The built-in codebooks, for a store not themed yet (it has no catalog).
struct Builtin {
    touchpoints: Vec<chorus_themes::CodebookEntry>,
    themes: Vec<chorus_themes::CodebookEntry>,
}

/// An entry of a built-in codebook by label or id, or by the GUID Chorus gives `kind`'s code of `key`
/// (a touchpoint's code is named by its label, its GUID made from its id); its key (`id` for
/// touchpoints, the label for themes).
fn builtin_entry(
    entries: &[chorus_themes::CodebookEntry],
    kind: Kind,
    guid: Guid,
    folded: &str,
) -> Option<(Kind, String)> {
    entries
        .iter()
        .find(|t| {
            fold(&t.label) == folded || fold(&t.id) == folded || code_guid(kind, &t.id) == guid
        })
        .map(|t| match kind {
            Kind::Touchpoint => (kind, t.id.clone()),
            _ => (kind, t.label.clone()),
        })
}

fn resolve(guid: Guid, path: &[String], catalog: &ThemeCatalog, builtin: &Builtin) -> Resolved {
    let unknown = || Resolved::Unknown(path.join(" / "));
    let (Some(group), Some(leaf)) = (path.first(), path.last()) else {
        return unknown();
    };
    if path.len() < 2 {
        return unknown();
    }
    let leaf_folded = fold(leaf);
    let ours = |kind: Kind| guid == code_guid(kind, leaf);
    let found = match (fold(group).as_str(), path.len()) {
        ("touchpoints", 2) => catalog
            .touchpoints
            .iter()
            .find(|t| fold(&t.label) == leaf_folded || fold(&t.id) == leaf_folded)
            .map(|t| (Kind::Touchpoint, t.id.clone()))
            .or_else(|| builtin_entry(&builtin.touchpoints, Kind::Touchpoint, guid, &leaf_folded))
            .or_else(|| ours(Kind::Touchpoint).then(|| (Kind::Touchpoint, leaf.clone()))),
        ("themes", 2) => catalog_theme(catalog, Kind::Theme, &leaf_folded)
            .or_else(|| builtin_entry(&builtin.themes, Kind::Theme, guid, &leaf_folded))
            .or_else(|| ours(Kind::Theme).then(|| (Kind::Theme, leaf.clone()))),
        // Framework / category / theme (the v7 crosswalk's names), or a theme with no category.
        ("framework", 2 | 3) => catalog_theme(catalog, Kind::Framework, &leaf_folded)
            .or_else(|| ours(Kind::Framework).then(|| (Kind::Framework, leaf.clone()))),
        ("discovered", 2) => catalog
            .discovered
            .iter()
            .find(|d| fold(&d.label) == leaf_folded)
            .map(|d| (Kind::Discovered, d.label.clone()))
            .or_else(|| catalog_theme(catalog, Kind::Discovered, &leaf_folded))
            .or_else(|| ours(Kind::Discovered).then(|| (Kind::Discovered, leaf.clone()))),
        ("sentiment", 2) => SentimentLabel::ALL
            .into_iter()
            .find(|l| l.as_str() == leaf_folded)
            .map(|l| (Kind::Sentiment, l.as_str().to_owned())),
        _ => None,
    };
    found.map_or_else(unknown, |(kind, name)| Resolved::Label(kind, name))
}

/// A theme of the catalog from the source `kind` stands for, by label or id.
fn catalog_theme(catalog: &ThemeCatalog, kind: Kind, folded: &str) -> Option<(Kind, String)> {
    let source = theme_source(kind)?;
    catalog
        .themes
        .iter()
        .filter(|t| t.source == source)
        .find(|t| fold(&t.label) == folded || fold(&t.id) == folded)
        .map(|t| (kind, t.label.clone()))
}

// ---------------------------------------------------------------------------------------------------
// The store's comments, to match selections against.

/// Comments' GUIDs, and their texts (hashed, normalised) for matching by text.
struct StoreIndex {
    by_guid: HashMap<Guid, u64>,
    /// Hash of the normalised text → (a comment with it, how many have it).
    by_text: HashMap<u64, (u64, u32)>,
}

impl StoreIndex {
    fn read(store: &Store) -> Result<StoreIndex, Error> {
        let mut index = StoreIndex {
            by_guid: HashMap::new(),
            by_text: HashMap::new(),
        };
        store.for_each_comment(BATCH, |batch| {
            for (seq, c) in &batch {
                if c.no_comment || c.text.trim().is_empty() {
                    continue;
                }
                index.by_guid.insert(comment_guid(c), *seq);
                let entry = index.by_text.entry(text_hash(&c.text)).or_insert((*seq, 0));
                entry.1 += 1;
            }
            Ok::<(), Error>(())
        })?;
        Ok(index)
    }

    /// The one comment whose text is `text`, or why not.
    fn by_text(&self, text: &str) -> Result<u64, String> {
        if text.trim().is_empty() {
            return Err("it selects no text".to_owned());
        }
        match self.by_text.get(&text_hash(text)) {
            Some((seq, 1)) => Ok(*seq),
            Some((_, n)) => Err(format!("its text is the text of {n} comments (ambiguous)")),
            None => Err("no comment of the store has its text".to_owned()),
        }
    }
}

/// The hash of a text with its whitespace (and control characters) collapsed and its case folded.
fn text_hash(text: &str) -> u64 {
    let mut normal = String::with_capacity(text.len());
    for word in text.split(|c: char| c.is_whitespace() || c.is_control()) {
        if !word.is_empty() {
            if !normal.is_empty() {
                normal.push(' ');
            }
            normal.push_str(&word.to_lowercase());
        }
    }
    stable_hash(&[normal.as_bytes()])
}

// ---------------------------------------------------------------------------------------------------
// Selections to comments.

/// The codings the file has for one comment.
#[derive(Debug, Default)]
struct Coded {
    /// On the comment's own selection: (code, user).
    whole: Vec<(Guid, Option<Guid>)>,
    /// On selections inside it (clauses, passages).
    inner: Vec<(Guid, Option<Guid>)>,
    /// Matched by text, not by GUID.
    by_text: bool,
}

/// Assigns every selection to its comment (or counts it unmatched), and counts codings and unknown
/// codes.
fn match_selections(
    project: &Project,
    codes: &HashMap<Guid, Resolved>,
    known: &StoreIndex,
    zip: &mut Zip,
    summary: &mut ImportSummary,
) -> Result<BTreeMap<u64, Coded>, Error> {
    let mut coded: BTreeMap<u64, Coded> = BTreeMap::new();
    for source in &project.sources {
        // The comments' own selections in this source, by position.
        let mut anchors: Vec<(usize, usize, u64)> = source
            .selections
            .iter()
            .filter_map(|s| {
                let seq = known.by_guid.get(&s.guid?)?;
                Some((s.start, s.end, *seq))
            })
            .collect();
        anchors.sort_unstable();
        let mut text: Option<Result<SourceText, String>> = None;
        for s in &source.selections {
            summary.selections += 1;
            summary.codings += s.codings.len() as u64;
            let codings: Vec<(Guid, Option<Guid>)> = s
                .codings
                .iter()
                .filter_map(|(code, user)| {
                    let name = match code.and_then(|g| codes.get(&g)) {
                        Some(Resolved::Label(..)) => {
                            return Some((code.expect("resolved"), user.or(s.user)));
                        }
                        Some(Resolved::Unknown(name)) => name.clone(),
                        None => "(a coding whose code is not in the code book)".to_owned(),
                    };
                    *summary.unknown_codes.entry(name).or_default() += 1;
                    None
                })
                .collect();
            let (seq, whole, by_text) = match s.guid.and_then(|g| known.by_guid.get(&g)) {
                Some(seq) => (*seq, true, false),
                None => match enclosing(&anchors, s) {
                    Some(seq) => (seq, false, false),
                    None if s.codings.is_empty() => continue,
                    None => {
                        let text = text.get_or_insert_with(|| SourceText::load(source, zip));
                        match text
                            .as_ref()
                            .map_err(Clone::clone)
                            .and_then(|t| t.comment(s, known))
                        {
                            Ok((seq, whole)) => (seq, whole, true),
                            Err(reason) => {
                                *summary.unmatched.entry(reason).or_default() += 1;
                                continue;
                            }
                        }
                    }
                },
            };
            let entry = coded.entry(seq).or_default();
            entry.by_text |= by_text;
            match whole {
                true => entry.whole.extend(codings),
                false => entry.inner.extend(codings),
            }
        }
    }
    Ok(coded)
}

/// The comment whose own selection holds `s`, among a source's comment selections sorted by position
/// (comments are paragraphs: they do not overlap, so the last one starting at or before `s` is the only
/// candidate).
fn enclosing(anchors: &[(usize, usize, u64)], s: &Selection) -> Option<u64> {
    let after = anchors.partition_point(|(start, _, _)| *start <= s.start);
    let (_, end, seq) = anchors.get(after.checked_sub(1)?)?;
    (s.end <= *end).then_some(*seq)
}

/// A source's text as code points, and its paragraphs (runs of lines that are not blank).
struct SourceText {
    chars: Vec<char>,
    paragraphs: Vec<(usize, usize)>,
}

impl SourceText {
    fn load(source: &Source, zip: &mut Zip) -> Result<SourceText, String> {
        let text = match (&source.content, &source.plain_text_path) {
            (Some(content), _) => content.clone(),
            (None, Some(path)) => zip.source_text(path)?,
            (None, None) => return Err("its source has no text".to_owned()),
        };
        let chars: Vec<char> = text.chars().collect();
        let mut paragraphs = Vec::new();
        let mut line_start = 0;
        let mut open: Option<usize> = None;
        for i in 0..=chars.len() {
            if i < chars.len() && chars[i] != '\n' {
                continue;
            }
            let blank = chars[line_start..i].iter().all(|c| c.is_whitespace());
            match (blank, open) {
                (true, Some(from)) => {
                    paragraphs.push((from, line_start.saturating_sub(1)));
                    open = None;
                }
                (false, None) => open = Some(line_start),
                _ => {}
            }
            line_start = i + 1;
        }
        if let Some(from) = open {
            paragraphs.push((from, chars.len()));
        }
        Ok(SourceText { chars, paragraphs })
    }

    fn slice(&self, from: usize, to: usize) -> String {
        self.chars[from..to].iter().collect()
    }

    /// The comment a selection is on, and whether it selects the whole comment; or why none.
    fn comment(&self, s: &Selection, known: &StoreIndex) -> Result<(u64, bool), String> {
        if s.start >= s.end || s.end > self.chars.len() {
            return Err("its positions are outside its source's text".to_owned());
        }
        let selected = self.slice(s.start, s.end);
        let paragraph = self
            .paragraphs
            .iter()
            .find(|(from, to)| *from <= s.start && s.end <= *to)
            .map(|(from, to)| self.slice(*from, *to));
        let whole = self.slice(0, self.chars.len());
        let mut first_reason = None;
        for candidate in paragraph.iter().chain([&whole, &selected]) {
            match known.by_text(candidate) {
                Ok(seq) => return Ok((seq, text_hash(candidate) == text_hash(&selected))),
                Err(reason) => {
                    // "Ambiguous" says more than "not found".
                    if first_reason.is_none() || reason.contains("ambiguous") {
                        first_reason.get_or_insert(reason);
                    }
                }
            }
        }
        Err(first_reason.unwrap_or_else(|| "no comment of the store has its text".to_owned()))
    }
}

// ---------------------------------------------------------------------------------------------------
// Reconciling one comment.

/// Compares what the file codes for comment `c` with what it was made from, and records the changes as
/// corrections in `summary`.
fn reconcile(
    c: &Comment,
    file: &Coded,
    codes: &HashMap<Guid, Resolved>,
    families: &BTreeSet<Kind>,
    corrections: &Corrections,
    options: &ImportOptions,
    summary: &mut ImportSummary,
) {
    let machine = Some(chorus_user());
    let reviewer = Some(reviewer_user());
    let all = || file.whole.iter().chain(&file.inner);
    let reviewed = all().any(|(_, u)| *u == reviewer);
    let by_machine = all().any(|(_, u)| *u == machine);
    // With a reviewer's codings, the machine's are the old view: left out.
    let counts = |user: &Option<Guid>| !(reviewed && *user == machine);
    let mut coded = Labels::default();
    let mut whole_sentiment = Labels::default();
    let mut inner_sentiment = Labels::default();
    for (place, list) in [(true, &file.whole), (false, &file.inner)] {
        for (code, _) in list.iter().filter(|(_, u)| counts(u)) {
            let Some(Resolved::Label(kind, name)) = codes.get(code) else {
                continue;
            };
            match (kind, place) {
                (Kind::Sentiment, true) => whole_sentiment.add(*kind, name),
                (Kind::Sentiment, false) => inner_sentiment.add(*kind, name),
                _ => coded.add(*kind, name),
            }
        }
    }
    // The comment's sentiment is coded on the comment; on its passages only if not there.
    coded.sentiment = match whole_sentiment.sentiment.is_empty() {
        true => inner_sentiment.sentiment,
        false => whole_sentiment.sentiment,
    };
    let key = CommentKey(c.identity_key());
    let mut now = c.annotations.clone();
    corrections.apply(key, c.score, &mut now);
    let current = now.as_ref().map(labels::reviewed).unwrap_or_default();
    let base = if reviewed {
        current.clone()
    } else if by_machine {
        c.annotations
            .as_ref()
            .map(|a| labels::machine(a, &c.text))
            .unwrap_or_default()
    } else {
        current.clone()
    };
    let mut push = |action: CorrectionAction| {
        summary.corrections.push(Correction {
            time: options.time.clone(),
            reviewer: summary.reviewer.clone(),
            key,
            comment: Some(CommentLabel {
                id: c.id.to_string(),
                question: c.question.to_string(),
            }),
            action,
        });
    };
    let mut changes = Vec::new();
    for (label, name) in &coded.names {
        if base.names.contains_key(label) || current.names.contains_key(label) {
            summary.unchanged += 1;
        } else {
            changes.push(add(label.0, name));
        }
    }
    for (label, name) in &base.names {
        if !coded.names.contains_key(label)
            && families.contains(&label.0)
            && current.names.contains_key(label)
        {
            changes.push(remove(label.0, name));
        }
    }
    for action in changes {
        match &action {
            CorrectionAction::AddTheme { .. } | CorrectionAction::AddTouchpoint { .. } => {
                summary.added += 1
            }
            _ => summary.removed += 1,
        }
        push(action);
    }
    if let Some(sentiment) = labels::overall(&coded.sentiment) {
        let now_label = now.as_ref().map(|a: &Annotations| a.sentiment.label);
        if coded.sentiment != base.sentiment && now_label != Some(sentiment) {
            summary.sentiment_set += 1;
            push(CorrectionAction::SetSentiment { sentiment });
        } else {
            summary.unchanged += 1;
        }
    }
}

fn add(kind: Kind, name: &str) -> CorrectionAction {
    match theme_source(kind) {
        Some(source) => CorrectionAction::AddTheme {
            theme: name.to_owned(),
            source,
        },
        None => CorrectionAction::AddTouchpoint {
            touchpoint: name.to_owned(),
        },
    }
}

fn remove(kind: Kind, name: &str) -> CorrectionAction {
    match theme_source(kind) {
        Some(source) => CorrectionAction::RemoveTheme {
            theme: name.to_owned(),
            source,
        },
        None => CorrectionAction::RemoveTouchpoint {
            touchpoint: name.to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chorus_core::{CatalogEntry, Direction, ThemeSource};

    fn parse(qde: &str) -> Result<Project, String> {
        parse_project(qde.as_bytes())
    }

    #[test]
    fn a_project_gives_its_users_codes_sources_and_codings() {
        let qde = r#"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="p">
 <Users><User guid="11111111-1111-4111-8111-111111111111" name="Ann"/></Users>
 <CodeBook><Codes>
  <Code guid="aaaaaaa1-0000-4000-8000-000000000000" name="Framework" isCodable="false">
   <Code guid="aaaaaaa2-0000-4000-8000-000000000000" name="Staff" isCodable="false">
    <Code guid="aaaaaaa3-0000-4000-8000-000000000000" name="Staff attitude &amp; kindness"/>
   </Code>
  </Code>
 </Codes></CodeBook>
 <Sources><TextSource guid="bbbbbbbb-0000-4000-8000-000000000000" name="s">
  <PlainTextContent>Fish &amp; chips&#10;</PlainTextContent>
  <PlainTextSelection guid="cccccccc-0000-4000-8000-000000000000" startPosition="0" endPosition="4" creatingUser="11111111-1111-4111-8111-111111111111">
   <Description>x</Description>
   <Coding guid="dddddddd-0000-4000-8000-000000000000"><CodeRef targetGUID="aaaaaaa3-0000-4000-8000-000000000000"/></Coding>
  </PlainTextSelection>
 </TextSource></Sources>
</Project>"#;
        let p = parse(qde).expect("a project");
        assert_eq!(p.users[0].1, "Ann");
        let code = Guid::parse("aaaaaaa3-0000-4000-8000-000000000000").expect("a guid");
        assert_eq!(
            p.codes[&code],
            ["Framework", "Staff", "Staff attitude & kindness"]
        );
        let source = &p.sources[0];
        assert_eq!(source.content.as_deref(), Some("Fish & chips\n"));
        let s = &source.selections[0];
        assert_eq!((s.start, s.end, s.codings.len()), (0, 4, 1));
        assert_eq!(s.codings[0], (Some(code), None));

        // The crosswalk's category sits between Framework and the model's theme.
        let catalog = ThemeCatalog {
            themes: vec![CatalogEntry {
                id: "Staff attitude & kindness".into(),
                label: "Staff attitude & kindness".into(),
                source: ThemeSource::Model,
                description: String::new(),
                direction: Direction::Neutral,
                category: Some("Staff".into()),
            }],
            ..ThemeCatalog::default()
        };
        let resolved = resolve_codes(&p, &catalog);
        assert_eq!(
            resolved[&code],
            Resolved::Label(Kind::Framework, "Staff attitude & kindness".into())
        );
        let group = Guid::parse("aaaaaaa2-0000-4000-8000-000000000000").expect("a guid");
        assert_eq!(
            resolved[&group],
            Resolved::Unknown("Framework / Staff".into())
        );
    }

    #[test]
    fn malformed_and_cut_projects_say_where() {
        let error = parse("<Project><Users></Project>").expect_err("malformed");
        assert!(error.contains("not well-formed XML at byte"), "{error}");
        let error = parse("<Project><Sources><TextSource name=\"x\">").expect_err("cut");
        assert!(error.contains("ends before"), "{error}");
        let error = parse(
            "<Project><Sources><TextSource><PlainTextSelection guid=\"x\"/></TextSource></Sources></Project>",
        )
        .expect_err("no positions");
        assert!(error.contains("without a startPosition"), "{error}");
    }

    #[test]
    fn paragraphs_are_runs_of_lines_that_are_not_blank() {
        let source = Source {
            content: Some("one\ntwo\n \nthree\n\n\nfour".into()),
            ..Source::default()
        };
        let dir = tempfile::tempdir().expect("a folder");
        let path = dir.path().join("p.qdpx");
        let file = File::create(&path).expect("a file");
        let mut w = zip::ZipWriter::new(file);
        w.start_file("project.qde", zip::write::SimpleFileOptions::default())
            .expect("an entry");
        w.finish().expect("a zip");
        let mut zip = Zip::open(&path, 1 << 20).expect("opened");
        let text = SourceText::load(&source, &mut zip).expect("a text");
        let paragraphs: Vec<String> = text
            .paragraphs
            .iter()
            .map(|(a, b)| text.slice(*a, *b))
            .collect();
        assert_eq!(paragraphs, ["one\ntwo", "three", "four"]);
    }

    #[test]
    fn a_passage_belongs_to_the_comment_around_it() {
        let anchors = [(0, 10, 1), (12, 20, 2), (22, 30, 3)];
        let at = |start, end| {
            enclosing(
                &anchors,
                &Selection {
                    start,
                    end,
                    ..Selection::default()
                },
            )
        };
        assert_eq!(at(0, 10), Some(1));
        assert_eq!(at(14, 18), Some(2));
        assert_eq!(at(22, 23), Some(3));
        assert_eq!(at(8, 14), None, "across two comments");
        assert_eq!(at(10, 12), None, "between comments");
        assert_eq!(at(25, 40), None, "past the last");
    }

    #[test]
    fn texts_match_whatever_their_spacing_and_case() {
        assert_eq!(text_hash("All  good\n"), text_hash("all good"));
        assert_eq!(text_hash("a\u{7}b"), text_hash("A B"));
        assert_ne!(text_hash("all good"), text_hash("all goods"));
    }
}
