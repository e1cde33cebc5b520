//! A store's selected comments as a REFI-QDA project (`.qdpx`): a zip of `project.qde` and one text
//! source per service and month.
//!
//! **Layout.** Tens of thousands of comments as tens of thousands of sources make a project no tool
//! opens comfortably, and most comments are a line or two; a month of one service is what a researcher
//! reads together. So each service × month is one text source (`Emergency Department 2024-06`), each
//! comment one paragraph of it (comments separated by a blank line, in ingest order), and each comment a
//! named selection (its id) that its respondent's case refers to. The source text holds only what the
//! public wrote, so a tool's word counts and text searches see no metadata; who, when and which score
//! are the case's variables.
//!
//! **Streaming.** The store is read twice, in batches: once to plan (which comment goes to which source,
//! the respondents and attribute names: a few dozen bytes a comment, no text), once in source order to
//! write each source's text straight into the zip and its selections into a temporary file, which is
//! copied into `project.qde` after the code book, variables and cases. No text is held beyond a batch.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, BufWriter, Read, Seek, Write};
use std::sync::Arc;

use chorus_core::corrections::{CommentKey, CorrectionAction, Corrections};
use chorus_core::{Annotations, Comment, FftScore, ThemeCatalog, ThemeSource, YearMonth};
use chorus_index::Store;
use zip::write::SimpleFileOptions;

use crate::Error;
use crate::codes::{self, Code, Kind, Used, code_guid};
use crate::guid::Guid;
use crate::{labels, xml};

/// Comments read from the store at a time.
const BATCH: usize = 4096;
/// Between two comments of a source.
const PARAGRAPH: &str = "\n\n";
/// The folder of the sources inside the zip (the REFI-QDA examples' and QualCoder's spelling).
pub const SOURCES_DIR: &str = "sources";
/// The name of the user who made the machine codings.
pub const CHORUS_USER: &str = "Chorus";
/// The name of the user of people's corrections, when they were made by several reviewers or by no one
/// named (one reviewer gives the user their name).
pub const REVIEWER_USER: &str = "Reviewer";

/// What an export wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProjectSummary {
    /// Comments with text written as paragraphs.
    pub comments: u64,
    /// Blank answers ("no comment") selected but left out: they have no text to code.
    pub blank: u64,
    /// Text sources (service × month).
    pub sources: u64,
    /// Cases (respondents).
    pub cases: u64,
    /// Codings written (the machine's and people's).
    pub codings: u64,
    /// Comments people corrected, whose corrected labels are the reviewer user's codings.
    pub reviewed: u64,
}

/// The user of the machine codings.
pub fn chorus_user() -> Guid {
    Guid::of("user", &[CHORUS_USER])
}

/// The user of people's corrections (the labels after `Corrections::apply`), whatever it is called.
pub fn reviewer_user() -> Guid {
    Guid::of("user", &["Chorus reviewer"])
}

/// Whether a person changed a label of the comment (a quote mark is not a label).
pub(crate) fn corrected(corrections: &Corrections, c: &Comment) -> bool {
    corrections
        .of(CommentKey(c.identity_key()))
        .iter()
        .any(|k| {
            !matches!(
                k.action,
                CorrectionAction::MarkQuote | CorrectionAction::UnmarkQuote
            )
        })
}

/// A comment's annotations after its corrections (a person's label wins).
pub(crate) fn corrected_annotations(corrections: &Corrections, c: &Comment) -> Annotations {
    let mut annotations = c.annotations.clone();
    corrections.apply(CommentKey(c.identity_key()), c.score, &mut annotations);
    annotations.unwrap_or_default()
}

/// The reviewer user's name: the one reviewer who made the corrections, or [`REVIEWER_USER`].
fn reviewer_name(corrections: &Corrections) -> String {
    let mut names = BTreeSet::new();
    for key in corrections.keys() {
        for k in corrections.of(key) {
            names.insert(k.reviewer.as_deref().map(str::trim).unwrap_or(""));
        }
    }
    match names.into_iter().collect::<Vec<_>>().as_slice() {
        [one] if !one.is_empty() => (*one).to_owned(),
        _ => REVIEWER_USER.to_owned(),
    }
}

