//! The reports' typeface: Ubuntu Light, as `epaint_default_fonts` ships it (the same bytes the
//! clinician's window draws with), read with `skrifa`.
//!
//! The PDF base-14 fonts only cover WinAnsi (Latin-1), and patients' codes, notes and the
//! clinicians' marks on a European ward are Polish, Czech, Greek, Cyrillic... Ubuntu covers Latin
//! Extended-A, modern Greek and Cyrillic. Licence: Ubuntu Font Licence 1.0 (see the crate's NOTICE);
//! the subset embedded in each PDF keeps the font's copyright notice in its `name` table.
//!
//! Text is set glyph by glyph from the font's `cmap`, without shaping (no kerning, no ligatures):
//! enough for precomposed Latin, Greek and Cyrillic, and exactly what the widths here measure.

use std::collections::HashMap;
use std::sync::OnceLock;

use skrifa::MetadataProvider;
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, GlyphId};

/// The TrueType file embedded (subsetted) into every report.
pub(crate) const FONT_BYTES: &[u8] = epaint_default_fonts::UBUNTU_LIGHT;
/// Its PostScript name (`name` ID 6).
pub(crate) const POSTSCRIPT_NAME: &str = "Ubuntu-Light";

/// The report font could not be read or embedded.
#[derive(Debug, Clone, thiserror::Error)]
pub enum FontError {
    /// The font file does not parse.
    #[error("the report font ({POSTSCRIPT_NAME}) cannot be read: {0}")]
    Unreadable(String),
    /// The font lacks a glyph the reports cannot do without.
    #[error("the report font ({POSTSCRIPT_NAME}) has no glyph for {0:?}")]
    MissingGlyph(char),
    /// The subset for the PDF could not be made.
    #[error("subsetting the report font ({POSTSCRIPT_NAME}): {0}")]
    Subset(String),
}

/// One glyph of the font as the reports use it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Glyph {
    /// Glyph id in the (unsubsetted) font.
    pub id: u16,
    /// Advance width, 1/1000 em (PDF glyph space).
    pub advance_em1000: f32,
}

/// The font's global metrics, 1/1000 em (what a PDF font descriptor wants).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FontMetrics {
    /// Ascender (above the baseline).
    pub ascent_em1000: f32,
    /// Descender (negative, below the baseline).
    pub descent_em1000: f32,
    /// Height of the capital letters.
    pub cap_height_em1000: f32,
    /// Bounding box of all glyphs: x min, y min, x max, y max.
    pub bbox_em1000: [f32; 4],
}

/// The parsed font: character map and advance widths, read once.
pub struct ReportFont {
    glyph_of_char: HashMap<char, u16>,
    /// Indexed by glyph id.
    advances_em1000: Vec<f32>,
    metrics: FontMetrics,
    question_mark: u16,
}

impl std::fmt::Debug for ReportFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Not the thousands of cmap entries.
        f.debug_struct("ReportFont")
            .field("name", &POSTSCRIPT_NAME)
            .field("glyphs", &self.advances_em1000.len())
            .field("characters", &self.glyph_of_char.len())
            .finish_non_exhaustive()
    }
}

