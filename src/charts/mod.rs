//! Chart building blocks drawn as HTML (grids of buttons, bars), so every
//! mark can be focused, read by a screen reader, clicked and hovered with a
//! tooltip; colours come from [`shade`], a binned scale whose every class
//! keeps text at WCAG AA contrast.

mod bars;
mod heatmap;
mod histogram;

pub use bars::{BarPair, BarPairs};
pub use heatmap::{HeatCell, Heatmap};
pub use histogram::{Histogram, HistogramBar};

/// Background and text classes of the sequential scale: light to dark
/// green, text dark on the first three and white on the last two (each
/// pair at least 4.5 : 1).
const SHADES: [(&str, &str); 5] = [
    ("#e3f1ec", "#1d2327"),
    ("#b8dccf", "#1d2327"),
    ("#6fb8a0", "#1d2327"),
    ("#2b7a64", "#ffffff"),
    ("#14503f", "#ffffff"),
];

/// `style` for a cell of intensity `t` (0–1 of the largest): a binned
/// shade, or none for nothing (`t` = 0), which CSS draws as an empty cell.
pub fn shade(t: f64) -> String {
    if t.is_nan() || t <= 0.0 {
        return String::new();
    }
    let class = ((t * SHADES.len() as f64).ceil() as usize).clamp(1, SHADES.len()) - 1;
    let (background, ink) = SHADES[class];
    format!("background: {background}; color: {ink}")
}

/// The legend's swatches, lightest first, with the value each starts at.
pub fn shade_legend(max: f64, label: impl Fn(f64) -> String) -> Vec<(String, String)> {
    let n = SHADES.len() as f64;
    SHADES
        .iter()
        .enumerate()
        .map(|(i, (background, ink))| {
            let from = max * i as f64 / n;
            (
                format!("background: {background}; color: {ink}"),
                format!("{}+", label(from)),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// WCAG relative luminance of `#rrggbb`.
    fn luminance(hex: &str) -> f64 {
        let channel = |i: usize| {
            let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).expect("test data")) / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
    }

    #[test]
    fn every_shade_keeps_its_text_readable() {
        for (background, ink) in SHADES {
            let (a, b) = (luminance(background), luminance(ink));
            let contrast = (a.max(b) + 0.05) / (a.min(b) + 0.05);
            assert!(contrast >= 4.5, "{background} / {ink}: {contrast:.2}");
        }
    }

    #[test]
    fn shades_rise_with_the_value_and_nothing_is_blank() {
        assert_eq!(shade(0.0), "");
        assert_eq!(shade(f64::NAN), "");
        assert!(shade(0.01).contains(SHADES[0].0));
        assert!(shade(0.5).contains(SHADES[2].0));
        assert!(shade(1.0).contains(SHADES[4].0));
        assert!(shade(7.0).contains(SHADES[4].0));
    }
}
