//! The report font as PDF objects: a Type0 font (Identity-H, so two bytes per glyph) over a
//! CIDFontType2 with the font file subsetted to the glyphs the document uses.
//!
//! Content streams address glyphs by their id in the full font (CID = original glyph id), so a
//! page can be written before the document knows every glyph it will need; the subsetter
//! renumbers glyphs, and the `/CIDToGIDMap` stream maps each CID to its glyph in the subset.
//! `/W` gives every used CID its advance (the same numbers [`crate::text::text_width_pt`]
//! measures with), and the `/ToUnicode` CMap maps each CID back to its character so that text
//! can be searched and copied.

use std::collections::BTreeMap;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Filter, Finish, Name, Pdf, Rect, Ref, Str};
use subsetter::GlyphRemapper;

use crate::font::{FONT_BYTES, FontError, POSTSCRIPT_NAME, ReportFont};

/// Vertical stem width for the font descriptor, 1/1000 em (the stem of Ubuntu Light's "I" is
/// 68 units wide; readers only use it when they substitute a font).
const STEM_V_EM1000: f32 = 70.0;

const IDENTITY: SystemInfo<'static> = SystemInfo {
    registry: Str(b"Adobe"),
    ordering: Str(b"Identity"),
    supplement: 0,
};

/// The glyphs a page (or a document) shows: original glyph id → the character it stands for
/// (the first one seen, when several characters share a glyph).
pub type UsedGlyphs = BTreeMap<u16, char>;

/// `text` as Identity-H codes (big-endian original glyph ids), recording the glyphs in `used`.
pub fn encode(font: &ReportFont, text: &str, used: &mut UsedGlyphs) -> Vec<u8> {
    let mut codes = Vec::with_capacity(2 * text.len());
    font.for_each_glyph(text, |g, c| {
        codes.extend_from_slice(&g.id.to_be_bytes());
        used.entry(g.id).or_insert(c);
    });
    codes
}

/// zlib-compressed `bytes`, for a stream with `/Filter /FlateDecode`.
pub fn deflate(bytes: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(bytes, 6)
}

/// The six capital letters that mark a subset's `/BaseFont` (ISO 32000-1, 9.6.4), from a hash of
/// its glyphs so that different subsets get different tags.
fn subset_tag(used: &UsedGlyphs) -> String {
    // FNV-1a, 32 bits: tiny and stable across Rust versions (std's hasher is not).
    let mut hash: u32 = 0x811c_9dc5;
    for id in used.keys() {
        for b in id.to_be_bytes() {
            hash = (hash ^ u32::from(b)).wrapping_mul(0x0100_0193);
        }
    }
    (0..6)
        .map(|_| {
            let letter = char::from(b'A' + (hash % 26) as u8);
            hash /= 26;
            letter
        })
        .collect()
}

/// The font file cut down to the glyphs `used` (and those their composite glyphs are built
/// from), and how its glyphs were renumbered.
fn subset(used: &UsedGlyphs) -> Result<(Vec<u8>, GlyphRemapper), FontError> {
    // .notdef (glyph 0) is always kept, and comes first.
    let mut remapper = GlyphRemapper::new();
    for &id in used.keys() {
        remapper.remap(id);
    }
    let subset = subsetter::subset(FONT_BYTES, 0, &remapper)
        .map_err(|e| FontError::Subset(e.to_string()))?;
    Ok((subset, remapper))
}

