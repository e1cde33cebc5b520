//! Crosswalks from a trained model's labels to a framework's sub-categories and categories: the built-in one
//! (`frameworks/v6-to-v7.toml`) reports a model trained on the national v6 framework under the names of
//! version 7, grouped by its categories. It is Chorus's reading of the v7 descriptions; teams can edit a
//! copy (`chorus codebook print crosswalk`) and pass it to `chorus themes --crosswalk`.

use std::collections::HashMap;
use std::path::Path;

use chorus_core::{CatalogEntry, Direction, ThemeSource};
use serde::Deserialize;
use toml::Spanned;

use crate::error::{Error, line_column};

/// The built-in v6 → v7 crosswalk file.
pub const BUILTIN_CROSSWALK: &str = include_str!("../frameworks/v6-to-v7.toml");

/// A framework's categories and sub-categories, in order, and the model labels each sub-category takes in.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Crosswalk {
    /// The file's `name`.
    pub name: String,
    /// The categories, in framework order, each with its sub-categories in order.
    pub categories: Vec<Category>,
    /// Normalised label or sub-category name → (category, sub-category) indices.
    index: HashMap<String, (usize, usize)>,
}

/// One category of a framework.
#[derive(Debug, Clone, PartialEq)]
pub struct Category {
    /// Its name.
    pub name: String,
    /// Its sub-categories, in order.
    pub subcategories: Vec<Subcategory>,
}

