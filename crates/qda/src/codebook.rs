//! Codebooks as REFI-QDA codebook files (`.qdc`): Chorus's touchpoints and themes out, so a team sees
//! them in its QDA tool, and a codebook made in NVivo or ATLAS.ti in, as a Chorus codebook to edit.
//!
//! Out, each codebook is a group of codes with the same GUIDs as in a `.qdpx` export (touchpoints by id,
//! themes by label), so a tool matches them. In, every codable code becomes an entry (nested codes are
//! flattened, each noting its parents in its description); a QDA code has no words to match, so each
//! entry starts with the words of its name as terms, for the team to edit and check with `chorus
//! codebook check`.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

use chorus_themes::codebook::Codebook;
use quick_xml::events::Event;

use crate::Error;
use crate::codes::{self, Code, Kind, code_guid};

/// Writes `codebooks` as one `.qdc`: each a group (its `name`) of codes. Touchpoint codebooks' codes
/// take their GUIDs from their ids, the others' from their labels, as a `.qdpx` export does.
pub fn write_qdc<W: Write>(codebooks: &[(&Codebook, Kind)], mut out: W) -> Result<(), Error> {
    let mut groups = Vec::new();
    for (book, kind) in codebooks {
        let name = match kind {
            Kind::Touchpoint => "Touchpoints",
            _ if book.name == "themes" => "Themes",
            _ => book.name.as_str(),
        };
        let children = book
            .entries
            .iter()
            .map(|e| {
                let key = if *kind == Kind::Touchpoint {
                    &e.id
                } else {
                    &e.label
                };
                Code {
                    guid: code_guid(*kind, key),
                    name: e.label.clone(),
                    description: e.description.clone(),
                    codable: true,
                    children: Vec::new(),
                }
            })
            .collect();
        groups.push(Code {
            guid: code_guid(Kind::Group, name),
            name: name.to_owned(),
            description: book.description.clone(),
            codable: false,
            children,
        });
    }
    writeln!(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>")?;
    writeln!(
        out,
        "<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\" origin=\"Chorus {}\">\n\t<Codes>",
        env!("CARGO_PKG_VERSION")
    )?;
    codes::write_codes(&mut out, &groups, 2)?;
    writeln!(out, "\t</Codes>\n</CodeBook>")?;
    out.flush()?;
    Ok(())
}

/// A code read from a `.qdc` (or a project's code book).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedCode {
    /// Its name.
    pub name: String,
    /// Its description (empty if none).
    pub description: String,
    /// The names of the codes it sits under, outermost first.
    pub parents: Vec<String>,
    /// Whether it can be coded (groups cannot).
    pub codable: bool,
}

