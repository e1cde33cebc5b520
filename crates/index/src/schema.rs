//! The tantivy schema of a store, and the conversion between a [`Comment`] and an index document.
//!
//! Every comment is one document. What is searchable, filterable and facetable:
//!
//! | field | kind | holds |
//! | --- | --- | --- |
//! | `text` | analyzed with positions, stored | the redacted comment, through `chorus-text`'s analyzer |
//! | `id`, `respondent`, `question`, `source`, `attribute` | lowercase keyword | exact values (`attribute` as `name=value`) |
//! | `service`, `organisation` | lowercase keyword + raw fast column | for filters and facets |
//! | `question_kind`, `score`, `month` | u64, indexed + fast | kind index, FFT code (0 = not given), `yyyymm` |
//! | `date` | i64, indexed + fast | days since 1970-01-01; absent when undated |
//! | `no_comment` | bool, indexed + fast | the respondent left the question blank |
//! | `seq` | u64 fast | ingest order, unique, stable across annotation rewrites |
//! | `key_identity`, `key_content`, `key_respondent` | u64 fast | the three duplicate keys |
//! | `respondent_hash` | u64 fast | organisation + respondent, for distinct respondent counts |
//! | `record` | stored JSON | every other field of the comment, so it round-trips exactly |
//!
//! Annotations are not in the index: they live beside it, keyed by `seq` (the `sidecar` module), so
//! theming never rewrites a document, and the query language's `theme:`, `touchpoint:`, `sentiment:`…
//! clauses read them there (the `annotated` module).

use std::sync::Arc;

use chorus_core::{Attributes, Comment, Date, FftScore, Interner, QuestionKind, SourceRef, keys};
use serde::{Deserialize, Serialize};
use tantivy::TantivyDocument;
use tantivy::schema::{
    FAST, Field, IndexRecordOption, NumericOptions, STORED, Schema, TextFieldIndexing, TextOptions,
    Value,
};

use crate::tokenizer::{LABEL_TOKENIZER, TEXT_TOKENIZER, label_term};

/// Field names, shared by the query parser, filters and collectors.
pub(crate) mod names {
    pub const TEXT: &str = "text";
    pub const ID: &str = "id";
    pub const RESPONDENT: &str = "respondent";
    pub const QUESTION: &str = "question";
    pub const QUESTION_KIND: &str = "question_kind";
    pub const SCORE: &str = "score";
    pub const DATE: &str = "date";
    pub const MONTH: &str = "month";
    pub const SERVICE: &str = "service";
    pub const ORGANISATION: &str = "organisation";
    pub const SOURCE: &str = "source";
    pub const ATTRIBUTE: &str = "attribute";
    pub const NO_COMMENT: &str = "no_comment";
    pub const SEQ: &str = "seq";
    pub const KEY_IDENTITY: &str = "key_identity";
    pub const KEY_CONTENT: &str = "key_content";
    pub const KEY_RESPONDENT: &str = "key_respondent";
    pub const RESPONDENT_HASH: &str = "respondent_hash";
    pub const RECORD: &str = "record";
}

/// The fields of a store's schema.
#[derive(Clone, Debug)]
pub(crate) struct Fields {
    pub text: Field,
    pub id: Field,
    pub respondent: Field,
    pub question: Field,
    pub question_kind: Field,
    pub score: Field,
    pub date: Field,
    pub month: Field,
    pub service: Field,
    pub organisation: Field,
    pub source: Field,
    pub attribute: Field,
    pub no_comment: Field,
    pub seq: Field,
    pub key_identity: Field,
    pub key_content: Field,
    pub key_respondent: Field,
    pub respondent_hash: Field,
    pub record: Field,
}

