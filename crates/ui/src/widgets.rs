//! Widgets for the ward: big numbers readable across the room, the visual beat, the entrainment
//! gauge, the asynchrony histogram and the live plots.

use egui::{Align2, Color32, FontId, RichText, Sense, Stroke, Ui, Vec2};
use egui_plot::{Bar, BarChart, Legend, Line, Plot, PlotPoints};

use crate::history::{LiveHistory, histogram};
use crate::theme;

/// Left foot colour (blue) and right foot colour (orange): distinguishable with colour blindness.
pub const LEFT_COLOUR: Color32 = Color32::from_rgb(0x1f, 0x77, 0xb4);
/// Right foot colour.
pub const RIGHT_COLOUR: Color32 = Color32::from_rgb(0xff, 0x7f, 0x0e);
/// Tempo colour.
pub const TEMPO_COLOUR: Color32 = Color32::from_rgb(0x2c, 0xa0, 0x2c);

/// A labelled number in large type ("Cadence 84 steps/min"); `None` shows a dash.
pub fn big_number(ui: &mut Ui, label: &str, value: Option<f64>, decimals: usize, unit: &str) {
    ui.vertical(|ui| {
        ui.label(
            RichText::new(label)
                .size(theme::BIG_NUMBER_LABEL_PX)
                .color(theme::GLANCE_COLOUR),
        );
        let text = value.map_or_else(|| crate::t!("no-value"), |v| format!("{v:.decimals$}"));
        ui.label(
            RichText::new(text)
                .size(theme::BIG_NUMBER_PX)
                .strong()
                .color(theme::GLANCE_COLOUR),
        )
        .on_hover_text(format!("{label}, {unit}"));
        ui.label(
            RichText::new(unit)
                .size(theme::BIG_NUMBER_LABEL_PX)
                .color(theme::TEXT_COLOUR),
        );
    });
}

/// How bright the visual beat is `since_beat_nanos` after a beat: 1 at the beat, fading over a
/// third of the interval; 0 with no beat.
pub fn beat_brightness(since_beat_nanos: Option<i64>, interval_nanos: Option<i64>) -> f32 {
    match (since_beat_nanos, interval_nanos) {
        (Some(since), Some(interval)) if interval > 0 && since >= 0 => {
            let fade = interval as f64 / 3.0;
            (1.0 - since as f64 / fade).clamp(0.0, 1.0) as f32
        }
        _ => 0.0,
    }
}

/// The visual beat: a disc that flashes at each beat, for when there is no sound.
pub fn beat_pulse(ui: &mut Ui, diameter: f32, brightness: f32, label: &str) {
    let (rect, response) = ui.allocate_exact_size(Vec2::splat(diameter), Sense::hover());
    let painter = ui.painter_at(rect);
    let dim = Color32::from_gray(60);
    let lit = Color32::from_rgb(0xff, 0xd7, 0x00);
    let colour = lerp_colour(dim, lit, brightness);
    let r = diameter / 2.0 * (0.8 + 0.2 * brightness);
    painter.circle(rect.center(), r, colour, Stroke::new(2.0, Color32::WHITE));
    response.on_hover_text(label);
}

fn lerp_colour(a: Color32, b: Color32, t: f32) -> Color32 {
    let t = t.clamp(0.0, 1.0);
    let mix = |x: u8, y: u8| (f32::from(x) + (f32::from(y) - f32::from(x)) * t).round() as u8;
    Color32::from_rgb(mix(a.r(), b.r()), mix(a.g(), b.g()), mix(a.b(), b.b()))
}

/// The entrainment gauge: R from 0 to 1 with the strong (> 0.7) and moderate (0.4–0.7) bands.
pub fn entrainment_gauge(ui: &mut Ui, r: Option<f64>) {
    let width = ui.available_width().clamp(200.0, 420.0);
    // The words on top in glance size, the bar under them.
    let text_height = theme::GLANCE_TEXT_PX + 8.0;
    let (rect, response) =
        ui.allocate_exact_size(Vec2::new(width, text_height + 36.0), Sense::hover());
    let painter = ui.painter_at(rect);
    let bar = egui::Rect::from_min_size(
        rect.min + Vec2::new(0.0, text_height),
        Vec2::new(width, 24.0),
    );
    let x = |v: f32| bar.min.x + v * bar.width();
    let band = |from: f32, to: f32, c: Color32| {
        painter.rect_filled(
            egui::Rect::from_min_max(egui::pos2(x(from), bar.min.y), egui::pos2(x(to), bar.max.y)),
            0.0,
            c,
        );
    };
    band(0.0, 0.4, Color32::from_rgb(0x8c, 0x2d, 0x2d));
    band(0.4, 0.7, Color32::from_rgb(0x9c, 0x7a, 0x1c));
    band(0.7, 1.0, Color32::from_rgb(0x2d, 0x7d, 0x3a));
    if let Some(r) = r {
        let v = r.clamp(0.0, 1.0) as f32;
        painter.line_segment(
            [
                egui::pos2(x(v), bar.min.y - 6.0),
                egui::pos2(x(v), bar.max.y + 6.0),
            ],
            Stroke::new(4.0, Color32::WHITE),
        );
    }
    let text = entrainment_text(r);
    painter.text(
        rect.min,
        Align2::LEFT_TOP,
        &text,
        FontId::proportional(theme::GLANCE_TEXT_PX),
        theme::GLANCE_COLOUR,
    );
    response.on_hover_text(text);
}

