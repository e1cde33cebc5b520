//! The first pass: what the comments hold (dates, theme and touchpoint names, attribute columns), and the
//! registry of themes and touchpoints with their dense indices.

use std::collections::BTreeSet;
use std::sync::Arc;

use chorus_core::{Comment, CommentSource, Date, Direction, ThemeCatalog, ThemeSource};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::Error;
use crate::options::BreakdownBy;

use super::*;

/// What a first pass learns: the date range, theme names and attributes present.
#[derive(Default)]
pub(super) struct Survey {
    pub(super) min: Option<Date>,
    pub(super) max: Option<Date>,
    pub(super) themes: FxHashSet<(ThemeSource, Arc<str>)>,
    pub(super) discovered: FxHashSet<u32>,
    pub(super) touchpoints: FxHashSet<Arc<str>>,
    pub(super) attributes: BTreeSet<String>,
}

impl Survey {
    pub(super) fn merge(mut self, other: Survey) -> Survey {
        self.min = min_opt(self.min, other.min);
        self.max = self.max.max(other.max);
        self.themes.extend(other.themes);
        self.discovered.extend(other.discovered);
        self.touchpoints.extend(other.touchpoints);
        self.attributes.extend(other.attributes);
        self
    }
}

pub(super) fn min_opt(a: Option<Date>, b: Option<Date>) -> Option<Date> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

pub(super) fn in_service(comment: &Comment, service: Option<&str>) -> bool {
    match service {
        None => true,
        Some(wanted) => comment
            .service
            .as_deref()
            .is_some_and(|s| s.trim().to_lowercase() == wanted.to_lowercase()),
    }
}

pub(super) fn survey<S: CommentSource + ?Sized>(
    source: &S,
    service: Option<&str>,
    want_attributes: bool,
) -> Result<Survey, Error> {
    let mut total = Survey::default();
    scan(source, |_, batch| {
        let part = survey_batch(batch, service, want_attributes);
        total = std::mem::take(&mut total).merge(part);
    })?;
    Ok(total)
}

pub(super) fn survey_batch(
    comments: &[Comment],
    service: Option<&str>,
    want_attributes: bool,
) -> Survey {
    comments
        .par_chunks(8192)
        .map(|part| {
            let mut s = Survey::default();
            for c in part.iter().filter(|c| in_service(c, service)) {
                if let Some(d) = c.date {
                    s.min = min_opt(s.min, Some(d));
                    s.max = s.max.max(Some(d));
                }
                if want_attributes {
                    for key in c.attributes.names() {
                        if !s.attributes.contains(key) {
                            s.attributes.insert(key.to_owned());
                        }
                    }
                }
                if let Some(a) = &c.annotations {
                    for t in &a.themes {
                        let key = (t.source, t.name.clone());
                        if !s.themes.contains(&key) {
                            s.themes.insert(key);
                        }
                    }
                    if let Some(id) = a.discovered_theme {
                        s.discovered.insert(id);
                    }
                    for m in &a.touchpoints {
                        if !s.touchpoints.contains(&m.id) {
                            s.touchpoints.insert(m.id.clone());
                        }
                    }
                }
            }
            s
        })
        .reduce(Survey::default, Survey::merge)
}

/// Matches `--by` attribute names to the attribute keys the comments have, ignoring case.
pub(super) fn resolve_breakdowns(
    wanted: Vec<BreakdownBy>,
    attributes: &BTreeSet<String>,
) -> Result<Vec<BreakdownBy>, Error> {
    wanted
        .into_iter()
        .map(|by| match by {
            BreakdownBy::Attribute(name) => attributes
                .iter()
                .find(|a| a.trim().eq_ignore_ascii_case(name.trim()))
                .map(|a| BreakdownBy::Attribute(a.clone()))
                .ok_or_else(|| Error::UnknownAttribute {
                    name,
                    available: attributes.iter().cloned().collect(),
                }),
            other => Ok(other),
        })
        .collect()
}

pub(super) struct ThemeInfo {
    pub(super) name: String,
    pub(super) source: ThemeSource,
    pub(super) direction: Direction,
    pub(super) description: String,
    /// The framework category, for grouping (a model's themes under a crosswalk).
    pub(super) category: Option<String>,
}

/// Themes and touchpoints with dense indices, catalog first, then names only the comments use.
pub(super) struct Registry {
    pub(super) themes: Vec<ThemeInfo>,
    pub(super) lookup: [FxHashMap<String, usize>; 3],
    pub(super) discovered: FxHashMap<u32, usize>,
    pub(super) touchpoints: Vec<(String, String)>,
    pub(super) touch_lookup: FxHashMap<String, usize>,
    /// Touchpoints listed by the catalog (or the default journey): shown even when not mentioned.
    pub(super) journey_len: usize,
}