/// Writes the Type0 font `type0` and the objects it needs (ids from `alloc`) for the glyphs
/// `used`.
pub fn write_font(
    pdf: &mut Pdf,
    type0: Ref,
    alloc: &mut Ref,
    font: &ReportFont,
    used: &UsedGlyphs,
) -> Result<(), FontError> {
    let (cid_font, descriptor, to_unicode, file, cid_to_gid) = (
        alloc.bump(),
        alloc.bump(),
        alloc.bump(),
        alloc.bump(),
        alloc.bump(),
    );
    let (subset, remapper) = subset(used)?;
    let base_font = format!("{}+{POSTSCRIPT_NAME}", subset_tag(used));
    let base_font = Name(base_font.as_bytes());

    pdf.type0_font(type0)
        .base_font(base_font)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid_font)
        .to_unicode(to_unicode);

    let mut cid = pdf.cid_font(cid_font);
    cid.subtype(CidFontType::Type2)
        .base_font(base_font)
        .system_info(IDENTITY)
        .font_descriptor(descriptor)
        .default_width(0.0)
        .cid_to_gid_map_stream(cid_to_gid);
    let mut widths = cid.widths();
    // One entry per run of consecutive glyph ids.
    let ids: Vec<u16> = used.keys().copied().collect();
    for run in ids.chunk_by(|a, b| u32::from(*a) + 1 == u32::from(*b)) {
        widths.consecutive(
            run[0],
            run.iter().map(|&id| font.glyph_by_id(id).advance_em1000),
        );
    }
    widths.finish();
    cid.finish();

    let m = font.metrics();
    let [x0, y0, x1, y1] = m.bbox_em1000;
    pdf.font_descriptor(descriptor)
        .name(base_font)
        .flags(FontFlags::NON_SYMBOLIC)
        .bbox(Rect::new(x0, y0, x1, y1))
        .italic_angle(0.0)
        .ascent(m.ascent_em1000)
        .descent(m.descent_em1000)
        .cap_height(m.cap_height_em1000)
        .stem_v(STEM_V_EM1000)
        .font_file2(file);

    let mut cmap = UnicodeCmap::new(Name(b"Adobe-Identity-UCS"), IDENTITY);
    for (&id, &c) in used {
        cmap.pair(id, c);
    }
    let cmap = cmap.finish();
    pdf.cmap(to_unicode, &deflate(&cmap))
        .name(Name(b"Adobe-Identity-UCS"))
        .system_info(IDENTITY)
        .filter(Filter::FlateDecode);

    // CID (original glyph id) → glyph id in the subset, two bytes each; unused CIDs map to 0.
    let last = ids.last().copied().unwrap_or(0);
    let mut map = vec![0u8; 2 * (usize::from(last) + 1)];
    for &id in &ids {
        let new_id = remapper.get(id).unwrap_or(0);
        let at = 2 * usize::from(id);
        map[at..at + 2].copy_from_slice(&new_id.to_be_bytes());
    }
    pdf.stream(cid_to_gid, &deflate(&map))
        .filter(Filter::FlateDecode);

    let length = i32::try_from(subset.len())
        .map_err(|_| FontError::Subset("the subset is larger than 2 GiB".into()))?;
    pdf.stream(file, &deflate(&subset))
        .filter(Filter::FlateDecode)
        .pair(Name(b"Length1"), length);
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn codes_are_original_glyph_ids() {
        let font = ReportFont::get().unwrap();
        let mut used = UsedGlyphs::new();
        let codes = encode(font, "Łó Ł", &mut used);
        assert_eq!(codes.len(), 2 * 4);
        let l = font.glyph('Ł').unwrap().id.to_be_bytes();
        assert_eq!(&codes[..2], &l);
        assert_eq!(&codes[6..], &l);
        assert_eq!(used.len(), 3);
        assert_eq!(used[&font.glyph('ó').unwrap().id], 'ó');
    }

    #[test]
    fn the_subset_is_small_and_keeps_the_copyright_notice() {
        use skrifa::MetadataProvider;
        use skrifa::string::StringId;

        let font = ReportFont::get().unwrap();
        let mut used = UsedGlyphs::new();
        encode(font, "Łukasz Wróbel, Σοφία, Ирина", &mut used);
        let (bytes, remapper) = subset(&used).unwrap();
        assert!(bytes.len() < FONT_BYTES.len() / 10, "{} bytes", bytes.len());
        let sub = skrifa::FontRef::new(&bytes).unwrap();
        // The licence's first condition: each copy carries the notice.
        let notice: String = sub
            .localized_strings(StringId::COPYRIGHT_NOTICE)
            .english_or_first()
            .unwrap()
            .chars()
            .collect();
        assert!(
            notice.contains("Canonical") && notice.contains("Ubuntu Font Licence"),
            "{notice}"
        );
        // Every used glyph is in the subset, with the advance the PDF declares for it.
        let metrics = sub.glyph_metrics(
            skrifa::instance::Size::unscaled(),
            skrifa::instance::LocationRef::default(),
        );
        for &id in used.keys() {
            let new_id = remapper.get(id).unwrap();
            let advance = metrics.advance_width(new_id.into()).unwrap();
            assert_eq!(advance, font.glyph_by_id(id).advance_em1000, "glyph {id}");
        }
    }

    #[test]
    fn tags_are_six_capitals_and_differ() {
        let a = subset_tag(&UsedGlyphs::from([(3, 'a')]));
        let b = subset_tag(&UsedGlyphs::from([(4, 'b')]));
        assert_eq!(a.len(), 6);
        assert!(a.chars().all(|c| c.is_ascii_uppercase()));
        assert_ne!(a, b);
    }
}
