//! One comment and where it came from.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::{Annotations, Attributes, Date, FftScore, Interner, QuestionKind, keys};

/// One answer to one free-text question, or the record that the respondent left it blank.
///
/// Text is already redacted when a `Comment` exists: ingestion removes personal identifiers before anything
/// is stored or shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comment {
    /// The export's comment id, or one made from the source and row when the export has none; with several
    /// free-text columns per row, each comment's id is the row id and its question tells them apart.
    pub id: String,
    /// Who answered: the export's respondent id, else the row, so answers from one row stay linked.
    pub respondent: String,
    /// The question answered: the export's question column, or the free-text column's header.
    pub question: Arc<str>,
    /// The comment, with personal identifiers replaced by typed markers such as `[NAME]`. Empty when
    /// `no_comment` is set.
    pub text: String,
    /// The respondent left this question blank or wrote a placeholder ("Did not answer", "N/A", "-").
    /// The score still counts; the text is not analysed.
    pub no_comment: bool,
    /// When the feedback was given, if the export says.
    pub date: Option<Date>,
    /// The FFT answer that came with the comment.
    pub score: FftScore,
    /// The service or department.
    pub service: Option<Arc<str>>,
    /// The trust, organisation or site.
    pub organisation: Option<Arc<str>>,
    /// Any other columns (age band, ethnicity, sub-service…), by header, for breakdowns.
    pub attributes: Attributes,
    /// The file and row the comment was read from.
    pub source: SourceRef,
    /// What theming found, once it has run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<Annotations>,
}

/// Where a comment was read from, so any figure can be traced back to its row.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRef {
    /// The source name: `--source-name`, else the file name without its folder.
    pub name: Arc<str>,
    /// The 1-based line (CSV, JSON lines) or row (Excel) of the record; 1 for a whole-file story.
    pub line: u64,
    /// The column the text came from.
    pub column: Arc<str>,
}

impl Comment {
    /// Shares the strings that comments repeat (question, service, organisation, source, attributes,
    /// theme and touchpoint names) through `interner`, so that a batch of comments holds each once.
    pub fn share_strings(&mut self, interner: &mut Interner) {
        interner.share(&mut self.question);
        for value in [&mut self.service, &mut self.organisation]
            .into_iter()
            .flatten()
        {
            interner.share(value);
        }
        interner.share(&mut self.source.name);
        interner.share(&mut self.source.column);
        self.attributes.share_strings(interner);
        if let Some(annotations) = &mut self.annotations {
            for touchpoint in &mut annotations.touchpoints {
                interner.share(&mut touchpoint.id);
            }
            for theme in &mut annotations.themes {
                interner.share(&mut theme.name);
            }
        }
    }

    /// The kind of question this comment answers.
    pub fn question_kind(&self) -> QuestionKind {
        QuestionKind::classify(&self.question)
    }

    /// All three keys at once.
    pub fn keys(&self) -> keys::CommentKeys {
        keys::CommentKeys {
            identity: self.identity_key(),
            content: self.content_key(),
            respondent: self.respondent_key(),
        }
    }

    /// Identity: the same id for the same question in the same organisation is the same comment.
    pub fn identity_key(&self) -> u64 {
        keys::identity_key(self.organisation.as_deref(), &self.id, &self.question)
    }

    /// Content: what the comment says and to which question, to tell a true duplicate from an id clash.
    pub fn content_key(&self) -> u64 {
        keys::content_key(&self.question, &self.text, self.no_comment)
    }

    /// The same respondent giving the same answer to the same question.
    pub fn respondent_key(&self) -> u64 {
        keys::respondent_key(
            self.organisation.as_deref(),
            &self.respondent,
            &self.question,
            &self.text,
            self.no_comment,
        )
    }
}
