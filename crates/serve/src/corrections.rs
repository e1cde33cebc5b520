//! Corrections a reviewer makes on a comment's page (a form) or through the API (JSON): checked against
//! the comment and the catalog, recorded in the store, then shown everywhere the comment is.

use std::time::{SystemTime, UNIX_EPOCH};

use chorus_core::corrections::{
    CommentKey, CommentLabel, Correction, CorrectionAction, utc_timestamp,
};
use chorus_core::{Comment, SentimentLabel, ThemeSource};

use crate::App;
use crate::app::same;
use crate::errors::Failure;
use crate::http::{Request, Response};

/// The longest theme, touchpoint or reviewer name accepted.
const MAX_NAME: usize = 200;

/// `POST /comments/{key}/corrections` from the comment page's forms: back to the page.
pub(crate) fn form(app: &App, request: &Request, key: &str) -> Result<Response, Failure> {
    app.same_origin(request)?;
    let mut fields = request.form();
    // The "add theme" list names each theme with its source: `codebook:Waiting times`.
    let choice = fields
        .iter()
        .find(|(n, _)| n == "theme_choice")
        .and_then(|(_, v)| v.split_once(':'))
        .map(|(source, theme)| (source.to_owned(), theme.to_owned()));
    if let Some((source, theme)) = choice {
        fields.push(("source".to_owned(), source));
        fields.push(("theme".to_owned(), theme));
    }
    if !same(field(&fields, "token").as_bytes(), app.session.as_bytes()) {
        return Err(Failure::new(
            403,
            "this form is out of date or came from another page: reload the comment and try again",
        ));
    }
    let key = parse_key(key)?;
    let action = action_from_fields(&fields)?;
    record(app, key, action, None)?;
    Ok(Response::see_other(&format!("/comments/{key}#labels")))
}

/// A comment key from an address.
pub(crate) fn parse_key(text: &str) -> Result<CommentKey, Failure> {
    text.parse::<CommentKey>().map_err(|_| {
        Failure::not_found(format!(
            "`{text}` is not a comment key (16 hex digits); look a comment up by its id at /comments?id=…"
        ))
    })
}

/// A field's value, or empty.
pub(crate) fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map_or("", |(_, v)| v.as_str())
}

/// The action a form or JSON object describes, from its fields.
pub(crate) fn action_from_fields(fields: &[(String, String)]) -> Result<CorrectionAction, Failure> {
    let field = |name: &str| field(fields, name);
    let name = |f: &str| -> Result<String, Failure> {
        let value = field(f).trim();
        if value.is_empty() {
            return Err(Failure::bad(format!("the correction needs a `{f}`")));
        }
        if value.chars().count() > MAX_NAME {
            return Err(Failure::bad(format!(
                "the `{f}` is longer than {MAX_NAME} characters"
            )));
        }
        Ok(value.to_owned())
    };
    let source = || -> Result<ThemeSource, Failure> {
        match field("source").trim() {
            "codebook" | "" => Ok(ThemeSource::Codebook),
            "model" => Ok(ThemeSource::Model),
            "discovered" => Ok(ThemeSource::Discovered),
            other => Err(Failure::bad(format!(
                "`{other}` is not a theme source: use codebook, model or discovered"
            ))),
        }
    };
    Ok(match field("action").trim() {
        "remove_theme" => CorrectionAction::RemoveTheme {
            theme: name("theme")?,
            source: source()?,
        },
        "add_theme" => CorrectionAction::AddTheme {
            theme: name("theme")?,
            source: source()?,
        },
        "remove_touchpoint" => CorrectionAction::RemoveTouchpoint {
            touchpoint: name("touchpoint")?,
        },
        "add_touchpoint" => CorrectionAction::AddTouchpoint {
            touchpoint: name("touchpoint")?,
        },
        "set_sentiment" => CorrectionAction::SetSentiment {
            sentiment: field("sentiment")
                .parse::<SentimentLabel>()
                .map_err(Failure::bad)?,
        },
        "mark_quote" => CorrectionAction::MarkQuote,
        "unmark_quote" => CorrectionAction::UnmarkQuote,
        other => {
            return Err(Failure::bad(format!(
                "`{other}` is not a correction: use remove_theme, add_theme, remove_touchpoint, add_touchpoint, set_sentiment, mark_quote or unmark_quote"
            )));
        }
    })
}

