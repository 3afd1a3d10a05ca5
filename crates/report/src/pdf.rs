//! A small page-layout layer over `pdf-writer`: A4 pages, text in the embedded report font
//! ([`crate::font`], written out by [`crate::embed`]), rules and filled boxes. Coordinates are
//! points measured from the page's top-left corner.

use pdf_writer::types::TextRenderingMode;
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use crate::embed::{UsedGlyphs, deflate, encode, write_font};
use crate::error::ReportError;
use crate::font::ReportFont;
use crate::text::{Face, text_width_pt};

/// A4 width, points.
pub const A4_WIDTH_PT: f32 = 595.28;
/// A4 height, points.
pub const A4_HEIGHT_PT: f32 = 841.89;

/// An RGB colour, components 0..=1.
pub type Rgb = (f32, f32, f32);

/// Black.
pub const BLACK: Rgb = (0.0, 0.0, 0.0);
/// Grey for secondary text.
pub const GREY: Rgb = (0.38, 0.38, 0.38);
/// Light grey for rules.
pub const RULE: Rgb = (0.75, 0.75, 0.75);
/// The report's accent colour.
pub const ACCENT: Rgb = (0.09, 0.33, 0.55);

/// The resource name of the report font on every page (both faces are the same font).
const FONT_NAME: Name<'static> = Name(b"F1");

/// One page being drawn.
pub struct Page {
    content: Content,
    font: &'static ReportFont,
    glyphs: UsedGlyphs,
}

impl std::fmt::Debug for Page {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Page")
            .field("glyphs", &self.glyphs.len())
            .finish_non_exhaustive()
    }
}

impl Page {
    /// PDF's y (from the bottom) of a layout y (from the top).
    pub fn flip_y(y_pt: f32) -> f32 {
        A4_HEIGHT_PT - y_pt
    }

    /// The raw content stream (for the chart backend's paths).
    pub fn content_mut(&mut self) -> &mut Content {
        &mut self.content
    }

    /// Sets `text` with the text matrix `matrix` (PDF coordinates: rotation and the baseline
    /// start), in `face` at `size_pt`. Every text of the page goes through here, so that the
    /// page knows which glyphs its font subset needs.
    pub fn show_text(
        &mut self,
        matrix: [f32; 6],
        size_pt: f32,
        face: Face,
        color: Rgb,
        text: &str,
    ) {
        let codes = encode(self.font, text, &mut self.glyphs);
        // Saved and restored so that the bold face's stroke, rendering mode and spacing (text
        // state outlives the text object) do not leak into later text or paths.
        self.content
            .save_state()
            .set_fill_rgb(color.0, color.1, color.2);
        if face == Face::Bold {
            self.content
                .set_stroke_rgb(color.0, color.1, color.2)
                .set_line_width(face.stroke_width_pt(size_pt));
        }
        self.content.begin_text().set_font(FONT_NAME, size_pt);
        if face == Face::Bold {
            self.content
                .set_text_rendering_mode(TextRenderingMode::FillStroke)
                .set_char_spacing(face.extra_advance_pt(size_pt));
        }
        self.content
            .set_text_matrix(matrix)
            .show(Str(&codes))
            .end_text()
            .restore_state();
    }

    /// Text with its baseline at `y_pt`, starting at `x_pt`.
    pub fn text(&mut self, x_pt: f32, y_pt: f32, size_pt: f32, face: Face, color: Rgb, text: &str) {
        let matrix = [1.0, 0.0, 0.0, 1.0, x_pt, Self::flip_y(y_pt)];
        self.show_text(matrix, size_pt, face, color, text);
    }

    /// Text ending at `x_right_pt`.
    pub fn text_right(
        &mut self,
        x_right_pt: f32,
        y_pt: f32,
        size_pt: f32,
        face: Face,
        color: Rgb,
        text: &str,
    ) {
        let w = text_width_pt(text, face, size_pt);
        self.text(x_right_pt - w, y_pt, size_pt, face, color, text);
    }

    /// A straight line.
    pub fn line(&mut self, from: (f32, f32), to: (f32, f32), width_pt: f32, color: Rgb) {
        self.content
            .set_stroke_rgb(color.0, color.1, color.2)
            .set_line_width(width_pt)
            .move_to(from.0, Self::flip_y(from.1))
            .line_to(to.0, Self::flip_y(to.1))
            .stroke();
    }

    /// A filled box with its top-left corner at (`x_pt`, `y_pt`).
    pub fn fill_rect(&mut self, x_pt: f32, y_pt: f32, w_pt: f32, h_pt: f32, color: Rgb) {
        self.content
            .set_fill_rgb(color.0, color.1, color.2)
            .rect(x_pt, Self::flip_y(y_pt + h_pt), w_pt, h_pt)
            .fill_nonzero();
    }
}