/// The GUID of a comment's selection (the whole comment), from its identity (organisation, id and
/// question, as `chorus_core::keys::identity_key`: a respondent's answers share an id): how
/// `import-codings` finds it again.
pub fn comment_guid(c: &Comment) -> Guid {
    Guid::of(
        "comment",
        &[c.organisation.as_deref().unwrap_or(""), &c.id, &c.question],
    )
}

/// A comment's selection name: its id and question.
fn comment_name(c: &Comment) -> String {
    format!("{} · {}", c.id, c.question)
}

/// One source: a service and a month.
type SourceKey = (Option<Arc<str>>, Option<YearMonth>);

/// What the first pass learns about a respondent.
struct Respondent {
    name: String,
    service: Option<Arc<str>>,
    organisation: Option<Arc<str>>,
    date: Option<chorus_core::Date>,
    score: FftScore,
    attributes: chorus_core::Attributes,
    questions: BTreeSet<Arc<str>>,
    selections: Vec<Guid>,
}

/// The plan made by the first pass.
#[derive(Default)]
struct Plan {
    sources: BTreeMap<SourceKey, Vec<u64>>,
    respondents: BTreeMap<(Option<Arc<str>>, Arc<str>), Respondent>,
    attributes: BTreeSet<String>,
    used: Used,
    blank: u64,
}

impl Plan {
    fn add(&mut self, seq: u64, c: &Comment) {
        let key = (c.organisation.clone(), Arc::<str>::from(&*c.respondent));
        let respondent = self.respondents.entry(key).or_insert_with(|| Respondent {
            name: c.respondent.to_string(),
            service: c.service.clone(),
            organisation: c.organisation.clone(),
            date: c.date,
            score: FftScore::NotGiven,
            attributes: c.attributes.clone(),
            questions: BTreeSet::new(),
            selections: Vec::new(),
        });
        // The respondent's answer is their first valid one (chorus_core::RespondentAnswer's rule).
        if !respondent.score.is_valid_answer() && c.score.is_valid_answer() {
            respondent.score = c.score;
        }
        for name in c.attributes.names() {
            if !self.attributes.contains(name) {
                self.attributes.insert(name.to_owned());
            }
        }
        if c.no_comment || c.text.is_empty() {
            self.blank += 1;
            return;
        }
        respondent.questions.insert(Arc::from(&*c.question));
        respondent.selections.push(comment_guid(c));
        self.sources
            .entry((c.service.clone(), c.date.map(|d| d.year_month())))
            .or_default()
            .push(seq);
        if let Some(a) = &c.annotations {
            self.use_labels(a);
        }
    }

    /// Notes the codes the labels of `a` need.
    fn use_labels(&mut self, a: &Annotations) {
        for t in &a.touchpoints {
            self.used.0.insert((Kind::Touchpoint, t.id.to_string()));
        }
        for t in &a.themes {
            self.used
                .0
                .insert((labels::theme_kind(t.source), t.name.to_string()));
        }
    }
}

/// A source's display name: service and month (`/` and `\` as `-`, since some tools make file names of
/// it).
fn source_name((service, month): &SourceKey) -> String {
    let service = service.as_deref().unwrap_or("(no service)");
    let month = month.map_or_else(|| "undated".to_owned(), |m| m.to_string());
    format!("{service} {month}").replace(['/', '\\'], "-")
}

fn source_guid((service, month): &SourceKey) -> Guid {
    let month = month.map(|m| m.to_string()).unwrap_or_default();
    Guid::of("source", &[service.as_deref().unwrap_or(""), &month])
}