/// Checks a correction against the comment and the catalog, records it in the store and asks for the
/// overview to be prepared again. `reviewer` overrides the server's `--reviewer`.
pub(crate) fn record(
    app: &App,
    key: CommentKey,
    action: CorrectionAction,
    reviewer: Option<String>,
) -> Result<Correction, Failure> {
    if app.read_only {
        return Err(Failure::new(
            403,
            "this server is read-only (--read-only): corrections are off",
        ));
    }
    let _one_at_a_time = app.correcting.lock().unwrap_or_else(|e| e.into_inner());
    let comment = app.comment(key)?;
    let action = check(app, &comment, action)?;
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let correction = Correction {
        time: utc_timestamp(seconds),
        reviewer: reviewer.or_else(|| app.reviewer.clone()),
        key,
        comment: Some(CommentLabel {
            id: comment.id.clone(),
            question: comment.question.to_string(),
        }),
        action,
    };
    app.store.add_correction(&correction).map_err(|e| {
        Failure::new(
            500,
            format!("the correction could not be saved in the store: {e}"),
        )
    })?;
    app.pages.clear();
    app.summary.invalidate();
    Ok(correction)
}

/// The action with names as the catalog writes them, or why it cannot apply to this comment.
fn check(app: &App, c: &Comment, action: CorrectionAction) -> Result<CorrectionAction, Failure> {
    let conflict = |message: String| Failure::new(409, message);
    if c.no_comment && !matches!(action, CorrectionAction::SetSentiment { .. }) {
        return Err(conflict(
            "this record has no comment text to label".to_owned(),
        ));
    }
    let annotations = c.annotations.as_ref();
    let catalog = app.catalog.as_ref();
    Ok(match action {
        CorrectionAction::RemoveTheme { theme, source } => {
            let found = annotations
                .and_then(|a| {
                    a.themes
                        .iter()
                        .find(|t| t.source == source && t.name.eq_ignore_ascii_case(&theme))
                })
                .ok_or_else(|| {
                    conflict(format!(
                        "the comment has no {source} theme `{theme}` to remove"
                    ))
                })?;
            CorrectionAction::RemoveTheme {
                theme: found.name.to_string(),
                source,
            }
        }
        CorrectionAction::AddTheme { theme, source } => {
            if source == ThemeSource::Discovered {
                return Err(Failure::bad(
                    "discovered themes come from clustering and cannot be added by hand: add a codebook or model theme",
                ));
            }
            let entry = catalog
                .and_then(|c| {
                    c.themes
                        .iter()
                        .find(|t| t.source == source && t.label.eq_ignore_ascii_case(&theme))
                })
                .ok_or_else(|| {
                    Failure::bad(format!(
                        "`{theme}` is not a {source} theme of this store: see /api/themes for the names"
                    ))
                })?;
            CorrectionAction::AddTheme {
                theme: entry.label.clone(),
                source,
            }
        }
        CorrectionAction::RemoveTouchpoint { touchpoint } => {
            let found = annotations
                .and_then(|a| {
                    a.touchpoints
                        .iter()
                        .find(|t| t.id.eq_ignore_ascii_case(&touchpoint))
                })
                .ok_or_else(|| {
                    conflict(format!(
                        "the comment has no touchpoint `{touchpoint}` to remove"
                    ))
                })?;
            CorrectionAction::RemoveTouchpoint {
                touchpoint: found.id.to_string(),
            }
        }
        CorrectionAction::AddTouchpoint { touchpoint } => {
            let id = touchpoint_ids(app)
                .into_iter()
                .find(|id| id.eq_ignore_ascii_case(&touchpoint))
                .ok_or_else(|| {
                    Failure::bad(format!(
                        "`{touchpoint}` is not a touchpoint: use one of {}",
                        touchpoint_ids(app).join(", ")
                    ))
                })?;
            CorrectionAction::AddTouchpoint { touchpoint: id }
        }
        other => other,
    })
}

/// The touchpoint ids a comment can be given: the catalog's, or the built-in journey.
pub(crate) fn touchpoint_ids(app: &App) -> Vec<String> {
    match app.catalog.as_ref().filter(|c| !c.touchpoints.is_empty()) {
        Some(c) => c.touchpoints.iter().map(|t| t.id.clone()).collect(),
        None => chorus_report::DEFAULT_TOUCHPOINTS
            .iter()
            .map(|t| t.to_string())
            .collect(),
    }
}
