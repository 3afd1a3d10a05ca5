//! The one-page A4 session report.

use entrain_analysis::measure::{NO_VALUE, R_DECIMALS, format_value};
use entrain_analysis::settings::key_settings;
use entrain_analysis::thresholds::entrainment_label;
use entrain_analysis::{SessionAnalysis, WalkMeasure};
use entrain_cue::Phase;
use entrain_store::time::format_unix_ms;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use crate::chart::{PdfBackend, u};
use crate::error::ReportError;
use crate::pdf::{A4_WIDTH_PT, ACCENT, Align, BLACK, Document, GREY, Page, RULE, Table};
use crate::text::{Face, ellipsize, wrap};

const MARGIN_PT: f32 = 40.0;
const CONTENT_W_PT: f32 = A4_WIDTH_PT - 2.0 * MARGIN_PT;
/// The lowest baseline of the page's lists; what goes below continues on page 2.
const BOTTOM_PT: f32 = 790.0;

/// `2026-11-24 19:50 UTC` of Unix ms.
pub(crate) fn date_time(ms: i64) -> String {
    let iso = format_unix_ms(ms);
    format!("{} {} UTC", &iso[..10], &iso[11..16])
}

pub(crate) fn section(page: &mut Page, y_pt: f32, title: &str) -> f32 {
    page.text(MARGIN_PT, y_pt, 10.0, Face::Bold, ACCENT, title);
    y_pt + 4.0
}

/// A line of the footer at `y_pt`, across the content width: 6.5 pt, or smaller if the text
/// would run into the margin (it is explanation, and a cut-off explanation misleads).
pub(crate) fn footer_line(page: &mut Page, y_pt: f32, text: &str) {
    let size_pt = 6.5;
    let width_pt = crate::text::text_width_pt(text, Face::Regular, size_pt);
    let size_pt = if width_pt > CONTENT_W_PT {
        (size_pt * CONTENT_W_PT / width_pt).max(5.0)
    } else {
        size_pt
    };
    page.text(MARGIN_PT, y_pt, size_pt, Face::Regular, GREY, text);
}

fn chart_err(chart: &'static str) -> impl Fn(String) -> ReportError {
    move |detail| ReportError::Chart { chart, detail }
}

const PHASE_TINTS: [RGBColor; 2] = [RGBColor(238, 243, 248), RGBColor(248, 248, 248)];