/// Writes the comments `seqs` of `store` (in ingest order, as `Store::matching` gives them) as a
/// REFI-QDA project into `out`. The same store and selection give the same bytes.
pub fn write_project<W: Write + Seek>(
    store: &Store,
    seqs: &[u64],
    name: &str,
    out: W,
) -> Result<ProjectSummary, Error> {
    let mut plan = Plan::default();
    let corrections = store.corrections()?;
    store.for_each_comment_of(seqs, BATCH, |batch| {
        for (seq, c) in &batch {
            plan.add(*seq, c);
            if corrected(&corrections, c) {
                plan.use_labels(&corrected_annotations(&corrections, c));
            }
        }
        Ok::<(), Error>(())
    })?;
    let catalog = store.catalog()?.unwrap_or_default();
    let code_tree = codes::tree(&catalog, &plan.used);
    let touchpoint_labels: BTreeMap<String, String> = catalog
        .touchpoints
        .iter()
        .map(|t| (t.id.clone(), t.label.clone()))
        .collect();

    let mut zip = zip::ZipWriter::new(out);
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    let mut selections = BufWriter::new(tempfile::tempfile()?);
    let mut summary = ProjectSummary {
        blank: plan.blank,
        sources: plan.sources.len() as u64,
        cases: plan
            .respondents
            .values()
            .filter(|r| !r.selections.is_empty())
            .count() as u64,
        ..ProjectSummary::default()
    };
    let order: Vec<u64> = plan.sources.values().flatten().copied().collect();
    let ends: Vec<(usize, &SourceKey)> = plan
        .sources
        .iter()
        .scan(0, |end, (key, seqs)| {
            *end += seqs.len();
            Some((*end, key))
        })
        .collect();
    let mut writer = SourceWriter {
        zip: &mut zip,
        options,
        selections: &mut selections,
        touchpoint_labels: &touchpoint_labels,
        corrections: &corrections,
        summary: &mut summary,
        chars: 0,
        written: 0,
        source: 0,
        ends: &ends,
    };
    store.for_each_comment_of(&order, BATCH, |batch| {
        for (_, c) in &batch {
            writer.comment(c)?;
        }
        Ok::<(), Error>(())
    })?;
    writer.close_source()?;
    let mut selections = selections.into_inner().map_err(|e| e.into_error())?;
    selections.rewind()?;

    zip.start_file("project.qde", options)?;
    let reviewer = (summary.reviewed > 0).then(|| reviewer_name(&corrections));
    write_head(&mut zip, name, &code_tree, &plan, reviewer.as_deref())?;
    writeln!(zip, "\t<Sources>")?;
    io::copy(&mut (&mut selections).take(u64::MAX), &mut zip)?;
    writeln!(zip, "\t</Sources>")?;
    writeln!(zip, "</Project>")?;
    zip.finish()?;
    Ok(summary)
}

/// The second pass: each source's text into the zip, its selections into the temporary file.
struct SourceWriter<'a, W: Write + Seek> {
    zip: &'a mut zip::ZipWriter<W>,
    options: SimpleFileOptions,
    selections: &'a mut BufWriter<std::fs::File>,
    touchpoint_labels: &'a BTreeMap<String, String>,
    corrections: &'a Corrections,
    summary: &'a mut ProjectSummary,
    /// Code points written to the current source so far.
    chars: usize,
    /// Comments written so far (all sources).
    written: usize,
    /// The current source's index in `ends`.
    source: usize,
    /// For each source, the count of comments written when it ends, and its key.
    ends: &'a [(usize, &'a SourceKey)],
}