/// The schema every store uses. Changing it means bumping [`crate::STORE_FORMAT_VERSION`].
pub(crate) fn build_schema() -> Schema {
    use names::*;
    let mut b = Schema::builder();
    let text = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TEXT_TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    b.add_text_field(TEXT, text);
    let label = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(LABEL_TOKENIZER)
            .set_index_option(IndexRecordOption::Basic)
            .set_fieldnorms(false),
    );
    let facet_label = label.clone().set_fast("raw");
    for name in [ID, RESPONDENT, QUESTION, SOURCE, ATTRIBUTE] {
        b.add_text_field(name, label.clone());
    }
    for name in [SERVICE, ORGANISATION] {
        b.add_text_field(name, facet_label.clone());
    }
    let filter_u64 = NumericOptions::default().set_indexed().set_fast();
    for name in [QUESTION_KIND, SCORE, MONTH] {
        b.add_u64_field(name, filter_u64.clone());
    }
    b.add_i64_field(DATE, filter_u64.clone());
    b.add_bool_field(NO_COMMENT, filter_u64.clone());
    for name in [
        SEQ,
        KEY_IDENTITY,
        KEY_CONTENT,
        KEY_RESPONDENT,
        RESPONDENT_HASH,
    ] {
        b.add_u64_field(name, FAST);
    }
    b.add_text_field(RECORD, STORED);
    b.build()
}

impl Fields {
    pub(crate) fn new(schema: &Schema) -> Result<Fields, String> {
        use names::*;
        let f = |name: &str| {
            schema
                .get_field(name)
                .map_err(|_| format!("the index has no `{name}` field"))
        };
        Ok(Fields {
            text: f(TEXT)?,
            id: f(ID)?,
            respondent: f(RESPONDENT)?,
            question: f(QUESTION)?,
            question_kind: f(QUESTION_KIND)?,
            score: f(SCORE)?,
            date: f(DATE)?,
            month: f(MONTH)?,
            service: f(SERVICE)?,
            organisation: f(ORGANISATION)?,
            source: f(SOURCE)?,
            attribute: f(ATTRIBUTE)?,
            no_comment: f(NO_COMMENT)?,
            seq: f(SEQ)?,
            key_identity: f(KEY_IDENTITY)?,
            key_content: f(KEY_CONTENT)?,
            key_respondent: f(KEY_RESPONDENT)?,
            respondent_hash: f(RESPONDENT_HASH)?,
            record: f(RECORD)?,
        })
    }
}

/// The FFT score as indexed: the national code 1–6, 0 for not given.
pub(crate) fn score_code(score: FftScore) -> u64 {
    score.code().map_or(0, u64::from)
}

/// The score for an indexed code.
pub(crate) fn score_from_code(code: u64) -> FftScore {
    if code == 0 {
        FftScore::NotGiven
    } else {
        FftScore::from_code(code as i64)
    }
}

/// The question kind as indexed: its place in [`QuestionKind::ALL`].
pub(crate) fn kind_code(kind: QuestionKind) -> u64 {
    QuestionKind::ALL
        .iter()
        .position(|k| *k == kind)
        .unwrap_or(QuestionKind::ALL.len() - 1) as u64
}

/// The question kind of an indexed code.
pub(crate) fn kind_from_code(code: u64) -> QuestionKind {
    QuestionKind::ALL
        .get(code as usize)
        .copied()
        .unwrap_or(QuestionKind::Other)
}

/// A month as indexed: `yyyymm`.
pub(crate) fn month_code(date: Date) -> u64 {
    let ym = date.year_month();
    ym.year.max(0) as u64 * 100 + u64::from(ym.month)
}

/// `yyyy-mm` for an indexed month code.
pub(crate) fn month_label(code: u64) -> String {
    format!("{:04}-{:02}", code / 100, code % 100)
}

/// The organisation and respondent, hashed: two trusts may both have a respondent "1".
pub(crate) fn respondent_hash(comment: &Comment) -> u64 {
    keys::respondent_id_key(comment.organisation.as_deref(), &comment.respondent)
}