/// The tempo curve: cue tempo and target per beat, the patient's cadence, the phases shaded.
fn tempo_chart(
    page: &mut Page,
    a: &SessionAnalysis,
    top_pt: f32,
    height_pt: f32,
) -> Result<(), ReportError> {
    let err = chart_err("tempo curve");
    let x_max = (a.duration_secs / 60.0).max(0.5);
    let values = a
        .beats
        .iter()
        .flat_map(|b| [b.tempo_spm, b.target_spm])
        .chain(a.cadence_track.iter().map(|c| c.1))
        .filter(|v| v.is_finite());
    let (lo, hi) = values.fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let (y_min, y_max) = if lo <= hi {
        ((lo - 8.0).floor().max(0.0), (hi + 12.0).ceil())
    } else {
        (60.0, 140.0)
    };
    let backend = PdfBackend::new(page, MARGIN_PT, top_pt, CONTENT_W_PT, height_pt);
    let root = backend.into_drawing_area();
    let mut chart = ChartBuilder::on(&root)
        .margin(u(3.0))
        // Room for the last time label, centred on the right edge (a 3.0 min session ends on it).
        .margin_right(u(10.0))
        .x_label_area_size(u(24.0))
        .y_label_area_size(u(30.0))
        .build_cartesian_2d(0f64..x_max, y_min..y_max)
        .map_err(|e| err(e.to_string()))?;
    let band_label = ("sans-serif", u(6.5))
        .into_font()
        .color(&RGBColor(90, 90, 90));
    for (i, p) in a.phases.iter().enumerate() {
        let (x0, x1) = (p.start_secs / 60.0, p.end_secs.max(p.start_secs) / 60.0);
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(x0, y_min), (x1, y_max)],
                PHASE_TINTS[i % 2].filled(),
            )))
            .map_err(|e| err(e.to_string()))?;
        let label = p.phase.short_title();
        // Only label phases wide enough for their name.
        if (x1 - x0) / x_max * CONTENT_W_PT as f64 > 30.0 {
            chart
                .draw_series(std::iter::once(Text::new(
                    label.to_string(),
                    (x0 + x_max * 0.004, y_max - (y_max - y_min) * 0.03),
                    band_label.clone(),
                )))
                .map_err(|e| err(e.to_string()))?;
        }
    }
    chart
        .configure_mesh()
        .x_desc("Session time (min)")
        .y_desc("steps/min")
        .label_style(("sans-serif", u(7.0)))
        .axis_desc_style(("sans-serif", u(7.5)))
        .bold_line_style(RGBColor(215, 215, 215).stroke_width(2))
        .light_line_style(TRANSPARENT)
        .axis_style(plotters::style::BLACK.stroke_width(2))
        .x_labels(12)
        .y_labels(8)
        .y_label_formatter(&|v| format!("{v:.0}"))
        .draw()
        .map_err(|e| err(e.to_string()))?;
    // Over the grid (its label must read), under the curves.
    music_bands(&mut chart, a, x_max, (y_min, y_max)).map_err(&err)?;
    let cadence_color = RGBColor(230, 120, 20);
    chart
        .draw_series(
            a.cadence_track
                .iter()
                .map(|&(t, spm)| Circle::new((t / 60.0, spm), 2, cadence_color.filled())),
        )
        .map_err(|e| err(e.to_string()))?
        .label("Patient cadence (steps/min)")
        .legend(move |(x, y)| Circle::new((x + u(3.0), y), 4, cadence_color.filled()));
    let audible: Vec<(f64, f64)> = a
        .beats
        .iter()
        .filter(|b| b.audible)
        .map(|b| (b.secs / 60.0, b.tempo_spm))
        .collect();
    let tempo_color = RGBColor(23, 84, 140);
    // Break the line where the cue was silent or stopped for more than 3 s.
    let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
    for p in audible {
        match runs.last_mut() {
            Some(run) if run.last().is_some_and(|q| p.0 - q.0 < 3.0 / 60.0) => run.push(p),
            _ => runs.push(vec![p]),
        }
    }
    for (i, run) in runs.into_iter().enumerate() {
        let series = chart
            .draw_series(LineSeries::new(run, tempo_color.stroke_width(5)))
            .map_err(|e| err(e.to_string()))?;
        if i == 0 {
            series
                .label("Cue tempo (audible beats)")
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + u(6.0), y)], tempo_color.stroke_width(5))
                });
        }
    }
    let target_color = RGBColor(40, 150, 70);
    let target: Vec<(f64, f64)> = a
        .beats
        .iter()
        .map(|b| (b.secs / 60.0, b.target_spm))
        .collect();
    if !target.is_empty() {
        chart
            .draw_series(LineSeries::new(target, target_color.stroke_width(3)))
            .map_err(|e| err(e.to_string()))?
            .label("Target tempo")
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + u(6.0), y)], target_color.stroke_width(3))
            });
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .label_font(("sans-serif", u(7.0)))
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(180, 180, 180))
        .margin(u(3.0))
        .draw()
        .map_err(|e| err(e.to_string()))?;
    root.present().map_err(|e| err(e.to_string()))?;
    Ok(())
}

const MUSIC_TINTS: [RGBColor; 2] = [RGBColor(221, 206, 238), RGBColor(236, 226, 246)];
const MUSIC_INK: RGBColor = RGBColor(88, 52, 128);
/// A music band's height, share of the tempo axis.
const MUSIC_BAND_SHARE: f64 = 0.07;
/// The band's top under the chart's top, share of the tempo axis: below the phases' names, in
/// the headroom over the curves (12 steps/min), clear of the legend (lower right).
const MUSIC_BAND_TOP_SHARE: f64 = 0.09;