/// Reads the codes of a `.qdc` file (or of any REFI-QDA XML with `<Code>` elements), in document order.
pub fn read_qdc(path: &Path) -> Result<Vec<ImportedCode>, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Read {
        path: path.to_owned(),
        reason: format!("cannot read it as UTF-8 text: {e}"),
    })?;
    let bad = |reason: String| Error::Read {
        path: path.to_owned(),
        reason,
    };
    let mut reader = quick_xml::Reader::from_str(&text);
    let mut codes: Vec<ImportedCode> = Vec::new();
    // Open codes (index into `codes`) and whether a <Description> is open.
    let mut open: Vec<usize> = Vec::new();
    let mut in_description = false;
    loop {
        let event = reader.read_event().map_err(|e| {
            bad(format!(
                "not well-formed XML at byte {}: {e}",
                reader.buffer_position()
            ))
        })?;
        match event {
            Event::Start(ref tag) | Event::Empty(ref tag) => {
                let empty = matches!(event, Event::Empty(_));
                match tag.local_name().as_ref() {
                    "Code" => {
                        let mut name = None;
                        let mut codable = true;
                        for a in tag.attributes().flatten() {
                            let value = a
                                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .map_err(|e| bad(format!("a bad attribute value: {e}")))?
                                .into_owned();
                            match a.key.local_name().as_ref() {
                                "name" => name = Some(value),
                                "isCodable" => codable = value.trim() != "false",
                                _ => {}
                            }
                        }
                        let name = name.ok_or_else(|| {
                            bad(format!(
                                "a <Code> without a name at byte {}",
                                reader.buffer_position()
                            ))
                        })?;
                        let parents = open.iter().map(|&i| codes[i].name.clone()).collect();
                        codes.push(ImportedCode {
                            name,
                            description: String::new(),
                            parents,
                            codable,
                        });
                        if !empty {
                            open.push(codes.len() - 1);
                        }
                    }
                    "Description" if !empty && !open.is_empty() => in_description = true,
                    _ => {}
                }
            }
            Event::Text(t) if in_description => {
                let text = t.xml10_content();
                if let Some(&i) = open.last() {
                    codes[i].description.push_str(&text);
                }
            }
            Event::GeneralRef(r) if in_description => {
                if let (Some(c), Some(&i)) = (crate::xml::reference_char(&r), open.last()) {
                    codes[i].description.push(c);
                }
            }
            Event::End(tag) => match tag.local_name().as_ref() {
                "Code" => {
                    open.pop();
                }
                "Description" => in_description = false,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    if codes.is_empty() {
        return Err(bad(
            "no <Code> in it: is it a REFI-QDA codebook (.qdc)?".to_owned()
        ));
    }
    Ok(codes)
}

/// A Chorus codebook (TOML) of the codable codes: ids made from the names (unique), labels the names,
/// the descriptions (with the parents), direction neutral, and the words of each name as its terms.
pub fn codebook_toml(codes: &[ImportedCode], name: &str, origin: &str) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "# Imported by `chorus codebook import` from {}.\n\
         # A QDA code has no words to match: each entry's terms are the words of its name. Edit them (see\n\
         # `chorus codebook print themes` for every field), then run `chorus codebook check` on this file.\n\n",
        toml_comment(origin)
    ));
    out.push_str(&format!("name = {}\n", toml_string(name)));
    out.push_str(&format!(
        "description = {}\n",
        toml_string(&format!("imported from {origin}"))
    ));
    let mut ids = BTreeSet::new();
    for code in codes.iter().filter(|c| c.codable) {
        let id = unique_id(&code.name, &mut ids);
        let mut description = code.description.trim().to_owned();
        if !code.parents.is_empty() {
            let under = format!("(under {})", code.parents.join(" / "));
            description = if description.is_empty() {
                under
            } else {
                format!("{description} {under}")
            };
        }
        out.push_str("\n[[entry]]\n");
        out.push_str(&format!("id = {}\n", toml_string(&id)));
        out.push_str(&format!("label = {}\n", toml_string(code.name.trim())));
        out.push_str(&format!("description = {}\n", toml_string(&description)));
        out.push_str("direction = \"neutral\"\n");
        let terms: Vec<String> = name_words(&code.name)
            .into_iter()
            .map(|w| toml_string(&w))
            .collect();
        out.push_str(&format!("terms = [{}]\n", terms.join(", ")));
    }
    out
}

/// Lower-case words of a name worth matching: letters only, at least 3, not the commonest function
/// words.
fn name_words(name: &str) -> Vec<String> {
    const SKIP: [&str; 12] = [
        "and", "the", "for", "with", "from", "about", "other", "not", "are", "was", "our", "you",
    ];
    let mut out: Vec<String> = Vec::new();
    for word in name.split(|c: char| !c.is_alphabetic()) {
        let word = word.to_lowercase();
        if word.chars().count() >= 3 && !SKIP.contains(&word.as_str()) && !out.contains(&word) {
            out.push(word);
        }
    }
    out
}