impl<W: Write + Seek> SourceWriter<'_, W> {
    fn comment(&mut self, c: &Comment) -> Result<(), Error> {
        if self.written == 0 || self.written == self.ends[self.source].0 {
            if self.written > 0 {
                self.close_source()?;
                self.source += 1;
            }
            self.open_source()?;
        } else {
            self.zip.write_all(PARAGRAPH.as_bytes())?;
            self.chars += PARAGRAPH.chars().count();
        }
        let text = xml::source_text(&c.text);
        self.zip.write_all(text.as_bytes())?;
        let start = self.chars;
        self.chars += text.chars().count();
        self.summary.comments += 1;
        self.written += 1;
        let reviewed =
            corrected(self.corrections, c).then(|| corrected_annotations(self.corrections, c));
        self.summary.reviewed += u64::from(reviewed.is_some());
        self.summary.codings += write_selections(
            self.selections,
            c,
            &text,
            start,
            self.touchpoint_labels,
            reviewed.as_ref(),
        )?;
        Ok(())
    }

    fn open_source(&mut self) -> Result<(), Error> {
        let key = self.ends[self.source].1;
        let guid = source_guid(key);
        self.zip
            .start_file(format!("{SOURCES_DIR}/{guid}.txt"), self.options)?;
        self.chars = 0;
        writeln!(
            self.selections,
            "\t\t<TextSource guid=\"{guid}\" name=\"{}\" plainTextPath=\"internal://{guid}.txt\" creatingUser=\"{}\">",
            xml::attribute(&source_name(key)),
            chorus_user()
        )?;
        Ok(())
    }

    fn close_source(&mut self) -> Result<(), Error> {
        if self.written > 0 {
            writeln!(self.selections, "\t\t</TextSource>")?;
        }
        Ok(())
    }
}

/// One coding of a selection with a code, by Chorus.
fn coding<W: Write>(out: &mut W, selection: Guid, code: Guid) -> io::Result<()> {
    let guid = Guid::of("coding", &[&selection.to_string(), &code.to_string()]);
    writeln!(
        out,
        "\t\t\t\t<Coding guid=\"{guid}\" creatingUser=\"{}\"><CodeRef targetGUID=\"{code}\"/></Coding>",
        chorus_user()
    )
}

/// The reviewer's codings of a corrected comment's selection: its labels after corrections (the
/// reviewed view of [`labels`]). Returns how many.
fn review_codings<W: Write>(
    out: &mut W,
    selection: Guid,
    corrected: &Annotations,
) -> io::Result<u64> {
    let user = reviewer_user();
    let all = labels::reviewed(corrected).all();
    for (kind, name) in &all {
        let code = code_guid(*kind, name);
        let guid = Guid::of(
            "coding",
            &[&selection.to_string(), &code.to_string(), "reviewer"],
        );
        writeln!(
            out,
            "\t\t\t\t<Coding guid=\"{guid}\" creatingUser=\"{user}\"><CodeRef targetGUID=\"{code}\"/></Coding>"
        )?;
    }
    Ok(all.len() as u64)
}

