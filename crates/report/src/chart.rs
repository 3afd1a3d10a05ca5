//! A `plotters` drawing backend that draws straight into a PDF page as vector graphics.
//!
//! The charts themselves (axes, ticks, labels, series, legends) are laid out by `plotters`; this
//! backend only turns its lines, polygons, circles and texts into PDF content operations, and sets
//! text in the report font ([`crate::font`]) with its real widths so that `plotters` can align
//! labels.

use std::convert::Infallible;

use pdf_writer::Content;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
    FontStyle, FontTransform,
};

use crate::pdf::Page;
use crate::text::{Face, text_width_pt};

/// Backend units per point: plotters works in integers, so a quarter point keeps lines smooth.
pub const UNITS_PER_PT: i32 = 4;

/// `pt` points in backend units (for font sizes and margins given to plotters).
pub fn u(pt: f32) -> i32 {
    (pt * UNITS_PER_PT as f32).round() as i32
}

/// A chart area on a PDF page.
pub struct PdfBackend<'a> {
    page: &'a mut Page,
    left_pt: f32,
    top_pt: f32,
    width_units: u32,
    height_units: u32,
}

impl std::fmt::Debug for PdfBackend<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PdfBackend")
            .field("left_pt", &self.left_pt)
            .field("top_pt", &self.top_pt)
            .finish_non_exhaustive()
    }
}

impl<'a> PdfBackend<'a> {
    /// A chart of `width_pt` × `height_pt` whose top-left corner is at (`left_pt`, `top_pt`) on
    /// `page` (points from the page's top-left).
    pub fn new(
        page: &'a mut Page,
        left_pt: f32,
        top_pt: f32,
        width_pt: f32,
        height_pt: f32,
    ) -> Self {
        PdfBackend {
            page,
            left_pt,
            top_pt,
            width_units: u(width_pt).max(1) as u32,
            height_units: u(height_pt).max(1) as u32,
        }
    }

    /// The page's content stream, for paths (text goes through [`Page::show_text`]).
    fn content(&mut self) -> &mut Content {
        self.page.content_mut()
    }

    fn x(&self, x_units: f32) -> f32 {
        self.left_pt + x_units / UNITS_PER_PT as f32
    }

    fn y(&self, y_units: f32) -> f32 {
        Page::flip_y(self.top_pt + y_units / UNITS_PER_PT as f32)
    }

    /// Fills the current path, or strokes it at the style's width.
    fn fill_or_stroke<S: BackendStyle>(&mut self, fill: bool, style: &S) {
        if fill {
            self.content().fill_nonzero();
        } else {
            self.content().set_line_width(line_width_pt(style)).stroke();
        }
    }

    /// Sets fill and stroke colour.
    fn set_color(&mut self, color: BackendColor) {
        let (r, g, b) = on_white(color);
        self.content().set_fill_rgb(r, g, b).set_stroke_rgb(r, g, b);
    }

    fn path(&mut self, points: &[BackendCoord]) {
        let mut iter = points.iter();
        if let Some(&(x, y)) = iter.next() {
            let (px, py) = (self.x(x as f32), self.y(y as f32));
            self.content().move_to(px, py);
        }
        for &(x, y) in iter {
            let (px, py) = (self.x(x as f32), self.y(y as f32));
            self.content().line_to(px, py);
        }
    }
}

/// The colour as RGB; a translucent colour is mixed with the white page (PDF transparency would
/// need a graphics state per alpha, for translucent fills only).
fn on_white(color: BackendColor) -> (f32, f32, f32) {
    let a = color.alpha.clamp(0.0, 1.0) as f32;
    let mix = |c: u8| (1.0 - a) + a * f32::from(c) / 255.0;
    (mix(color.rgb.0), mix(color.rgb.1), mix(color.rgb.2))
}

type Result<T = ()> = std::result::Result<T, DrawingErrorKind<Infallible>>;

/// A style's stroke width in points (at least one backend unit).
fn line_width_pt<S: BackendStyle>(style: &S) -> f32 {
    style.stroke_width().max(1) as f32 / UNITS_PER_PT as f32
}