pub(super) fn source_slot(source: ThemeSource) -> usize {
    match source {
        ThemeSource::Codebook => 0,
        ThemeSource::Model => 1,
        ThemeSource::Discovered => 2,
    }
}

pub(super) fn capitalise(id: &str) -> String {
    let mut chars = id.chars();
    match chars.next() {
        Some(first) => first
            .to_uppercase()
            .chain(chars)
            .collect::<String>()
            .replace(['-', '_'], " "),
        None => String::new(),
    }
}

impl Registry {
    pub(super) fn new(catalog: &ThemeCatalog, survey: &Survey) -> Registry {
        let mut r = Registry {
            themes: Vec::new(),
            lookup: Default::default(),
            discovered: FxHashMap::default(),
            touchpoints: Vec::new(),
            touch_lookup: FxHashMap::default(),
            journey_len: 0,
        };
        for entry in &catalog.themes {
            let slot = source_slot(entry.source);
            if r.lookup[slot].contains_key(&entry.id) || r.lookup[slot].contains_key(&entry.label) {
                continue;
            }
            let idx = r.themes.len();
            r.themes.push(ThemeInfo {
                name: if entry.label.trim().is_empty() {
                    entry.id.clone()
                } else {
                    entry.label.clone()
                },
                source: entry.source,
                direction: entry.direction,
                description: entry.description.clone(),
                category: entry.category.clone(),
            });
            r.lookup[slot].insert(entry.id.clone(), idx);
            r.lookup[slot].insert(entry.label.clone(), idx);
        }
        let slot = source_slot(ThemeSource::Discovered);
        for d in &catalog.discovered {
            let idx = match r.lookup[slot].get(&d.label) {
                Some(&idx) => idx,
                None => {
                    let idx = r.themes.len();
                    r.themes.push(ThemeInfo {
                        name: d.label.clone(),
                        source: ThemeSource::Discovered,
                        direction: Direction::Neutral,
                        description: d.key_phrases.join(", "),
                        category: None,
                    });
                    r.lookup[slot].insert(d.label.clone(), idx);
                    idx
                }
            };
            r.discovered.entry(d.id).or_insert(idx);
        }
        let mut unknown: Vec<&(ThemeSource, Arc<str>)> = survey
            .themes
            .iter()
            .filter(|(source, name)| !r.lookup[source_slot(*source)].contains_key(&**name))
            .collect();
        unknown.sort();
        for (source, name) in unknown {
            let idx = r.themes.len();
            r.themes.push(ThemeInfo {
                name: name.to_string(),
                source: *source,
                direction: Direction::Neutral,
                description: String::new(),
                category: None,
            });
            r.lookup[source_slot(*source)].insert(name.to_string(), idx);
        }
        let mut unknown_ids: Vec<u32> = survey
            .discovered
            .iter()
            .copied()
            .filter(|id| !r.discovered.contains_key(id))
            .collect();
        unknown_ids.sort_unstable();
        for id in unknown_ids {
            let name = format!("Discovered theme {id}");
            let idx = match r.lookup[slot].get(&name) {
                Some(&idx) => idx,
                None => {
                    let idx = r.themes.len();
                    r.themes.push(ThemeInfo {
                        name: name.clone(),
                        source: ThemeSource::Discovered,
                        direction: Direction::Neutral,
                        description: String::new(),
                        category: None,
                    });
                    r.lookup[slot].insert(name, idx);
                    idx
                }
            };
            r.discovered.insert(id, idx);
        }

        if catalog.touchpoints.is_empty() {
            for id in DEFAULT_TOUCHPOINTS {
                r.add_touchpoint(id.to_string(), capitalise(id));
            }
        } else {
            for entry in &catalog.touchpoints {
                let label = if entry.label.trim().is_empty() {
                    capitalise(&entry.id)
                } else {
                    entry.label.clone()
                };
                r.add_touchpoint(entry.id.clone(), label);
            }
        }
        r.journey_len = r.touchpoints.len();
        let mut extra: Vec<&Arc<str>> = survey
            .touchpoints
            .iter()
            .filter(|id| !r.touch_lookup.contains_key(&***id))
            .collect();
        extra.sort();
        for id in extra {
            r.add_touchpoint(id.to_string(), capitalise(id));
        }
        r
    }

    pub(super) fn add_touchpoint(&mut self, id: String, label: String) {
        if !self.touch_lookup.contains_key(&id) {
            self.touch_lookup.insert(id.clone(), self.touchpoints.len());
            self.touchpoints.push((id, label));
        }
    }

    pub(super) fn theme(&self, source: ThemeSource, name: &str) -> Option<usize> {
        self.lookup[source_slot(source)].get(name).copied()
    }
}