/// The comment's selection (whole comment: its comment-level codes) and one selection per clause (its
/// touchpoints, codebook themes and sentiment). `start` is the comment's first code point in its source.
/// A comment people corrected also has the reviewer's codings, from `reviewed` (its corrected
/// annotations). Returns how many codings were written.
fn write_selections<W: Write>(
    out: &mut W,
    c: &Comment,
    text: &str,
    start: usize,
    touchpoint_labels: &BTreeMap<String, String>,
    reviewed: Option<&Annotations>,
) -> io::Result<u64> {
    let guid = comment_guid(c);
    let name = comment_name(c);
    let end = start + text.chars().count();
    let user = chorus_user();
    writeln!(
        out,
        "\t\t\t<PlainTextSelection guid=\"{guid}\" name=\"{}\" startPosition=\"{start}\" endPosition=\"{end}\" creatingUser=\"{user}\">",
        xml::attribute(&name)
    )?;
    let date = c
        .date
        .map_or_else(|| "undated".to_owned(), |d| d.to_string());
    writeln!(
        out,
        "\t\t\t\t<Description>{} · respondent {} · {date} · {} · {}</Description>",
        xml::text(&c.id),
        xml::text(&c.respondent),
        c.score.label(),
        xml::text(&c.question)
    )?;
    let mut codings = match reviewed {
        Some(corrected) => review_codings(out, guid, corrected)?,
        None => 0,
    };
    let Some(a) = &c.annotations else {
        writeln!(out, "\t\t\t</PlainTextSelection>")?;
        return Ok(codings);
    };
    // Whole-comment codes: the model's and discovery's themes, and any clause-level code no clause
    // carries (so nothing theming found is lost).
    let mut whole: Vec<Guid> = Vec::new();
    for t in &a.themes {
        let in_clause = |n: &Arc<str>| n == &t.name;
        match t.source {
            ThemeSource::Model => whole.push(code_guid(Kind::Framework, &t.name)),
            ThemeSource::Discovered => whole.push(code_guid(Kind::Discovered, &t.name)),
            ThemeSource::Codebook if !a.clauses.iter().any(|k| k.themes.iter().any(in_clause)) => {
                whole.push(code_guid(Kind::Theme, &t.name));
            }
            ThemeSource::Codebook => {}
        }
    }
    for t in &a.touchpoints {
        if !a.clauses.iter().any(|k| k.touchpoints.contains(&t.id)) {
            whole.push(code_guid(Kind::Touchpoint, &t.id));
        }
    }
    // The overall sentiment is the comment's label (what a person corrects); the clauses' sentiments
    // below are detail, and cannot be summed back into it.
    whole.push(code_guid(Kind::Sentiment, a.sentiment.label.as_str()));
    whole.dedup();
    for code in &whole {
        coding(out, guid, *code)?;
        codings += 1;
    }
    writeln!(out, "\t\t\t</PlainTextSelection>")?;
    for clause in &a.clauses {
        let (from, to) = (clause.start as usize, clause.end as usize);
        if from >= to || to > c.text.len() {
            continue;
        }
        let clause_guid = Guid::of(
            "clause",
            &[&guid.to_string(), &from.to_string(), &to.to_string()],
        );
        // Offsets in code points, counted on the comment's own text (the source text has the same
        // characters, one for one).
        let s = start + xml::code_points(&c.text, from);
        let e = start + xml::code_points(&c.text, to);
        let touchpoints: Vec<&str> = clause
            .touchpoints
            .iter()
            .map(|t| touchpoint_labels.get(&**t).map_or(&**t, String::as_str))
            .collect();
        let name = match touchpoints.is_empty() {
            true => format!("{name} · {}", clause.sentiment.as_str()),
            false => format!(
                "{name} · {} · {}",
                clause.sentiment.as_str(),
                touchpoints.join(", ")
            ),
        };
        writeln!(
            out,
            "\t\t\t<PlainTextSelection guid=\"{clause_guid}\" name=\"{}\" startPosition=\"{s}\" endPosition=\"{e}\" creatingUser=\"{user}\">",
            xml::attribute(&name)
        )?;
        for t in &clause.touchpoints {
            coding(out, clause_guid, code_guid(Kind::Touchpoint, t))?;
            codings += 1;
        }
        for t in &clause.themes {
            coding(out, clause_guid, code_guid(Kind::Theme, t))?;
            codings += 1;
        }
        coding(
            out,
            clause_guid,
            code_guid(Kind::Sentiment, clause.sentiment.as_str()),
        )?;
        codings += 1;
        writeln!(out, "\t\t\t</PlainTextSelection>")?;
    }
    Ok(codings)
}

