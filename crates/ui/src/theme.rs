//! The window's look in one place: text sizes, text colours, button heights and the fonts behind
//! egui's own. Sized to be read at 2 m by a clinician walking beside the patient, and touched
//! with a finger: what is glanced at while walking is large and near-white, every button at least
//! [`BUTTON_MIN_HEIGHT_PX`] high.

use std::sync::{Arc, OnceLock};

use egui::{Color32, FontFamily, FontId, RichText, TextStyle};

/// Body text (labels, fields), px.
pub const BODY_TEXT_PX: f32 = 20.0;
/// Text on buttons, px.
pub const BUTTON_TEXT_PX: f32 = 20.0;
/// Headings, px.
pub const HEADING_TEXT_PX: f32 = 28.0;
/// Small print (plot axes, hints), px.
pub const SMALL_TEXT_PX: f32 = 16.0;
/// The navigation's screen names, px.
pub const NAV_TEXT_PX: f32 = 19.0;
/// What a clinician glances at while walking: the live screen's statistics (step times,
/// symmetry, variability, asynchrony) and the recording and audio status, px.
pub const GLANCE_TEXT_PX: f32 = 26.0;
/// The label and unit around a big number, px.
pub const BIG_NUMBER_LABEL_PX: f32 = 24.0;
/// A big number (cadence, tempo), px.
pub const BIG_NUMBER_PX: f32 = 72.0;
/// Text on the session's big buttons, px.
pub const BIG_BUTTON_TEXT_PX: f32 = 26.0;

/// The least height of every button (and field, checkbox, radio), px: a finger's width.
pub const BUTTON_MIN_HEIGHT_PX: f32 = 44.0;
/// The height of the session's big buttons (Start, Pause, Stop...), px.
pub const BIG_BUTTON_HEIGHT_PX: f32 = 64.0;
/// The least width of the session's big buttons, px.
pub const BIG_BUTTON_MIN_WIDTH_PX: f32 = 150.0;

/// Body and secondary text on the dark background: bright, not egui's mid grey.
pub const TEXT_COLOUR: Color32 = Color32::from_gray(225);
/// Text glanced at while walking: near-white.
pub const GLANCE_COLOUR: Color32 = Color32::from_gray(245);
/// A problem shown at its field (a clash, a refused value).
pub const PROBLEM_COLOUR: Color32 = Color32::from_rgb(240, 110, 90);

/// Text at [`GLANCE_TEXT_PX`] in [`GLANCE_COLOUR`].
pub fn glance(text: impl Into<String>) -> RichText {
    RichText::new(text.into())
        .size(GLANCE_TEXT_PX)
        .color(GLANCE_COLOUR)
}

/// Applies the look to `ctx`: dark visuals, the sizes and colours above, and the fallback fonts.
pub fn apply(ctx: &egui::Context) {
    ctx.set_visuals(egui::Visuals::dark());
    ctx.global_style_mut(|s| {
        for (style, size) in [
            (TextStyle::Body, BODY_TEXT_PX),
            (TextStyle::Button, BUTTON_TEXT_PX),
            (TextStyle::Heading, HEADING_TEXT_PX),
            (TextStyle::Small, SMALL_TEXT_PX),
        ] {
            s.text_styles.insert(style, FontId::proportional(size));
        }
        s.text_styles
            .insert(TextStyle::Monospace, FontId::monospace(BODY_TEXT_PX));
        s.spacing.button_padding = egui::vec2(12.0, 8.0);
        // Buttons take their least height from here (and fields, checkboxes and radios too).
        s.spacing.interact_size.y = BUTTON_MIN_HEIGHT_PX;
        s.visuals.widgets.noninteractive.fg_stroke.color = TEXT_COLOUR;
        s.visuals.widgets.inactive.fg_stroke.color = GLANCE_COLOUR;
    });
    for font in fallback_fonts() {
        ctx.add_font(egui::epaint::text::FontInsert {
            name: font.name.clone(),
            data: egui::FontData::from_blob(font.bytes.clone(), 0),
            families: [FontFamily::Proportional, FontFamily::Monospace]
                .into_iter()
                .map(|family| egui::epaint::text::InsertFontFamily {
                    family,
                    priority: egui::epaint::text::FontPriority::Lowest,
                })
                .collect(),
        });
    }
}

/// A font behind egui's own, for what they lack.
struct Fallback {
    name: String,
    bytes: egui::epaint::text::Blob,
}

/// What each fallback covers, and where Debian puts it (first found wins; the packages are in
/// `scripts/install-deps.sh`). DejaVu Sans: symbols (✓ ✗ ↑ ↓ …), Greek, Cyrillic; Noto Sans CJK
/// (all three), or Droid Sans Fallback (Chinese, Japanese) and Nanum Gothic (Korean). They are read
/// from the system rather than shipped: a CJK font is megabytes.
const FALLBACKS: [(&str, &[&str]); 3] = [
    (
        "symbols, Greek, Cyrillic (fonts-dejavu-core)",
        &["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"],
    ),
    (
        "Chinese and Japanese (fonts-noto-cjk or fonts-droid-fallback)",
        &[
            NOTO_CJK,
            "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
            "/usr/share/fonts-droid-fallback/truetype/DroidSansFallback.ttf",
        ],
    ),
    (
        "Korean (fonts-noto-cjk or fonts-nanum)",
        &[NOTO_CJK, "/usr/share/fonts/truetype/nanum/NanumGothic.ttf"],
    ),
];

/// Noto Sans CJK covers Chinese, Japanese and Korean at once.
const NOTO_CJK: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";

/// The fallback fonts found on this computer, read once per process (every window, and every
/// test harness, shares the bytes).
fn fallback_fonts() -> &'static [Fallback] {
    static FONTS: OnceLock<Vec<Fallback>> = OnceLock::new();
    FONTS.get_or_init(|| {
        let mut found: Vec<Fallback> = Vec::new();
        for (covers, paths) in FALLBACKS {
            let mut read = None;
            for path in paths {
                if found.iter().any(|f| f.name == *path) {
                    // Already read for another script it covers too.
                    read = Some((path, None));
                    break;
                }
                match std::fs::read(path) {
                    Ok(bytes) => {
                        read = Some((path, Some(bytes)));
                        break;
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => tracing::warn!("font {path}: {e}"),
                }
            }
            match read {
                Some((path, bytes)) => {
                    tracing::info!("font for {covers}: {path}");
                    if let Some(bytes) = bytes {
                        found.push(Fallback {
                            name: (*path).to_string(),
                            bytes: Arc::new(bytes),
                        });
                    }
                }
                None => tracing::warn!(
                    "no font for {covers} found (looked for {}): such text shows as boxes; install it with scripts/install-deps.sh",
                    paths.join(", ")
                ),
            }
        }
        found
    })
}
