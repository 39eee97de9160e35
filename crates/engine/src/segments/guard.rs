//! The over-segmentation guard: how the chosen segments overlap, and which
//! are too small for the platforms or nearly the same as another.

use serde::{Deserialize, Serialize};

use super::Segment;
use crate::wording::{count, thousands};

/// Matched people Meta needs for a usable custom audience.
pub const META_MINIMUM: u64 = 100;
/// Matches TikTok needs for a usable audience.
pub const TIKTOK_MINIMUM: u64 = 1000;
/// Two segments sharing this much of the smaller one are near duplicates.
const NEARLY_ALL: f64 = 0.9;

/// `segment_guard` in `summary.json`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Guard {
    pub names: Vec<String>,
    pub sizes: Vec<u64>,
    /// Customers in both segment i and segment j (the diagonal: sizes).
    pub overlap: Vec<Vec<u64>>,
    pub warnings: Vec<String>,
}

/// Overlaps and warnings for `segments`.
pub fn guard(segments: &[Segment]) -> Guard {
    let k = segments.len();
    let mut overlap = vec![vec![0u64; k]; k];
    for a in 0..k {
        for b in a..k {
            let both = segments[a]
                .members
                .iter()
                .zip(&segments[b].members)
                .filter(|(x, y)| **x && **y)
                .count() as u64;
            overlap[a][b] = both;
            overlap[b][a] = both;
        }
    }
    let mut warnings = Vec::new();
    for s in segments {
        let name = &s.definition.name;
        if s.count == 0 {
            warnings.push(format!("{name} has no customers."));
        } else if s.count < META_MINIMUM {
            warnings.push(format!(
                "{name} has {}: too few for a Meta audience (about {META_MINIMUM} matched people) or a TikTok one (about {}); use it for email or merge it with a similar segment.",
                count(s.count, "customer", "customers"),
                thousands(TIKTOK_MINIMUM)
            ));
        } else if s.count < TIKTOK_MINIMUM {
            warnings.push(format!(
                "{name} has {}: enough for email and Meta, too few for a TikTok audience (about {} matches).",
                count(s.count, "customer", "customers"),
                thousands(TIKTOK_MINIMUM)
            ));
        }
    }
    for a in 0..k {
        for b in a + 1..k {
            let smaller = segments[a].count.min(segments[b].count);
            if smaller == 0 {
                continue;
            }
            let share = overlap[a][b] as f64 / smaller as f64;
            if share >= NEARLY_ALL {
                let (small, large) = if segments[a].count <= segments[b].count {
                    (a, b)
                } else {
                    (b, a)
                };
                warnings.push(format!(
                    "{:.0} % of {} is also in {}: they overlap almost entirely; keep one, or make them exclusive.",
                    share * 100.0,
                    segments[small].definition.name,
                    segments[large].definition.name
                ));
            }
        }
    }
    Guard {
        names: segments.iter().map(|s| s.definition.name.clone()).collect(),
        sizes: segments.iter().map(|s| s.count).collect(),
        overlap,
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segments::SegmentDefinition;

    fn segment(name: &str, members: Vec<bool>) -> Segment {
        let count = members.iter().filter(|&&m| m).count() as u64;
        Segment {
            definition: SegmentDefinition {
                name: name.into(),
                query: String::new(),
            },
            members,
            count,
        }
    }

    #[test]
    fn overlaps_and_warnings() {
        let n = 3000;
        let big = segment("big", (0..n).map(|i| i < 2500).collect());
        let inside = segment("inside", (0..n).map(|i| i < 1200).collect());
        let small = segment("small", (0..n).map(|i| i >= 2950).collect());
        let g = guard(&[big, inside, small]);
        assert_eq!(g.overlap[0][0], 2500);
        assert_eq!(g.overlap[0][1], 1200);
        assert_eq!(g.overlap[1][0], 1200);
        assert_eq!(g.overlap[0][2], 0);
        assert!(
            g.warnings
                .iter()
                .any(|w| w.starts_with("100 % of inside is also in big")),
            "{:?}",
            g.warnings
        );
        assert!(
            g.warnings
                .iter()
                .any(|w| w.starts_with("small has 50 customers: too few for a Meta audience")),
            "{:?}",
            g.warnings
        );
        assert_eq!(g.warnings.len(), 2);
    }
}
