//! Discovered themes by clustering (STUB: the API the engine calls; being implemented).

use chorus_core::DiscoveredTheme;

/// How many themes to discover.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClusterCount {
    /// Exactly this many.
    Fixed(usize),
    /// Chosen from the data.
    Auto,
}

/// Options for discovery.
#[derive(Debug, Clone)]
pub struct DiscoverOptions {
    /// How many themes.
    pub count: ClusterCount,
    /// Seed for every random choice; the same seed gives the same themes.
    pub seed: u64,
}

/// One comment offered to discovery.
#[derive(Debug, Clone, Copy)]
pub struct DiscoverDoc<'a> {
    /// The comment text.
    pub text: &'a str,
    /// Whether to cluster it (false: set aside, e.g. already explained by the codebook, or no comment).
    pub include: bool,
}

/// The result: per input doc, its theme and similarity (None if set aside or unplaced), and the themes.
#[derive(Debug, Clone, Default)]
pub struct Discovery {
    /// Per input doc, in input order.
    pub assignments: Vec<Option<(u32, f32)>>,
    /// The themes, with labels, key phrases and quotes.
    pub themes: Vec<DiscoveredTheme>,
}

/// Clusters the included docs (stub: places nothing).
pub fn discover(docs: &[DiscoverDoc<'_>], _options: &DiscoverOptions) -> Discovery {
    Discovery {
        assignments: vec![None; docs.len()],
        themes: Vec::new(),
    }
}