/// An id (`a-z`, `0-9`, `-`) from a name, made unique with `-2`, `-3`…
fn unique_id(name: &str, taken: &mut BTreeSet<String>) -> String {
    let mut base = String::new();
    for c in name.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            base.push(c);
        } else if !base.ends_with('-') && !base.is_empty() {
            base.push('-');
        }
    }
    let base = match base.trim_end_matches('-') {
        "" => "code".to_owned(),
        b => b.to_owned(),
    };
    let mut id = base.clone();
    let mut n = 2;
    while taken.contains(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    taken.insert(id.clone());
    id
}

/// A TOML basic string: quotes, backslashes and control characters escaped.
fn toml_string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text for a TOML comment: one line, no control characters.
fn toml_comment(value: &str) -> String {
    value
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_codebooks_go_out_and_come_back() {
        let dir = tempfile::tempdir().expect("a folder");
        let path = dir.path().join("chorus.qdc");
        let themes = Codebook::builtin_themes();
        let touchpoints = Codebook::builtin_touchpoints();
        let file = std::fs::File::create(&path).expect("a file");
        write_qdc(
            &[(&touchpoints, Kind::Touchpoint), (&themes, Kind::Theme)],
            file,
        )
        .expect("written");
        let codes = read_qdc(&path).expect("read back");
        let codable: Vec<&ImportedCode> = codes.iter().filter(|c| c.codable).collect();
        assert_eq!(
            codable.len(),
            touchpoints.entries.len() + themes.entries.len()
        );
        let waiting = codes.iter().find(|c| c.name == "Waiting").expect("Waiting");
        assert_eq!(waiting.parents, ["Touchpoints"]);
        assert!(
            waiting.description.contains("A&E"),
            "entities come back: {}",
            waiting.description
        );
        let toml = codebook_toml(&codes, "from NVivo", "chorus.qdc");
        let book =
            Codebook::parse(&toml, Path::new("imported.toml")).expect("a codebook Chorus reads");
        assert_eq!(book.entries.len(), codable.len());
        // Two codes named "Medication" (a touchpoint and a theme) get two ids.
        assert!(book.entries.iter().any(|e| e.id == "medication-2"));
    }

    #[test]
    fn hostile_names_survive_and_bad_files_are_refused_with_the_reason() {
        let dir = tempfile::tempdir().expect("a folder");
        let path = dir.path().join("nvivo.qdc");
        std::fs::write(
            &path,
            "<?xml version=\"1.0\"?><CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\"><Codes>\
             <Code guid=\"x\" name=\"Staff &amp; &quot;attitude&quot; &lt;b&gt;\" isCodable=\"true\">\
             <Description>rude ]]&gt; or \"kind\" \\ \u{200F}😀</Description></Code>\
             <Code guid=\"y\" name=\"Group\" isCodable=\"false\"><Code guid=\"z\" name=\"Café\" isCodable=\"true\"/></Code>\
             </Codes></CodeBook>",
        )
        .expect("written");
        let codes = read_qdc(&path).expect("read");
        assert_eq!(codes[0].name, "Staff & \"attitude\" <b>");
        assert_eq!(codes[0].description, "rude ]]> or \"kind\" \\ \u{200F}😀");
        assert_eq!(codes[2].parents, ["Group"]);
        let toml = codebook_toml(&codes, "nvivo", "nvivo.qdc");
        let book = Codebook::parse(&toml, Path::new("t.toml")).expect("parses");
        assert_eq!(book.entries[0].label, "Staff & \"attitude\" <b>");
        assert_eq!(book.entries[0].terms, ["staff", "attitude"]);
        assert_eq!(book.entries[1].id, "caf");
        assert_eq!(book.entries[1].description, "(under Group)");

        std::fs::write(&path, "<CodeBook><Codes><Code name=\"a\"></Codes>").expect("written");
        let error = read_qdc(&path).expect_err("not well-formed").to_string();
        assert!(error.contains("not well-formed XML"), "{error}");
        std::fs::write(&path, "<html/>").expect("written");
        let error = read_qdc(&path).expect_err("no codes").to_string();
        assert!(error.contains("no <Code>"), "{error}");
    }
}
