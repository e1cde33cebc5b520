//! Strings that a million comments repeat, held once.
//!
//! A survey export repeats the same question wording, service, organisation, column header and attribute
//! values on every row, and theming repeats the same theme and touchpoint names on every comment. Held as a
//! `String` each, they were most of the memory of a million comments read back from a store (about 1 KB a
//! comment, against 100 bytes of text). Held as [`Arc<str>`] and shared through an [`Interner`], each
//! distinct value exists once. Serialised, an `Arc<str>` is a plain string, so nothing stored changes.

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Gives out one shared copy of each distinct string it sees.
///
/// Use one per batch of comments (`Store::comments` uses one per chunk it reads): the copies it hands out
/// live as long as the comments that hold them, the interner only as long as the batch.
#[derive(Debug, Default)]
pub struct Interner {
    seen: HashSet<Arc<str>>,
}

impl Interner {
    /// An interner that has seen nothing.
    pub fn new() -> Interner {
        Interner::default()
    }

    /// Replaces `value` with the shared copy of what it says, freeing `value`'s own copy if it was the
    /// only holder.
    pub fn share(&mut self, value: &mut Arc<str>) {
        match self.seen.get(&**value) {
            Some(shared) => *value = Arc::clone(shared),
            None => {
                self.seen.insert(Arc::clone(value));
            }
        }
    }
}

/// A comment's other columns (age band, ethnicity, sub-service…), by column header, sorted by header.
///
/// A small sorted list rather than a map: a comment has a handful, and a tree node per comment cost more
/// than the values. Serialised as a JSON object, as a map would be.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Attributes {
    entries: Vec<(Arc<str>, Arc<str>)>,
}

impl Attributes {
    /// No attributes.
    pub fn new() -> Attributes {
        Attributes::default()
    }

    /// Sets the value of the attribute `name`, replacing any value it had.
    pub fn insert(&mut self, name: impl Into<Arc<str>>, value: impl Into<Arc<str>>) {
        let name = name.into();
        let value = value.into();
        match self.entries.binary_search_by(|(n, _)| (**n).cmp(&*name)) {
            Ok(i) => self.entries[i].1 = value,
            Err(i) => self.entries.insert(i, (name, value)),
        }
    }

    /// The value of the attribute `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.entries
            .binary_search_by(|(n, _)| (**n).cmp(name))
            .ok()
            .map(|i| &*self.entries[i].1)
    }

    /// Name and value of every attribute, sorted by name.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &str)> + '_ {
        self.entries.iter().map(|(n, v)| (&**n, &**v))
    }

    /// The attribute names, sorted.
    pub fn names(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.entries.iter().map(|(n, _)| &**n)
    }

    /// Removes every attribute.
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// How many attributes there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Shares every name and value through `interner` (see [`Interner::share`]).
    pub fn share_strings(&mut self, interner: &mut Interner) {
        for (name, value) in &mut self.entries {
            interner.share(name);
            interner.share(value);
        }
    }
}

impl<'a> IntoIterator for &'a Attributes {
    type Item = (&'a str, &'a str);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (Arc<str>, Arc<str>)>,
        fn(&'a (Arc<str>, Arc<str>)) -> (&'a str, &'a str),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(n, v)| (&**n, &**v))
    }
}

impl<N: Into<Arc<str>>, V: Into<Arc<str>>> FromIterator<(N, V)> for Attributes {
    fn from_iter<I: IntoIterator<Item = (N, V)>>(iter: I) -> Attributes {
        let mut attributes = Attributes::new();
        for (name, value) in iter {
            attributes.insert(name, value);
        }
        attributes
    }
}

impl Serialize for Attributes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.entries.len()))?;
        for (name, value) in &self.entries {
            map.serialize_entry(&**name, &**value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Attributes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Attributes, D::Error> {
        struct AttributesVisitor;

        impl<'de> Visitor<'de> for AttributesVisitor {
            type Value = Attributes;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of attribute names to values")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Attributes, A::Error> {
                let mut attributes = Attributes::new();
                attributes.entries.reserve(map.size_hint().unwrap_or(0));
                while let Some((name, value)) = map.next_entry::<String, String>()? {
                    attributes.insert(name, value);
                }
                Ok(attributes)
            }
        }

        deserializer.deserialize_map(AttributesVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interned_values_share_one_allocation() {
        let mut interner = Interner::new();
        let mut a: Arc<str> = Arc::from("Outpatients");
        let mut b: Arc<str> = Arc::from("Outpatients");
        let mut c: Arc<str> = Arc::from("Maternity");
        for value in [&mut a, &mut b, &mut c] {
            interner.share(value);
        }
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &c));
    }

    #[test]
    fn attributes_stay_sorted_and_replace_by_name() {
        let mut attributes: Attributes =
            [("Ward", "7"), ("Age band", "18-24")].into_iter().collect();
        attributes.insert("Ward", "9");
        assert_eq!(
            attributes.iter().collect::<Vec<_>>(),
            [("Age band", "18-24"), ("Ward", "9")]
        );
        assert_eq!(attributes.get("Ward"), Some("9"));
        assert_eq!(attributes.get("Gender"), None);
    }

    #[test]
    fn attributes_round_trip_as_a_json_object() {
        let attributes: Attributes = [("b", "2"), ("a", "1")].into_iter().collect();
        let json = serde_json::to_string(&attributes).expect("serialises");
        assert_eq!(json, r#"{"a":"1","b":"2"}"#);
        let back: Attributes = serde_json::from_str(&json).expect("deserialises");
        assert_eq!(back, attributes);
    }
}