impl DrawingBackend for PdfBackend<'_> {
    type ErrorType = Infallible;

    fn get_size(&self) -> (u32, u32) {
        (self.width_units, self.height_units)
    }

    fn ensure_prepared(&mut self) -> Result {
        Ok(())
    }

    fn present(&mut self) -> Result {
        Ok(())
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Result {
        if color.alpha == 0.0 {
            return Ok(());
        }
        self.set_color(color);
        let side = 1.0 / UNITS_PER_PT as f32;
        let (x, y) = (self.x(point.0 as f32), self.y(point.1 as f32 + 1.0));
        self.content().rect(x, y, side, side).fill_nonzero();
        Ok(())
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result {
        self.draw_path([from, to], style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        self.set_color(style.color());
        let (x0, y0) = (self.x(upper_left.0 as f32), self.y(upper_left.1 as f32));
        let (x1, y1) = (self.x(bottom_right.0 as f32), self.y(bottom_right.1 as f32));
        self.content()
            .rect(x0.min(x1), y0.min(y1), (x1 - x0).abs(), (y1 - y0).abs());
        self.fill_or_stroke(fill, style);
        Ok(())
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        let points: Vec<BackendCoord> = path.into_iter().collect();
        if points.len() < 2 {
            return Ok(());
        }
        self.set_color(style.color());
        self.content()
            .set_line_width(line_width_pt(style))
            .set_line_join(pdf_writer::types::LineJoinStyle::RoundJoin);
        self.path(&points);
        self.content().stroke();
        Ok(())
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        self.set_color(style.color());
        let (cx, cy) = (self.x(center.0 as f32), self.y(center.1 as f32));
        let r = radius as f32 / UNITS_PER_PT as f32;
        // Four cubic Béziers (k = 4/3·(√2 − 1)).
        let k = 0.552_284_8 * r;
        self.content()
            .move_to(cx + r, cy)
            .cubic_to(cx + r, cy + k, cx + k, cy + r, cx, cy + r)
            .cubic_to(cx - k, cy + r, cx - r, cy + k, cx - r, cy)
            .cubic_to(cx - r, cy - k, cx - k, cy - r, cx, cy - r)
            .cubic_to(cx + k, cy - r, cx + r, cy - k, cx + r, cy)
            .close_path();
        self.fill_or_stroke(fill, style);
        Ok(())
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        let points: Vec<BackendCoord> = vert.into_iter().collect();
        if points.len() < 3 {
            return Ok(());
        }
        self.set_color(style.color());
        self.path(&points);
        self.content().close_path().fill_nonzero();
        Ok(())
    }

    fn draw_text<TStyle: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &TStyle,
        pos: BackendCoord,
    ) -> Result {
        let color = style.color();
        if color.alpha == 0.0 || text.is_empty() {
            return Ok(());
        }
        let face = match style.style() {
            FontStyle::Bold => Face::Bold,
            _ => Face::Regular,
        };
        let size_units = style.size() as f32;
        let width_units = text_width_pt(text, face, size_units);
        let anchor = style.anchor();
        // Offset of the text's baseline start from the anchor, in the text's own frame (y down).
        let ox = match anchor.h_pos {
            HPos::Left => 0.0,
            HPos::Center => -width_units / 2.0,
            HPos::Right => -width_units,
        };
        let oy = match anchor.v_pos {
            VPos::Top => 0.75 * size_units,
            VPos::Center => 0.35 * size_units,
            VPos::Bottom => -0.2 * size_units,
        };
        // plotters' rotations are clockwise on the screen (y down).
        let ((dx, dy), matrix) = match style.transform() {
            FontTransform::None => ((ox, oy), [1.0, 0.0, 0.0, 1.0]),
            FontTransform::Rotate90 => ((-oy, ox), [0.0, -1.0, 1.0, 0.0]),
            FontTransform::Rotate180 => ((-ox, -oy), [-1.0, 0.0, 0.0, -1.0]),
            FontTransform::Rotate270 => ((oy, -ox), [0.0, 1.0, -1.0, 0.0]),
        };
        let x = self.x(pos.0 as f32 + dx);
        let y = self.y(pos.1 as f32 + dy);
        self.page.show_text(
            [matrix[0], matrix[1], matrix[2], matrix[3], x, y],
            size_units / UNITS_PER_PT as f32,
            face,
            on_white(color),
            text,
        );
        Ok(())
    }

    fn estimate_text_size<TStyle: BackendTextStyle>(
        &self,
        text: &str,
        style: &TStyle,
    ) -> Result<(u32, u32)> {
        let face = match style.style() {
            FontStyle::Bold => Face::Bold,
            _ => Face::Regular,
        };
        let size = style.size() as f32;
        Ok((
            text_width_pt(text, face, size).ceil() as u32,
            size.ceil() as u32,
        ))
    }
}
