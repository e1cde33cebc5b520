//! The code system of an exported project: what each annotation is called in a QDA tool, and its GUID.
//!
//! ```text
//! Touchpoints / <touchpoint label>          journey touchpoints, coded on clauses
//! Themes / <codebook theme>                 codebook themes, coded on clauses
//! Framework / <category> / <sub-category>   a trained model's labels under their framework (v7) names,
//!                                           coded on whole comments
//! Discovered / <label>                      discovered themes, coded on whole comments
//! Sentiment / positive|mixed|neutral|negative   coded on clauses
//! ```

use std::collections::BTreeSet;
use std::io::{self, Write};

use chorus_core::{SentimentLabel, ThemeCatalog, ThemeSource};

use crate::guid::Guid;
use crate::xml;

/// One code and the codes under it.
#[derive(Clone, Debug, PartialEq)]
pub struct Code {
    /// Derived from the code's identity ([`code_guid`]).
    pub guid: Guid,
    /// As shown in the tool.
    pub name: String,
    /// What it covers.
    pub description: String,
    /// Whether segments can be coded with it (groups cannot).
    pub codable: bool,
    /// Codes under it.
    pub children: Vec<Code>,
}

/// Which family of annotation a code stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// A touchpoint, by id.
    Touchpoint,
    /// A codebook theme, by label.
    Theme,
    /// A model theme, by its reported name.
    Framework,
    /// A category of the framework.
    FrameworkCategory,
    /// A discovered theme, by label.
    Discovered,
    /// A sentiment label.
    Sentiment,
    /// A group at the top of the tree.
    Group,
}

impl Kind {
    fn slug(self) -> &'static str {
        match self {
            Kind::Touchpoint => "touchpoint",
            Kind::Theme => "theme",
            Kind::Framework => "framework",
            Kind::FrameworkCategory => "framework-category",
            Kind::Discovered => "discovered",
            Kind::Sentiment => "sentiment",
            Kind::Group => "group",
        }
    }
}

/// The GUID of a code: the same in every export, whatever else the project holds.
pub fn code_guid(kind: Kind, name: &str) -> Guid {
    Guid::of("code", &[kind.slug(), name])
}

fn code(kind: Kind, key: &str, name: &str, description: String) -> Code {
    Code {
        guid: code_guid(kind, key),
        name: name.to_owned(),
        description,
        codable: kind != Kind::Group && kind != Kind::FrameworkCategory,
        children: Vec::new(),
    }
}

/// Codes used by the comments exported that the catalog does not list (a comment themed by an older
/// run): they get codes too, so that no coding points nowhere.
#[derive(Clone, Debug, Default)]
pub struct Used(pub BTreeSet<(Kind, String)>);

/// The code tree for a theming run's catalog (and any codes used beyond it). Empty groups are left out;
/// Sentiment is always there.
pub fn tree(catalog: &ThemeCatalog, used: &Used) -> Vec<Code> {
    let mut touchpoints = group(
        "Touchpoints",
        "Where in the care journey a clause is: the journey codebook's touchpoints",
    );
    for t in &catalog.touchpoints {
        touchpoints.children.push(code(
            Kind::Touchpoint,
            &t.id,
            &t.label,
            t.description.clone(),
        ));
    }
    let mut themes = group("Themes", "Codebook themes, matched clause by clause");
    let mut framework = group(
        "Framework",
        "A trained model's themes, under the framework's (v7) category and sub-category names",
    );
    for t in &catalog.themes {
        match t.source {
            ThemeSource::Codebook => {
                themes
                    .children
                    .push(code(Kind::Theme, &t.label, &t.label, t.description.clone()))
            }
            ThemeSource::Model | ThemeSource::Discovered => {
                let leaf = code(Kind::Framework, &t.label, &t.label, t.description.clone());
                match &t.category {
                    Some(category) => category_of(&mut framework, category).children.push(leaf),
                    None => framework.children.push(leaf),
                }
            }
        }
    }
    let mut discovered = group("Discovered", "Themes found by clustering the comments");
    for d in &catalog.discovered {
        let description = format!(
            "{} comments; key phrases: {}",
            d.size,
            d.key_phrases.join(", ")
        );
        discovered
            .children
            .push(code(Kind::Discovered, &d.label, &d.label, description));
    }
    let mut sentiment = group(
        "Sentiment",
        "How each clause feels, from Chorus's sentiment analysis",
    );
    for label in SentimentLabel::ALL {
        sentiment.children.push(code(
            Kind::Sentiment,
            label.as_str(),
            label.as_str(),
            format!("clauses whose sentiment is {}", label.as_str()),
        ));
    }
    let mut groups = [touchpoints, themes, framework, discovered, sentiment];
    for (kind, name) in &used.0 {
        let (target, kind) = match kind {
            Kind::Touchpoint => (0, *kind),
            Kind::Theme => (1, *kind),
            Kind::Framework => (2, *kind),
            Kind::Discovered => (3, *kind),
            _ => continue,
        };
        let guid = code_guid(kind, name);
        if !contains(&groups[target], guid) {
            groups[target].children.push(code(
                kind,
                name,
                name,
                "used by the comments exported; not in the store's theme catalog".to_owned(),
            ));
        }
    }
    groups
        .into_iter()
        .filter(|g| !g.children.is_empty())
        .collect()
}

fn group(name: &str, description: &str) -> Code {
    code(Kind::Group, name, name, description.to_owned())
}

fn category_of<'a>(framework: &'a mut Code, category: &str) -> &'a mut Code {
    let guid = code_guid(Kind::FrameworkCategory, category);
    let at = match framework.children.iter().position(|c| c.guid == guid) {
        Some(at) => at,
        None => {
            framework.children.push(code(
                Kind::FrameworkCategory,
                category,
                category,
                format!("the framework's category {category}"),
            ));
            framework.children.len() - 1
        }
    };
    &mut framework.children[at]
}

fn contains(code: &Code, guid: Guid) -> bool {
    code.guid == guid || code.children.iter().any(|c| contains(c, guid))
}

/// Writes `<Code>` elements for `codes`, nested, indented by `depth` tabs.
pub fn write_codes<W: Write>(out: &mut W, codes: &[Code], depth: usize) -> io::Result<()> {
    for c in codes {
        let indent = "\t".repeat(depth);
        write!(
            out,
            "{indent}<Code guid=\"{}\" name=\"{}\" isCodable=\"{}\">",
            c.guid,
            xml::attribute(&c.name),
            c.codable
        )?;
        if !c.description.is_empty() {
            write!(
                out,
                "<Description>{}</Description>",
                xml::text(&c.description)
            )?;
        }
        if c.children.is_empty() {
            writeln!(out, "</Code>")?;
        } else {
            writeln!(out)?;
            write_codes(out, &c.children, depth + 1)?;
            writeln!(out, "{indent}</Code>")?;
        }
    }
    Ok(())
}
