//! GUIDs derived from identities, so that exporting the same store twice gives the same file and a tool
//! can match items across exports (and `import-codings` can find the comment a coding was made on).

use std::fmt;

use chorus_core::keys::stable_hash;

/// A 128-bit identifier written as a UUID (`xxxxxxxx-xxxx-8xxx-Vxxx-xxxxxxxxxxxx`, version 8: made by
/// the application), from two FNV-1a hashes of a kind and an identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Guid(pub u128);

impl Guid {
    /// The GUID of the item of `kind` (`comment`, `code`, `case`…) whose identity is `parts`.
    pub fn of(kind: &str, parts: &[&str]) -> Guid {
        let mut bytes: Vec<&[u8]> = Vec::with_capacity(parts.len() + 2);
        bytes.push(b"chorus-qda");
        bytes.push(kind.as_bytes());
        bytes.extend(parts.iter().map(|p| p.as_bytes()));
        let high = stable_hash(&bytes);
        bytes[0] = b"chorus-qda/2";
        let low = stable_hash(&bytes);
        let mut value = (u128::from(high) << 64) | u128::from(low);
        // Version 8 (application-defined) and the RFC 9562 variant, so tools that check UUIDs accept it.
        value &= !(0xf_u128 << 76);
        value |= 0x8_u128 << 76;
        value &= !(0x3_u128 << 62);
        value |= 0x2_u128 << 62;
        Guid(value)
    }

    /// Parses `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, with or without braces, any case.
    pub fn parse(text: &str) -> Option<Guid> {
        let text = text.trim();
        let text = text
            .strip_prefix('{')
            .and_then(|t| t.strip_suffix('}'))
            .unwrap_or(text);
        let groups: Vec<&str> = text.split('-').collect();
        let lengths = [8, 4, 4, 4, 12];
        if groups.len() != 5 || groups.iter().zip(lengths).any(|(g, n)| g.len() != n) {
            return None;
        }
        u128::from_str_radix(&groups.concat(), 16).ok().map(Guid)
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hex = format!("{:032x}", self.0);
        write!(
            f,
            "{}-{}-{}-{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..32]
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_are_stable_distinct_and_well_formed() {
        let a = Guid::of("comment", &["R1-why"]);
        assert_eq!(a, Guid::of("comment", &["R1-why"]));
        assert_ne!(a, Guid::of("comment", &["R1-improve"]));
        assert_ne!(a, Guid::of("case", &["R1-why"]));
        // Parts are separated: ("ab", "c") is not ("a", "bc").
        assert_ne!(Guid::of("x", &["ab", "c"]), Guid::of("x", &["a", "bc"]));
        let text = a.to_string();
        assert_eq!(text.len(), 36);
        assert_eq!(&text[14..15], "8", "version 8: {text}");
        assert!(matches!(&text[19..20], "8" | "9" | "a" | "b"), "{text}");
        assert_eq!(Guid::parse(&text), Some(a));
        assert_eq!(
            Guid::parse(&format!("{{{}}}", text.to_uppercase())),
            Some(a)
        );
        assert_eq!(Guid::parse("not-a-guid"), None);
    }

    #[test]
    fn the_derivation_never_changes() {
        // Exports made by earlier releases are matched by these GUIDs: pinned.
        assert_eq!(
            Guid::of("user", &["Chorus"]).to_string(),
            "0f617925-7a56-8508-8336-8d33649f8a53"
        );
    }
}