/// Each music segment as a band along the time axis, a lane under the phases' names at the top
/// of the tempo chart, labelled with its track (cut to the band's width); nothing without music.
fn music_bands<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    a: &SessionAnalysis,
    x_max: f64,
    (y_min, y_max): (f64, f64),
) -> Result<(), String> {
    let (x_units, _) = chart.plotting_area().get_pixel_range();
    let plot_w_pt = (x_units.end - x_units.start) as f64 / f64::from(crate::chart::UNITS_PER_PT);
    let band_h = (y_max - y_min) * MUSIC_BAND_SHARE;
    let band_top = y_max - (y_max - y_min) * MUSIC_BAND_TOP_SHARE;
    let label_font = ("sans-serif", u(6.5)).into_font().color(&MUSIC_INK);
    for (i, m) in a.music.iter().enumerate() {
        let x0 = (m.start_nanos as f64 / 60e9).clamp(0.0, x_max);
        let x1 = (m.end_nanos as f64 / 60e9).clamp(x0, x_max);
        let series = chart
            .draw_series(std::iter::once(Rectangle::new(
                [(x0, band_top - band_h), (x1, band_top)],
                MUSIC_TINTS[i % 2].filled(),
            )))
            .map_err(|e| e.to_string())?;
        if i == 0 {
            series
                .label("Music (track named in the band)")
                .legend(|(x, y)| {
                    Rectangle::new(
                        [(x, y - u(2.5)), (x + u(6.0), y + u(2.5))],
                        MUSIC_TINTS[0].filled(),
                    )
                });
        }
        let width_pt = (x1 - x0) / x_max * plot_w_pt - 4.0;
        if width_pt < 12.0 {
            continue;
        }
        let label = ellipsize(
            &crate::music::track_label(m),
            Face::Regular,
            6.5,
            width_pt as f32,
        );
        chart
            .draw_series(std::iter::once(Text::new(
                label,
                (x0 + x_max * 0.004, band_top - band_h * 0.15),
                label_font.clone(),
            )))
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn entrainment_rows(a: &SessionAnalysis) -> Vec<Vec<String>> {
    a.phases
        .iter()
        .filter(|p| p.phase != Phase::Done && (p.steps > 0 || p.end_secs - p.start_secs >= 1.0))
        .map(|p| {
            let time = format!("{:.1}–{:.1}", p.start_secs / 60.0, p.end_secs / 60.0);
            let cadence = WalkMeasure::Cadence.shown(p.metrics.as_ref());
            let mut row = vec![
                p.phase.title().to_string(),
                time,
                p.steps.to_string(),
                cadence,
                p.audible_beats.to_string(),
            ];
            match &p.sync {
                Some(s) => row.extend([
                    format!("{:+.0}", s.mean_asynchrony_ms),
                    format_value(Some(s.resultant_length), R_DECIMALS),
                    if s.rayleigh.p_value < 0.001 {
                        "<0.001".into()
                    } else {
                        format!("{:.3}", s.rayleigh.p_value)
                    },
                    format_value(s.period_match_percent, 1),
                    entrainment_label(s.resultant_length).to_string(),
                ]),
                None => {
                    row.extend([NO_VALUE, NO_VALUE, NO_VALUE, NO_VALUE, "no cue"].map(String::from))
                }
            }
            row
        })
        .collect()
}

/// The music segments under the tempo curve (the first [`crate::music::PDF_ROWS`], and how many
/// more); returns the next free baseline.
fn music_table(page: &mut Page, a: &SessionAnalysis, y_pt: f32) -> f32 {
    let y = section(page, y_pt + 8.0, "Music played");
    let table = Table {
        widths: &[130.0, 78.0, 82.0, 100.0, 80.0, 45.28],
        aligns: &[
            Align::Left,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Left,
            Align::Right,
        ],
        size_pt: 7.5,
        row_pt: 10.0,
    };
    let rows: Vec<Vec<String>> = a
        .music
        .iter()
        .take(crate::music::PDF_ROWS)
        .map(crate::music::row)
        .collect();
    let mut y = table.draw(page, MARGIN_PT, y + 2.0, &crate::music::HEADER, &rows);
    if let Some(more) = crate::music::more_line(a.music.len()) {
        page.text(MARGIN_PT, y + 4.0, 7.0, Face::Regular, GREY, &more);
        y += 9.0;
    }
    y
}

/// The session report as PDF bytes (one A4 page).
pub fn render_session_report(a: &SessionAnalysis) -> Result<Vec<u8>, ReportError> {
    let mut doc = Document::new(&format!(
        "RAS session report - patient {} - session {}",
        a.patient_code(),
        a.session.id
    ))?;
    let page = doc.add_page();
    let x = MARGIN_PT;
    let right = A4_WIDTH_PT - MARGIN_PT;

    // Header.
    page.text(x, 50.0, 16.0, Face::Bold, ACCENT, "RAS session report");
    page.text_right(
        right,
        50.0,
        9.0,
        Face::Regular,
        GREY,
        "Entrain - Rhythmic Auditory Stimulation",
    );
    let side = a.paretic.map_or("not recorded", |s| match s {
        entrain_gait::Side::Left => "left",
        entrain_gait::Side::Right => "right",
    });
    page.text(
        x,
        68.0,
        10.0,
        Face::Bold,
        BLACK,
        &format!(
            "Patient {}   ·   Session {}   ·   {}",
            a.patient_code(),
            a.session.id,
            date_time(a.session.started_unix_ms)
        ),
    );
    let sensors = a.sensors_text();
    page.text(
        x,
        81.0,
        8.0,
        Face::Regular,
        GREY,
        &ellipsize(
            &format!(
                "Status {} · length {:.1} min · {} steps · source {} · sensors {} · paretic side {}",
                a.session.status.as_str(),
                a.duration_secs / 60.0,
                a.total_steps,
                a.session.source,
                sensors,
                side
            ),
            Face::Regular,
            8.0,
            CONTENT_W_PT,
        ),
    );
    page.line((x, 88.0), (right, 88.0), 0.8, ACCENT);

    // Protocol settings: three columns.
    let mut y = section(page, 103.0, "Protocol settings");
    let settings = key_settings(&a.settings);
    let col_w = CONTENT_W_PT / 3.0;
    let rows_n = settings.len().div_ceil(3).max(1);
    for (i, (label, value)) in settings.iter().enumerate() {
        let (col, row) = (i / rows_n, i % rows_n);
        let cx = x + col as f32 * col_w;
        let cy = y + 9.0 + row as f32 * 10.0;
        page.text(cx, cy, 7.5, Face::Regular, GREY, label);
        let label_w = crate::text::text_width_pt(label, Face::Regular, 7.5);
        page.text_right(
            cx + col_w - 8.0,
            cy,
            7.5,
            Face::Regular,
            BLACK,
            &ellipsize(value, Face::Regular, 7.5, col_w - 14.0 - label_w),
        );
    }
    if settings.is_empty() {
        page.text(
            x,
            y + 9.0,
            7.5,
            Face::Regular,
            GREY,
            "No protocol settings were recorded with this session.",
        );
    }
    y += 9.0 + rows_n as f32 * 10.0 + 6.0;

    // Baseline vs re-test.
    y = section(page, y + 4.0, "Baseline vs re-test, both without cue");
    let table = Table {
        widths: &[245.0, 90.0, 90.0, 90.0],
        aligns: &[Align::Left, Align::Right, Align::Right, Align::Right],
        size_pt: 8.0,
        row_pt: 10.5,
    };
    y = table.draw(
        page,
        x,
        y + 2.0,
        &["Measure", "Baseline", "Re-test", "Change"],
        &a.baseline_vs_retest(),
    );

    // Tempo curve, and the music played along it.
    let title = if a.music.is_empty() {
        "Tempo curve and phases"
    } else {
        "Tempo curve, phases and music"
    };
    y = section(page, y + 10.0, title);
    let chart_h = if a.music.is_empty() { 185.0 } else { 170.0 };
    tempo_chart(page, a, y + 1.0, chart_h)?;
    y += chart_h + 6.0;
    if !a.music.is_empty() {
        y = music_table(page, a, y);
    }

    // Entrainment per phase.
    y = section(
        page,
        y + 8.0,
        "Entrainment per phase (steps vs the beats; in fading, silent beats count too)",
    );
    let table = Table {
        widths: &[92.0, 50.0, 34.0, 46.0, 34.0, 58.0, 30.0, 48.0, 58.0, 65.0],
        aligns: &[
            Align::Left,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Right,
        ],
        size_pt: 7.5,
        row_pt: 10.0,
    };
    y = table.draw(
        page,
        x,
        y + 2.0,
        &[
            "Phase",
            "min",
            "Steps",
            "Cadence",
            "Beats",
            "Asynchr. ms",
            "R",
            "Rayleigh p",
            "Period %",
            "Entrainment",
        ],
        &entrainment_rows(a),
    );

    // Clinical tests, tempo changes and notes, side by side.
    let top = y + 8.0;
    let half = CONTENT_W_PT / 2.0 - 8.0;
    let mut yl = section(page, top, "Clinical tests in this session") + 9.0;
    if a.clinical_tests.is_empty() {
        page.text(x, yl, 7.5, Face::Regular, GREY, "None recorded.");
        yl += 9.0;
    }
    for t in a.clinical_tests.iter().take(6) {
        let name = t.test.title();
        let value = t.test.format_result(t.value);
        let line = format!(
            "{name}: {value} ({})",
            &date_time(t.performed_unix_ms)[11..]
        );
        page.text(
            x,
            yl,
            7.5,
            Face::Regular,
            BLACK,
            &ellipsize(&line, Face::Regular, 7.5, half),
        );
        yl += 9.0;
        if !t.notes.is_empty() {
            page.text(
                x + 8.0,
                yl,
                7.0,
                Face::Regular,
                GREY,
                &ellipsize(&t.notes, Face::Regular, 7.0, half - 8.0),
            );
            yl += 8.5;
        }
    }
    yl = section(page, yl + 4.0, "Tempo changes") + 9.0;
    let n = a.tempo_changes.len();
    if n == 0 {
        page.text(x, yl, 7.5, Face::Regular, GREY, "None.");
    }
    // Every change, whole; what does not fit on this page continues on the next.
    let mut tempo_overflow: Vec<(f32, String)> = Vec::new();
    for c in &a.tempo_changes {
        let line = format!(
            "{:.1} min  {} -> {:.1} steps/min: {}",
            c.time_nanos as f64 / 60e9,
            format_value(c.from_spm, WalkMeasure::Cadence.decimals()),
            c.to_spm,
            c.reason
        );
        for (k, l) in wrap(&line, Face::Regular, 7.0, half - 10.0)
            .into_iter()
            .enumerate()
        {
            let indent = if k == 0 { 0.0 } else { 10.0 };
            if yl > BOTTOM_PT || !tempo_overflow.is_empty() {
                tempo_overflow.push((indent, l));
            } else {
                page.text(x + indent, yl, 7.0, Face::Regular, BLACK, &l);
                yl += 8.5;
            }
        }
    }
    if !tempo_overflow.is_empty() {
        page.text(
            x,
            yl,
            7.0,
            Face::Regular,
            GREY,
            "Continued on the next page.",
        );
    }

    let xr = x + CONTENT_W_PT / 2.0 + 8.0;
    page.text(xr, top, 10.0, Face::Bold, ACCENT, "Clinician notes");
    let mut yr = top + 13.0;
    if a.marks.is_empty() {
        page.text(
            xr,
            yr,
            7.5,
            Face::Regular,
            GREY,
            "No notes were marked during the session.",
        );
    }
    let mut marks_overflow: Vec<(String, String)> = Vec::new();
    for m in &a.marks {
        let stamp = format!("{:.1} min", m.time_nanos as f64 / 60e9);
        for (i, line) in wrap(&m.detail, Face::Regular, 7.5, half - 40.0)
            .into_iter()
            .enumerate()
        {
            let stamp = if i == 0 { stamp.clone() } else { String::new() };
            if yr > BOTTOM_PT || !marks_overflow.is_empty() {
                marks_overflow.push((stamp, line));
                continue;
            }
            page.text(xr, yr, 7.5, Face::Regular, GREY, &stamp);
            page.text(xr + 40.0, yr, 7.5, Face::Regular, BLACK, &line);
            yr += 9.0;
        }
    }
    if !marks_overflow.is_empty() {
        page.text(
            xr,
            yr,
            7.0,
            Face::Regular,
            GREY,
            "Continued on the next page.",
        );
    }

    // Footer.
    page.line((x, 808.0), (right, 808.0), 0.5, RULE);
    footer_line(
        page,
        818.0,
        "Step time: IC of one foot to IC of the other (L ends at a left IC). Cadence: steps/min, both feet. CV = SD / mean x 100. \
Symmetry ratio = paretic / non-paretic step time (1.0 = symmetric).",
    );
    footer_line(
        page,
        826.0,
        &format!(
            "R: resultant vector length of the relative phases (> 0.7 strong, 0.4-0.7 moderate). Nothing is reported with fewer than 5 steps per foot. Generated {}.",
            date_time(entrain_store::unix_ms_now())
        ),
    );
    continuation(&mut doc, a, &tempo_overflow, &marks_overflow);
    doc.finish()
}

/// The tempo changes and the clinician's notes that did not fit on page 1, whole, on as many
/// further pages as they need (one column, full width).
fn continuation(
    doc: &mut Document,
    a: &SessionAnalysis,
    tempo: &[(f32, String)],
    marks: &[(String, String)],
) {
    let x = MARGIN_PT;
    let mut lines: Vec<(&str, f32, &str, &str)> = Vec::new();
    lines.extend(
        tempo
            .iter()
            .map(|(indent, l)| ("Tempo changes (continued)", *indent, "", l.as_str())),
    );
    lines.extend(marks.iter().map(|(stamp, l)| {
        (
            "Clinician notes (continued)",
            40.0,
            stamp.as_str(),
            l.as_str(),
        )
    }));
    let mut rest = lines.as_slice();
    while !rest.is_empty() {
        let page = doc.add_page();
        page.text(
            x,
            50.0,
            12.0,
            Face::Bold,
            ACCENT,
            &format!(
                "RAS session report, continued: patient {}, session {}",
                a.patient_code(),
                a.session.id
            ),
        );
        let mut y = 70.0;
        let mut heading = "";
        while let Some(((title, indent, stamp, line), tail)) = rest.split_first() {
            if y > BOTTOM_PT {
                break;
            }
            if *title != heading {
                y = section(page, y + 10.0, title) + 9.0;
                heading = title;
            }
            page.text(x, y, 7.5, Face::Regular, GREY, stamp);
            page.text(x + indent, y, 7.5, Face::Regular, BLACK, line);
            y += 9.0;
            rest = tail;
        }
    }
}