/// The variables of every case: fixed ones, then one per attribute column.
fn variables(plan: &Plan) -> Vec<(Guid, String, &'static str, String)> {
    let fixed = [
        (
            "Service",
            "Text",
            "the service the respondent's answers are about",
        ),
        ("Organisation", "Text", "the trust or site"),
        ("Date", "Date", "the date of the respondent's first answer"),
        (
            "FFT score",
            "Integer",
            "the respondent's FFT answer: 1 very good … 5 very poor, 6 don't know",
        ),
        ("FFT answer", "Text", "the respondent's FFT answer in words"),
        (
            "Questions",
            "Text",
            "the questions the respondent answered, separated by ` | `",
        ),
    ];
    let mut out: Vec<(Guid, String, &'static str, String)> = fixed
        .iter()
        .map(|(name, kind, description)| {
            (
                Guid::of("variable", &[name]),
                (*name).to_owned(),
                *kind,
                (*description).to_owned(),
            )
        })
        .collect();
    for name in &plan.attributes {
        out.push((
            Guid::of("variable", &["attribute", name]),
            name.clone(),
            "Text",
            format!("the export's column {name}"),
        ));
    }
    out
}

/// The project element and everything before the sources: users, code book, variables, cases.
fn write_head<W: Write>(
    out: &mut W,
    name: &str,
    code_tree: &[Code],
    plan: &Plan,
    reviewer: Option<&str>,
) -> io::Result<()> {
    let user = chorus_user();
    writeln!(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>")?;
    writeln!(
        out,
        "<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"{}\" origin=\"Chorus {}\" creatingUserGUID=\"{user}\">",
        xml::attribute(name),
        env!("CARGO_PKG_VERSION")
    )?;
    writeln!(
        out,
        "\t<Users>\n\t\t<User guid=\"{user}\" name=\"{CHORUS_USER}\" id=\"chorus\"/>"
    )?;
    if let Some(reviewer) = reviewer {
        writeln!(
            out,
            "\t\t<User guid=\"{}\" name=\"{}\" id=\"reviewer\"/>",
            reviewer_user(),
            xml::attribute(reviewer)
        )?;
    }
    writeln!(out, "\t</Users>")?;
    writeln!(out, "\t<CodeBook>\n\t\t<Codes>")?;
    codes::write_codes(out, code_tree, 3)?;
    writeln!(out, "\t\t</Codes>\n\t</CodeBook>")?;
    let variables = variables(plan);
    writeln!(out, "\t<Variables>")?;
    for (guid, name, kind, description) in &variables {
        writeln!(
            out,
            "\t\t<Variable guid=\"{guid}\" name=\"{}\" typeOfVariable=\"{kind}\"><Description>{}</Description></Variable>",
            xml::attribute(name),
            xml::text(description)
        )?;
    }
    writeln!(out, "\t</Variables>")?;
    let cases: Vec<&Respondent> = plan
        .respondents
        .values()
        .filter(|r| !r.selections.is_empty())
        .collect();
    if cases.is_empty() {
        return Ok(());
    }
    writeln!(out, "\t<Cases>")?;
    for r in cases {
        write_case(out, r, &variables)?;
    }
    writeln!(out, "\t</Cases>")
}

fn write_case<W: Write>(
    out: &mut W,
    r: &Respondent,
    variables: &[(Guid, String, &'static str, String)],
) -> io::Result<()> {
    let guid = Guid::of("case", &[r.organisation.as_deref().unwrap_or(""), &r.name]);
    writeln!(
        out,
        "\t\t<Case guid=\"{guid}\" name=\"{}\">",
        xml::attribute(&r.name)
    )?;
    let questions: Vec<&str> = r.questions.iter().map(|q| &**q).collect();
    let fixed: [Option<(&str, String)>; 6] = [
        r.service.as_deref().map(|s| ("TextValue", s.to_owned())),
        r.organisation
            .as_deref()
            .map(|s| ("TextValue", s.to_owned())),
        r.date.map(|d| ("DateValue", d.to_string())),
        r.score.code().map(|s| ("IntegerValue", s.to_string())),
        Some(("TextValue", r.score.label().to_owned())),
        Some(("TextValue", questions.join(" | "))),
    ];
    let attributes = variables[fixed.len()..]
        .iter()
        .map(|(_, name, _, _)| r.attributes.get(name).map(|v| ("TextValue", v.to_owned())));
    for ((guid, _, _, _), value) in variables.iter().zip(fixed.into_iter().chain(attributes)) {
        if let Some((element, value)) = value {
            writeln!(
                out,
                "\t\t\t<VariableValue><VariableRef targetGUID=\"{guid}\"/><{element}>{}</{element}></VariableValue>",
                xml::text(&value)
            )?;
        }
    }
    for selection in &r.selections {
        writeln!(out, "\t\t\t<SelectionRef targetGUID=\"{selection}\"/>")?;
    }
    writeln!(out, "\t\t</Case>")
}

/// The catalog's codes as a code tree (for a `.qdc` of a store's themes, or tests).
pub fn catalog_codes(catalog: &ThemeCatalog) -> Vec<Code> {
    codes::tree(catalog, &Used::default())
}