/// A document of A4 pages.
#[derive(Debug)]
pub struct Document {
    pages: Vec<Page>,
    title: String,
    font: &'static ReportFont,
}

impl Document {
    /// An empty document with a title (shown by PDF readers); fails if the report font cannot
    /// be read.
    pub fn new(title: &str) -> Result<Self, ReportError> {
        Ok(Document {
            pages: Vec::new(),
            title: title.to_string(),
            font: ReportFont::get()?,
        })
    }

    /// Starts a new page and returns it.
    pub fn add_page(&mut self) -> &mut Page {
        self.pages.push(Page {
            content: Content::new(),
            font: self.font,
            glyphs: UsedGlyphs::new(),
        });
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// Number of pages so far.
    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// The PDF file's bytes: the pages (compressed) and the font subset they use.
    pub fn finish(self) -> Result<Vec<u8>, ReportError> {
        let mut alloc = Ref::new(1);
        let catalog_id = alloc.bump();
        let tree_id = alloc.bump();
        let info_id = alloc.bump();
        let font_id = alloc.bump();
        let page_ids: Vec<(Ref, Ref)> = self
            .pages
            .iter()
            .map(|_| (alloc.bump(), alloc.bump()))
            .collect();
        let mut pdf = Pdf::new();
        pdf.catalog(catalog_id).pages(tree_id);
        pdf.pages(tree_id)
            .kids(page_ids.iter().map(|ids| ids.0))
            .count(page_ids.len() as i32);
        pdf.document_info(info_id)
            .title(TextStr(&self.title))
            .producer(TextStr("Entrain (entrain-report)"));
        let mut used = UsedGlyphs::new();
        for (page, &(page_id, content_id)) in self.pages.into_iter().zip(&page_ids) {
            for (id, c) in page.glyphs {
                used.entry(id).or_insert(c);
            }
            let mut p = pdf.page(page_id);
            p.parent(tree_id)
                .media_box(Rect::new(0.0, 0.0, A4_WIDTH_PT, A4_HEIGHT_PT))
                .contents(content_id);
            p.resources().fonts().pair(FONT_NAME, font_id);
            p.finish();
            let data = page.content.finish();
            pdf.stream(content_id, &deflate(&data))
                .filter(Filter::FlateDecode);
        }
        write_font(&mut pdf, font_id, &mut alloc, self.font, &used)?;
        Ok(pdf.finish())
    }
}

/// How a table column is aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Left.
    Left,
    /// Right (numbers).
    Right,
}

/// A simple table: a bold header row, a rule, then rows at a fixed pitch.
#[derive(Debug, Clone)]
pub struct Table<'a> {
    /// Column widths, points.
    pub widths: &'a [f32],
    /// Column alignment.
    pub aligns: &'a [Align],
    /// Font size, points.
    pub size_pt: f32,
    /// Row pitch, points.
    pub row_pt: f32,
}

impl Table<'_> {
    /// Draws `header` and `rows` with the table's top-left at (`x_pt`, `y_pt`); returns the y
    /// below the last row.
    pub fn draw(
        &self,
        page: &mut Page,
        x_pt: f32,
        y_pt: f32,
        header: &[&str],
        rows: &[impl AsRef<[String]>],
    ) -> f32 {
        let total: f32 = self.widths.iter().sum();
        let mut y = y_pt + self.size_pt;
        self.row(
            page,
            x_pt,
            y,
            header.iter().map(|s| s.to_string()),
            Face::Bold,
            GREY,
        );
        page.line((x_pt, y + 3.0), (x_pt + total, y + 3.0), 0.5, RULE);
        for (i, row) in rows.iter().enumerate() {
            y += self.row_pt;
            if i % 2 == 1 {
                page.fill_rect(
                    x_pt,
                    y - self.size_pt + 0.5 - 2.0,
                    total,
                    self.row_pt,
                    (0.95, 0.96, 0.97),
                );
            }
            self.row(
                page,
                x_pt,
                y,
                row.as_ref().iter().cloned(),
                Face::Regular,
                BLACK,
            );
        }
        y + self.row_pt * 0.6
    }

    fn row(
        &self,
        page: &mut Page,
        x_pt: f32,
        y_pt: f32,
        cells: impl Iterator<Item = String>,
        face: Face,
        color: Rgb,
    ) {
        let mut x = x_pt;
        for ((cell, &w), &align) in cells.zip(self.widths).zip(self.aligns) {
            let text = crate::text::ellipsize(&cell, face, self.size_pt, w - 4.0);
            match align {
                Align::Left => page.text(x, y_pt, self.size_pt, face, color, &text),
                Align::Right => {
                    page.text_right(x + w - 4.0, y_pt, self.size_pt, face, color, &text)
                }
            }
            x += w;
        }
    }
}