/// The gauge's words: R with its band ("Entrainment R = 0.82 (strong)"), or that it is not
/// measured yet.
pub fn entrainment_text(r: Option<f64>) -> String {
    match r {
        Some(r) => {
            let strength = if r > 0.7 {
                crate::t!("widgets-entrainment-strong")
            } else if r >= 0.4 {
                crate::t!("widgets-entrainment-moderate")
            } else {
                crate::t!("widgets-entrainment-weak")
            };
            crate::t!(
                "widgets-entrainment",
                r = format!("{r:.2}"),
                strength = strength
            )
        }
        None => crate::t!("widgets-entrainment-none"),
    }
}

/// Live plot of step times per foot (s) and the beat interval implied by the tempo curve.
pub fn step_time_plot(ui: &mut Ui, history: &LiveHistory, height: f32) {
    Plot::new("step_times")
        .height(height)
        .legend(Legend::default())
        .x_axis_label(crate::t!("widgets-axis-session-time"))
        .y_axis_label(crate::t!("widgets-axis-step-time"))
        .allow_scroll(false)
        .show(ui, |plot| {
            plot.line(
                Line::new(
                    crate::t!("widgets-legend-step-time-left"),
                    PlotPoints::from(history.step_times_left.clone()),
                )
                .color(LEFT_COLOUR)
                .width(2.0),
            );
            plot.line(
                Line::new(
                    crate::t!("widgets-legend-step-time-right"),
                    PlotPoints::from(history.step_times_right.clone()),
                )
                .color(RIGHT_COLOUR)
                .width(2.0),
            );
            let beat_interval: Vec<[f64; 2]> = history
                .tempo_curve
                .iter()
                .filter(|p| p[1] > 0.0)
                .map(|p| [p[0], 60.0 / p[1]])
                .collect();
            plot.line(
                Line::new(
                    crate::t!("widgets-legend-beat-interval"),
                    PlotPoints::from(beat_interval),
                )
                .color(TEMPO_COLOUR)
                .style(egui_plot::LineStyle::dashed_loose()),
            );
        });
}

/// Live plot of the tempo curve, steps/min.
pub fn tempo_plot(ui: &mut Ui, history: &LiveHistory, height: f32) {
    Plot::new("tempo_curve")
        .height(height)
        .legend(Legend::default())
        .x_axis_label(crate::t!("widgets-axis-session-time"))
        .y_axis_label(crate::t!("widgets-axis-tempo"))
        .allow_scroll(false)
        .show(ui, |plot| {
            plot.line(
                Line::new(
                    crate::t!("widgets-legend-beat-tempo"),
                    PlotPoints::from(history.tempo_curve.clone()),
                )
                .color(TEMPO_COLOUR)
                .width(2.0),
            );
        });
}

/// Histogram of the asynchronies (step - beat), ms, −300…300 in 25 ms bins.
pub fn asynchrony_histogram(ui: &mut Ui, asynchronies_ms: &[f64], height: f32) {
    let bars: Vec<Bar> = histogram(asynchronies_ms, -300.0, 300.0, 25.0)
        .into_iter()
        .map(|(centre, n)| Bar::new(centre, f64::from(n)).width(22.0))
        .collect();
    Plot::new("asynchrony_histogram")
        .height(height)
        .x_axis_label(crate::t!("widgets-axis-asynchrony"))
        .y_axis_label(crate::t!("widgets-axis-steps"))
        .allow_scroll(false)
        .show(ui, |plot| {
            plot.bar_chart(
                BarChart::new(crate::t!("widgets-legend-asynchrony"), bars).color(LEFT_COLOUR),
            );
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gauge_names_the_band_in_the_clinicians_language() {
        assert_eq!(
            entrainment_text(Some(0.823)),
            "Entrainment R = 0.82 (strong)"
        );
        assert_eq!(
            entrainment_text(Some(0.4)),
            "Entrainment R = 0.40 (moderate)"
        );
        assert_eq!(
            entrainment_text(None),
            "Entrainment: not measured (no cue yet)"
        );
        crate::i18n::set_language(crate::i18n::Language::German);
        assert_eq!(
            entrainment_text(Some(0.2)),
            "Synchronisation R = 0.20 (schwach)"
        );
        assert_eq!(
            entrainment_text(None),
            "Synchronisation: nicht gemessen (noch kein Takt)"
        );
        crate::i18n::set_language(crate::i18n::Language::English);
    }

    #[test]
    fn beat_flash_fades_over_a_third_of_the_interval() {
        assert_eq!(beat_brightness(Some(0), Some(750_000_000)), 1.0);
        assert!((beat_brightness(Some(125_000_000), Some(750_000_000)) - 0.5).abs() < 1e-6);
        assert_eq!(beat_brightness(Some(300_000_000), Some(750_000_000)), 0.0);
        assert_eq!(beat_brightness(None, Some(750_000_000)), 0.0);
        assert_eq!(beat_brightness(Some(-5), Some(750_000_000)), 0.0);
        assert_eq!(beat_brightness(Some(5), None), 0.0);
    }
}