/// Every field of a comment except its text and annotations, as stored in `record`.
#[derive(Serialize)]
struct RecordRef<'a> {
    id: &'a str,
    respondent: &'a str,
    question: &'a str,
    no_comment: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<Date>,
    score: FftScore,
    #[serde(skip_serializing_if = "Option::is_none")]
    service: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    organisation: Option<&'a str>,
    #[serde(skip_serializing_if = "Attributes::is_empty")]
    attributes: &'a Attributes,
    source: &'a SourceRef,
}

/// [`RecordRef`], read back.
#[derive(Deserialize)]
struct Record {
    id: String,
    respondent: String,
    question: Arc<str>,
    no_comment: bool,
    #[serde(default)]
    date: Option<Date>,
    score: FftScore,
    #[serde(default)]
    service: Option<Arc<str>>,
    #[serde(default)]
    organisation: Option<Arc<str>>,
    #[serde(default)]
    attributes: Attributes,
    source: SourceRef,
}

/// The document for a comment with its ingest sequence number (its annotations are not part of it).
pub(crate) fn to_document(
    fields: &Fields,
    comment: &Comment,
    keys: &keys::CommentKeys,
    seq: u64,
) -> Result<TantivyDocument, String> {
    let mut doc = TantivyDocument::new();
    doc.add_text(fields.text, &comment.text);
    doc.add_text(fields.id, &comment.id);
    doc.add_text(fields.respondent, &comment.respondent);
    doc.add_text(fields.question, &comment.question);
    doc.add_u64(fields.question_kind, kind_code(comment.question_kind()));
    doc.add_u64(fields.score, score_code(comment.score));
    if let Some(date) = comment.date {
        doc.add_i64(fields.date, i64::from(date.days_since_epoch()));
        doc.add_u64(fields.month, month_code(date));
    }
    if let Some(service) = comment.service.as_deref().filter(|s| !s.trim().is_empty()) {
        doc.add_text(fields.service, service);
    }
    if let Some(org) = comment
        .organisation
        .as_deref()
        .filter(|s| !s.trim().is_empty())
    {
        doc.add_text(fields.organisation, org);
    }
    doc.add_text(fields.source, &comment.source.name);
    for (name, value) in &comment.attributes {
        doc.add_text(fields.attribute, format!("{name}={value}"));
    }
    doc.add_bool(fields.no_comment, comment.no_comment);
    doc.add_u64(fields.seq, seq);
    doc.add_u64(fields.key_identity, keys.identity);
    doc.add_u64(fields.key_content, keys.content);
    doc.add_u64(fields.key_respondent, keys.respondent);
    doc.add_u64(fields.respondent_hash, respondent_hash(comment));
    let record = RecordRef {
        id: &comment.id,
        respondent: &comment.respondent,
        question: &comment.question,
        no_comment: comment.no_comment,
        date: comment.date,
        score: comment.score,
        service: comment.service.as_deref(),
        organisation: comment.organisation.as_deref(),
        attributes: &comment.attributes,
        source: &comment.source,
    };
    doc.add_text(
        fields.record,
        serde_json::to_string(&record).map_err(|e| e.to_string())?,
    );
    Ok(doc)
}

/// Reads a comment back from its stored fields (without annotations), sharing its repeated strings through `interner`.
pub(crate) fn from_document(
    fields: &Fields,
    doc: &TantivyDocument,
    interner: &mut Interner,
) -> Result<Comment, String> {
    let get = |field: Field| doc.get_first(field).and_then(|v| v.as_str());
    let record = get(fields.record).ok_or("the record field is missing")?;
    let record: Record =
        serde_json::from_str(record).map_err(|e| format!("the record is not valid: {e}"))?;
    let mut comment = Comment {
        id: record.id,
        respondent: record.respondent,
        question: record.question,
        text: get(fields.text).unwrap_or("").to_owned(),
        no_comment: record.no_comment,
        date: record.date,
        score: record.score,
        service: record.service,
        organisation: record.organisation,
        attributes: record.attributes,
        source: record.source,
        annotations: None,
    };
    comment.share_strings(interner);
    Ok(comment)
}

/// The indexed form of a label value, for building terms by hand.
pub(crate) fn label(value: &str) -> String {
    label_term(value)
}