/// One sub-category and the labels it takes in.
#[derive(Debug, Clone, PartialEq)]
pub struct Subcategory {
    /// Its name.
    pub name: String,
    /// The model labels reported under it.
    pub from: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCrosswalk {
    #[serde(default)]
    name: String,
    #[serde(default)]
    category: Vec<RawCategory>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategory {
    name: String,
    #[serde(default)]
    subcategory: Vec<RawSubcategory>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSubcategory {
    name: Spanned<String>,
    #[serde(default)]
    from: Vec<Spanned<String>>,
}

/// How labels are compared: case and surrounding spaces do not matter.
fn key(label: &str) -> String {
    label.trim().to_lowercase()
}

impl Crosswalk {
    /// The built-in v6 → v7 crosswalk.
    pub fn builtin() -> Crosswalk {
        Crosswalk::parse(BUILTIN_CROSSWALK, Path::new("<built-in crosswalk>"))
            .expect("the built-in crosswalk parses (a test checks it)")
    }

    /// Reads a crosswalk file.
    pub fn load(path: &Path) -> Result<Crosswalk, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
        Crosswalk::parse(&text, path)
    }

    /// Parses a crosswalk's text, refusing a label or sub-category that appears twice (it could go to
    /// only one place). `origin` names it in errors.
    pub fn parse(text: &str, origin: &Path) -> Result<Crosswalk, Error> {
        let syntax = |offset: usize, message: String| {
            let (line, column) = line_column(text, offset);
            Error::Syntax {
                path: origin.to_owned(),
                line,
                column,
                message,
            }
        };
        let raw: RawCrosswalk = toml::from_str(text).map_err(|e| {
            syntax(
                e.span().map_or(0, |s| s.start),
                e.message().trim().to_owned(),
            )
        })?;
        let mut index: HashMap<String, (usize, usize)> = HashMap::new();
        let mut categories = Vec::with_capacity(raw.category.len());
        for (c, category) in raw.category.into_iter().enumerate() {
            let mut subcategories = Vec::with_capacity(category.subcategory.len());
            for (s, sub) in category.subcategory.into_iter().enumerate() {
                let own = std::iter::once(&sub.name);
                for label in own.chain(&sub.from) {
                    let previous = index.insert(key(label.get_ref()), (c, s));
                    if previous.is_some_and(|p| p != (c, s)) {
                        return Err(syntax(
                            label.span().start,
                            format!(
                                "`{}` is in two sub-categories: a label can go to only one",
                                label.get_ref()
                            ),
                        ));
                    }
                }
                subcategories.push(Subcategory {
                    name: sub.name.into_inner(),
                    from: sub.from.into_iter().map(Spanned::into_inner).collect(),
                });
            }
            categories.push(Category {
                name: category.name,
                subcategories,
            });
        }
        Ok(Crosswalk {
            name: raw.name,
            categories,
            index,
        })
    }

    /// The (category, sub-category) a model label is reported under, or `None` when the crosswalk does not
    /// place it (it keeps its own name, with no category).
    pub fn apply(&self, label: &str) -> Option<(&str, &str)> {
        let &(c, s) = self.index.get(&key(label))?;
        let category = &self.categories[c];
        Some((&category.name, &category.subcategories[s].name))
    }

    /// Where `label` sorts: its sub-category's place in the framework, after every placed label if it has
    /// none.
    fn rank(&self, label: &str) -> (usize, usize) {
        self.index
            .get(&key(label))
            .copied()
            .unwrap_or((usize::MAX, usize::MAX))
    }
}

/// A model's labels as reported: for each label (by index), the name its themes take; and the catalog
/// entries, one per name, in framework order (placed names first, by category and sub-category, then the
/// others in the model's order).
pub(crate) fn model_themes(
    labels: &[String],
    crosswalk: &Crosswalk,
    direction: impl Fn(&str) -> Direction,
) -> (Vec<String>, Vec<CatalogEntry>) {
    let names: Vec<String> = labels
        .iter()
        .map(|label| {
            crosswalk
                .apply(label)
                .map_or_else(|| label.clone(), |(_, sub)| sub.to_owned())
        })
        .collect();
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.sort_by_key(|&i| (crosswalk.rank(&labels[i]), i));
    let mut entries: Vec<CatalogEntry> = Vec::new();
    for i in order {
        let name = &names[i];
        if let Some(entry) = entries.iter_mut().find(|e| e.id == *name) {
            entry.description.push_str(&format!(", {}", labels[i]));
            continue;
        }
        let category = crosswalk.apply(&labels[i]).map(|(c, _)| c.to_owned());
        let description = match &category {
            Some(_) => format!(
                "predicted by the trained model, under {} (Chorus's reading of the framework), from the labels: {}",
                crosswalk.name, labels[i]
            ),
            None => format!("predicted by the trained model: {}", labels[i]),
        };
        entries.push(CatalogEntry {
            id: name.clone(),
            label: name.clone(),
            source: ThemeSource::Model,
            description,
            direction: direction(name),
            category,
        });
    }
    (names, entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_crosswalk_has_the_ten_categories_and_32_subcategories_of_v7() {
        let c = Crosswalk::builtin();
        assert_eq!(c.categories.len(), 10);
        let subs: usize = c.categories.iter().map(|c| c.subcategories.len()).sum();
        assert_eq!(subs, 32);
        assert_eq!(
            c.apply("Number & deployment of staff"),
            Some(("Staff", "Staffing levels & responsiveness"))
        );
        assert_eq!(
            c.apply("  staff RESPONSIVENESS "),
            Some(("Staff", "Staffing levels & responsiveness"))
        );
        for label in [
            "Diagnosis & triage",
            "Referals & continuity of care",
            "Staff continuity",
            "Care plans",
        ] {
            assert_eq!(
                c.apply(label),
                Some((
                    "Patient journey & service coordination",
                    "Continuity of care"
                )),
                "{label}"
            );
        }
        for label in ["Environment & Facilities", "Provision of medical equipment"] {
            assert_eq!(
                c.apply(label),
                Some((
                    "Environment, equipment & catering",
                    "Environment, facilities & equipment"
                )),
                "{label}"
            );
        }
        // A v7 name maps to itself; a label v7 has no place for keeps its own name.
        assert_eq!(
            c.apply("Timeliness of care"),
            Some(("Access to medical care & support", "Timeliness of care"))
        );
        assert_eq!(c.apply("Impact of treatment/ care"), None);
    }

    #[test]
    fn a_label_in_two_subcategories_is_refused_with_its_line() {
        let text = "[[category]]\nname = \"A\"\n[[category.subcategory]]\nname = \"X\"\nfrom = [\"l\"]\n\
                    [[category.subcategory]]\nname = \"Y\"\nfrom = [\"L\"]\n";
        let error = Crosswalk::parse(text, Path::new("c.toml")).expect_err("a duplicate");
        let message = error.to_string();
        assert!(
            message.starts_with("c.toml:8:") && message.contains("two sub-categories"),
            "{message}"
        );
    }

    #[test]
    fn model_themes_merge_labels_into_subcategories_in_framework_order() {
        let labels: Vec<String> = [
            "Staff responsiveness",
            "Impact of treatment/ care",
            "Positive experience & gratitude",
            "Number & deployment of staff",
        ]
        .map(String::from)
        .to_vec();
        let (names, entries) = model_themes(&labels, &Crosswalk::builtin(), |_| Direction::Neutral);
        assert_eq!(names[0], "Staffing levels & responsiveness");
        assert_eq!(names[3], "Staffing levels & responsiveness");
        assert_eq!(names[1], "Impact of treatment/ care");
        let listed: Vec<(&str, Option<&str>)> = entries
            .iter()
            .map(|e| (e.id.as_str(), e.category.as_deref()))
            .collect();
        assert_eq!(
            listed,
            [
                ("Positive experience & gratitude", Some("General")),
                ("Staffing levels & responsiveness", Some("Staff")),
                ("Impact of treatment/ care", None),
            ]
        );
        assert!(
            entries[1]
                .description
                .ends_with("from the labels: Staff responsiveness, Number & deployment of staff")
        );
        let (names, entries) = model_themes(&labels, &Crosswalk::default(), |_| Direction::Neutral);
        assert_eq!(names, labels, "an empty crosswalk keeps the model's names");
        assert!(entries.iter().all(|e| e.category.is_none()));
    }
}