impl ReportFont {
    /// The report font, parsed on first use.
    pub fn get() -> Result<&'static ReportFont, FontError> {
        static FONT: OnceLock<Result<ReportFont, FontError>> = OnceLock::new();
        FONT.get_or_init(|| ReportFont::parse(FONT_BYTES))
            .as_ref()
            .map_err(Clone::clone)
    }

    fn parse(bytes: &[u8]) -> Result<ReportFont, FontError> {
        let font = FontRef::new(bytes).map_err(|e| FontError::Unreadable(e.to_string()))?;
        let metrics = font.metrics(Size::unscaled(), LocationRef::default());
        if metrics.units_per_em == 0 {
            return Err(FontError::Unreadable("units per em is 0".into()));
        }
        let to_em1000 = 1000.0 / f32::from(metrics.units_per_em);
        let glyph_metrics = font.glyph_metrics(Size::unscaled(), LocationRef::default());
        let advances_em1000 = (0..metrics.glyph_count)
            .map(|id| {
                glyph_metrics
                    .advance_width(GlyphId::from(id))
                    .unwrap_or(0.0)
                    * to_em1000
            })
            .collect();
        // Glyph ids beyond u16 cannot occur in a TrueType font (maxp counts them in a u16).
        let glyph_of_char = font
            .charmap()
            .mappings()
            .filter_map(|(code, gid)| {
                Some((char::from_u32(code)?, u16::try_from(gid.to_u32()).ok()?))
            })
            .collect::<HashMap<char, u16>>();
        let question_mark = *glyph_of_char
            .get(&'?')
            .ok_or(FontError::MissingGlyph('?'))?;
        let bbox_em1000 = metrics.bounds.map_or([0.0, -250.0, 1000.0, 1000.0], |b| {
            [
                b.x_min * to_em1000,
                b.y_min * to_em1000,
                b.x_max * to_em1000,
                b.y_max * to_em1000,
            ]
        });
        Ok(ReportFont {
            glyph_of_char,
            advances_em1000,
            metrics: FontMetrics {
                ascent_em1000: metrics.ascent * to_em1000,
                descent_em1000: metrics.descent * to_em1000,
                cap_height_em1000: metrics
                    .cap_height
                    .map_or(metrics.ascent * 0.75, |h| h * to_em1000),
                bbox_em1000,
            },
            question_mark,
        })
    }

    /// The font's global metrics.
    pub fn metrics(&self) -> FontMetrics {
        self.metrics
    }

    /// The glyph with id `id` (its advance is 0 for an id the font does not have).
    pub fn glyph_by_id(&self, id: u16) -> Glyph {
        Glyph {
            id,
            advance_em1000: self
                .advances_em1000
                .get(usize::from(id))
                .copied()
                .unwrap_or(0.0),
        }
    }

    /// The font's own glyph for `c`, if it has one.
    pub fn glyph(&self, c: char) -> Option<Glyph> {
        self.glyph_of_char.get(&c).map(|&id| self.glyph_by_id(id))
    }

    /// Calls `emit` with each glyph that shows `text` and the character it stands for (what a
    /// reader copying the text gets). Line breaks and tabs become spaces; a character the font
    /// lacks becomes a close ASCII spelling (`→` as `->`) or `?`, as the base-14 fonts did.
    pub fn for_each_glyph(&self, text: &str, mut emit: impl FnMut(Glyph, char)) {
        for c in text.chars() {
            let c = if matches!(c, '\t' | '\n' | '\r') {
                ' '
            } else {
                c
            };
            if let Some(g) = self.glyph(c) {
                emit(g, c);
                continue;
            }
            let spelled = match c {
                // Canonical equivalents the font has under the other code point.
                '\u{387}' => "·", // Greek ano teleia
                '\u{37E}' => ";", // Greek question mark
                '→' => "->",
                '←' => "<-",
                '↑' => "^",
                '\u{1E9E}' => "SS", // capital sharp s
                _ => "?",
            };
            for s in spelled.chars() {
                match self.glyph(s) {
                    Some(g) => emit(g, s),
                    None => emit(self.glyph_by_id(self.question_mark), '?'),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn covers_the_ward_s_alphabets() {
        let font = ReportFont::get().unwrap();
        let names = "Łukasz Wróbel Dvořák Σοφία Παπαδοπούλου Ирина Кузнецова Ärztin Ñ ő ű ş ğ ė ų";
        for c in names.chars() {
            assert!(font.glyph(c).is_some(), "no glyph for {c:?}");
        }
        // Latin Extended-A entirely; modern Greek (U+0387 has a fallback; U+038B, U+038D and
        // U+03A2 are unassigned) and the basic Cyrillic block.
        let blocks = ['\u{100}'..='\u{17F}', 'Ά'..='ώ', 'Ѐ'..='џ'];
        for c in blocks.into_iter().flatten() {
            if !['\u{387}', '\u{38B}', '\u{38D}', '\u{3A2}'].contains(&c) {
                assert!(font.glyph(c).is_some(), "no glyph for U+{:04X}", c as u32);
            }
        }
    }

    #[test]
    fn falls_back_for_what_the_font_lacks() {
        let font = ReportFont::get().unwrap();
        let mut shown = String::new();
        font.for_each_glyph("a→b\n步 ά\u{387}", |_, c| shown.push(c));
        assert_eq!(shown, "a->b ? ά·");
        assert!(font.glyph('≥').is_some(), "the thresholds use ≥");
    }

    #[test]
    fn widths_come_from_the_font() {
        let font = ReportFont::get().unwrap();
        let (i, m) = (font.glyph('i').unwrap(), font.glyph('M').unwrap());
        assert!(i.advance_em1000 > 100.0 && i.advance_em1000 < m.advance_em1000);
        let metrics = font.metrics();
        assert!(metrics.ascent_em1000 > 600.0 && metrics.descent_em1000 < 0.0);
    }
}
