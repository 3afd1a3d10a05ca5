//! Measuring and fitting text set in the report font ([`crate::font`]).
//!
//! All text is set in one embedded face (Ubuntu Light) so that a line mixing a heading, a
//! patient's Greek code and a number looks of a piece; bold is that face drawn with an outline
//! (see [`Face::Bold`]). Widths here are the font's own advances, the same numbers the PDF's
//! `/W` array gives readers, so alignment computed here is what readers show.

use crate::font::ReportFont;

/// Outline width of the bold face, em. Ubuntu Light's stems are 0.068 em; stroking the outline
/// adds its full width to every stem, which takes them near Ubuntu Medium's.
const BOLD_STROKE_EM: f32 = 0.045;

/// The two faces the reports use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    /// Ubuntu Light as it is.
    Regular,
    /// Ubuntu Light filled and stroked with its own colour (the embedded font has no bold face);
    /// each glyph advances by the stroke width more, so the thicker letters keep their spacing.
    Bold,
}

impl Face {
    /// Width of the outline drawn around the glyphs at `size_pt`, points (0 for regular).
    pub fn stroke_width_pt(self, size_pt: f32) -> f32 {
        match self {
            Face::Regular => 0.0,
            Face::Bold => BOLD_STROKE_EM * size_pt,
        }
    }

    /// Extra advance after every glyph at `size_pt` (the PDF's character spacing), points.
    pub fn extra_advance_pt(self, size_pt: f32) -> f32 {
        self.stroke_width_pt(size_pt)
    }
}

/// Width of `text` set in `face` at `size_pt`, points.
pub fn text_width_pt(text: &str, face: Face, size_pt: f32) -> f32 {
    let Ok(font) = ReportFont::get() else {
        // Unreachable in a report: `Document::new` fails first when the font cannot be read.
        // Half an em per character keeps layout code total.
        return text.chars().count() as f32 * 0.5 * size_pt;
    };
    let mut units_em1000 = 0.0;
    let mut glyphs = 0usize;
    font.for_each_glyph(text, |g, _| {
        units_em1000 += g.advance_em1000;
        glyphs += 1;
    });
    // The character spacing follows every glyph, but the last one's is not part of the text's
    // extent: the bold outline reaches half a stroke beyond the regular glyphs on both sides.
    units_em1000 * size_pt / 1000.0
        + glyphs.saturating_sub(1) as f32 * face.extra_advance_pt(size_pt)
}

/// Splits `text` into lines no wider than `max_width_pt` (words longer than a line are cut).
pub fn wrap(text: &str, face: Face, size_pt: f32, max_width_pt: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if text_width_pt(&candidate, face, size_pt) <= max_width_pt {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // A word wider than the line on its own: cut it.
            let mut piece = String::new();
            for c in word.chars() {
                piece.push(c);
                if text_width_pt(&piece, face, size_pt) > max_width_pt && piece.chars().count() > 1
                {
                    piece.pop();
                    lines.push(std::mem::take(&mut piece));
                    piece.push(c);
                }
            }
            line = piece;
        }
        lines.push(line);
    }
    lines
}

/// `text` shortened with an ellipsis to fit `max_width_pt`.
pub fn ellipsize(text: &str, face: Face, size_pt: f32, max_width_pt: f32) -> String {
    if text_width_pt(text, face, size_pt) <= max_width_pt {
        return text.to_string();
    }
    let mut out: String = text.to_string();
    while !out.is_empty() && text_width_pt(&format!("{out}…"), face, size_pt) > max_width_pt {
        out.pop();
    }
    format!("{}…", out.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_follow_the_font_metrics() {
        #![allow(clippy::unwrap_used)]
        let font = ReportFont::get().unwrap();
        let advance = |c| font.glyph(c).unwrap().advance_em1000;
        let hello: f32 = "Hello".chars().map(advance).sum();
        assert!((text_width_pt("Hello", Face::Regular, 10.0) - hello / 100.0).abs() < 1e-4);
        // Bold: five glyphs, 0.045 em more between each two.
        let bold = text_width_pt("Hello", Face::Bold, 10.0);
        assert!((bold - hello / 100.0 - 4.0 * 0.45).abs() < 1e-4, "{bold}");
        // Characters outside Latin-1 have their own widths, not those of a "?".
        assert!(text_width_pt("Ш", Face::Regular, 10.0) > text_width_pt("?", Face::Regular, 10.0));
        assert_eq!(
            text_width_pt("a\tb", Face::Regular, 10.0),
            text_width_pt("a b", Face::Regular, 10.0)
        );
    }

    #[test]
    fn wraps_within_the_width() {
        for text in [
            "the patient walked with the cue and kept the tempo during fading",
            "Πάτησε σταθερά με το αριστερό και κράτησε τον ρυθμό ως το τέλος της συνεδρίας",
        ] {
            let lines = wrap(text, Face::Regular, 9.0, 100.0);
            assert!(lines.len() > 2);
            for l in &lines {
                assert!(text_width_pt(l, Face::Regular, 9.0) <= 100.0, "{l}");
            }
            assert_eq!(lines.join(" "), text);
            let short = ellipsize(text, Face::Regular, 9.0, 60.0);
            assert!(short.ends_with('…') && text_width_pt(&short, Face::Regular, 9.0) <= 60.0);
        }
    }
}
