//! The progress report across a patient's sessions: trend charts with the clinical thresholds
//! (`entrain_analysis::thresholds`) and a table per session (two A4 pages).

use entrain_analysis::measure::{GAIT_SPEED_DECIMALS, R_DECIMALS, format_change, format_value};
use entrain_analysis::thresholds::{
    COMMUNITY_LIMIT_MPS, HOUSEHOLD_LIMIT_MPS, MCID_HIGH_MPS, MCID_LOW_MPS,
    gait_speed_thresholds_text,
};
use entrain_analysis::{PatientProgress, SessionAnalysis, WalkMeasure};
use entrain_store::ClinicalTestKind;
use entrain_store::time::{civil_from_days, format_unix_ms};
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::chart::{PdfBackend, u};
use crate::error::ReportError;
use crate::pdf::{A4_WIDTH_PT, ACCENT, Align, BLACK, Document, GREY, Page, RULE, Table};
use crate::session_report::{date_time, footer_line, section};
use crate::text::{Face, ellipsize};

const MARGIN_PT: f32 = 40.0;
const CONTENT_W_PT: f32 = A4_WIDTH_PT - 2.0 * MARGIN_PT;
const MS_PER_DAY: f64 = 86_400_000.0;

type Area<'a, 'b> = DrawingArea<PdfBackend<'a>, Shift>;

fn err(chart: &'static str) -> impl Fn(String) -> ReportError {
    move |detail| ReportError::Chart { chart, detail }
}

/// Days since `origin_ms` (a midnight) as a date label `MM-DD`, at the start of each day only:
/// the axis's marks between midnights (several sessions on one day make a short axis) get none,
/// so each day is labelled once.
fn day_label(origin_ms: i64, days: f64) -> String {
    if (days - days.round()).abs() > 1e-6 {
        return String::new();
    }
    let day = (origin_ms as f64 / MS_PER_DAY).floor() as i64 + days.round() as i64;
    let (_, m, d) = civil_from_days(day);
    format!("{m:02}-{d:02}")
}

/// The x range (days since `origin_ms`) covering `xs`, with a little room.
fn day_range(xs: &[f64]) -> std::ops::Range<f64> {
    let lo = xs.iter().copied().fold(f64::MAX, f64::min);
    let hi = xs.iter().copied().fold(f64::MIN, f64::max);
    if lo > hi {
        return -1.0..1.0;
    }
    let pad = ((hi - lo) * 0.06).max(0.6);
    (lo - pad)..(hi + pad)
}

fn value_range(values: &[f64], min_span: f64, floor: Option<f64>) -> std::ops::Range<f64> {
    let lo = values
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(f64::MAX, f64::min);
    let hi = values
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(f64::MIN, f64::max);
    if lo > hi {
        return floor.unwrap_or(0.0)..floor.unwrap_or(0.0) + min_span;
    }
    let span = (hi - lo).max(min_span);
    let mid = (hi + lo) / 2.0;
    let mut a = mid - span * 0.65;
    if let Some(f) = floor {
        a = a.max(f);
    }
    // More room above the data than below: the legend sits in the upper left.
    a..(mid + span * 1.0)
}

struct Trend<'p> {
    origin_ms: i64,
    sessions: Vec<(f64, &'p SessionAnalysis)>,
    /// 10 m walk results: (days, m/s).
    speeds: Vec<(f64, f64)>,
}

impl<'p> Trend<'p> {
    fn new(p: &'p PatientProgress) -> Self {
        let first = p
            .sessions
            .iter()
            .map(|s| s.session.started_unix_ms)
            .chain(p.tests.iter().map(|t| t.performed_unix_ms))
            .min()
            .unwrap_or(0);
        let origin_ms = (first as f64 / MS_PER_DAY).floor() as i64 * 86_400_000;
        let days = |ms: i64| (ms - origin_ms) as f64 / MS_PER_DAY;
        Trend {
            origin_ms,
            sessions: p
                .sessions
                .iter()
                .map(|s| (days(s.session.started_unix_ms), s))
                .collect(),
            speeds: p
                .results(ClinicalTestKind::TenMetreWalk)
                .into_iter()
                .map(|(ms, v)| (days(ms), v))
                .collect(),
        }
    }

    fn all_days(&self) -> Vec<f64> {
        self.sessions
            .iter()
            .map(|s| s.0)
            .chain(self.speeds.iter().map(|s| s.0))
            .collect()
    }
}

fn mesh<'a>(
    chart: &mut ChartContext<
        'a,
        PdfBackend<'a>,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    origin_ms: i64,
    y_desc: &str,
    name: &'static str,
) -> Result<(), ReportError> {
    let fmt = move |x: &f64| day_label(origin_ms, *x);
    chart
        .configure_mesh()
        .x_desc("Date (MM-DD)")
        .y_desc(y_desc)
        .x_label_formatter(&fmt)
        .label_style(("sans-serif", u(7.0)))
        .axis_desc_style(("sans-serif", u(7.5)))
        .bold_line_style(RGBColor(220, 220, 220).stroke_width(2))
        .light_line_style(TRANSPARENT)
        .axis_style(plotters::style::BLACK.stroke_width(2))
        .x_labels(8)
        .y_labels(7)
        .draw()
        .map_err(|e| err(name)(e.to_string()))
}

fn legend<'a>(
    chart: &mut ChartContext<
        'a,
        PdfBackend<'a>,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    name: &'static str,
) -> Result<(), ReportError> {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font(("sans-serif", u(7.0)))
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(180, 180, 180))
        .margin(u(3.0))
        .draw()
        .map_err(|e| err(name)(e.to_string()))
}

fn speed_chart(area: &Area<'_, '_>, t: &Trend<'_>) -> Result<(), ReportError> {
    let name = "gait speed";
    let e = err(name);
    // One value per day: the mean of that day's trials (each trial also drawn as a dot).
    let mut daily: Vec<(f64, f64, usize)> = Vec::new();
    for &(d, v) in &t.speeds {
        match daily.last_mut() {
            Some(last) if last.0.floor() == d.floor() => {
                last.1 += v;
                last.2 += 1;
            }
            _ => daily.push((d, v, 1)),
        }
    }
    let daily: Vec<(f64, f64)> = daily
        .into_iter()
        .map(|(d, sum, n)| (d.floor() + 0.5, sum / n as f64))
        .collect();
    let max_speed = t.speeds.iter().map(|s| s.1).fold(0.0, f64::max);
    let first = daily.first().map(|s| s.1);
    let y_max = (max_speed + 0.25)
        .max(first.map_or(0.0, |f| f + MCID_HIGH_MPS + 0.1))
        .max(1.0);
    let mut chart = ChartBuilder::on(area)
        .margin(u(3.0))
        .caption(
            "Gait speed, 10 m walk test",
            ("sans-serif", u(9.0)).into_font().style(FontStyle::Bold),
        )
        .x_label_area_size(u(22.0))
        .y_label_area_size(u(30.0))
        .build_cartesian_2d(day_range(&t.all_days()), 0f64..y_max)
        .map_err(|x| e(x.to_string()))?;
    let x = chart.x_range();
    // Ambulation categories (entrain_analysis::thresholds).
    let bands = [
        (
            0.0,
            HOUSEHOLD_LIMIT_MPS,
            RGBColor(252, 238, 236),
            "household < 0.4 m/s",
        ),
        (
            HOUSEHOLD_LIMIT_MPS,
            COMMUNITY_LIMIT_MPS,
            RGBColor(253, 248, 232),
            "limited community 0.4-0.8 m/s",
        ),
        (
            COMMUNITY_LIMIT_MPS,
            y_max,
            RGBColor(236, 247, 238),
            "community >= 0.8 m/s",
        ),
    ];
    for (lo, hi, color, label) in bands {
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(x.start, lo), (x.end, hi)],
                color.filled(),
            )))
            .map_err(|x| e(x.to_string()))?;
        chart
            .draw_series(std::iter::once(Text::new(
                label,
                (x.end - (x.end - x.start) * 0.01, hi - y_max * 0.012),
                ("sans-serif", u(6.5))
                    .into_font()
                    .color(&RGBColor(110, 110, 110))
                    .pos(plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Right,
                        plotters::style::text_anchor::VPos::Top,
                    )),
            )))
            .map_err(|x| e(x.to_string()))?;
    }
    if let Some(f) = first {
        let mcid = RGBColor(120, 160, 220);
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(x.start, f + MCID_LOW_MPS), (x.end, f + MCID_HIGH_MPS)],
                mcid.mix(0.45).filled(),
            )))
            .map_err(|x| e(x.to_string()))?
            .label(format!(
                "MCID band: first day + {MCID_LOW_MPS:.2} to {MCID_HIGH_MPS:.2} m/s"
            ))
            .legend(move |(x, y)| {
                Rectangle::new(
                    [(x, y - u(2.0)), (x + u(6.0), y + u(2.0))],
                    mcid.mix(0.45).filled(),
                )
            });
    }
    mesh(&mut chart, t.origin_ms, "m/s", name)?;
    for (level, label) in [(HOUSEHOLD_LIMIT_MPS, "0.4"), (COMMUNITY_LIMIT_MPS, "0.8")] {
        chart
            .draw_series(LineSeries::new(
                [(x.start, level), (x.end, level)],
                RGBColor(150, 150, 150).stroke_width(3),
            ))
            .map_err(|x| e(format!("{label} m/s line: {x}")))?;
    }
    let c = RGBColor(23, 84, 140);
    chart
        .draw_series(LineSeries::new(daily.iter().copied(), c.stroke_width(5)))
        .map_err(|x| e(x.to_string()))?
        .label("Gait speed, mean of the day (m/s)")
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + u(6.0), y)], c.stroke_width(5)));
    let trial = RGBColor(120, 120, 120);
    chart
        .draw_series(
            t.speeds
                .iter()
                .map(|&(d, v)| Circle::new((d.floor() + 0.5, v), u(1.2) as u32, trial.filled())),
        )
        .map_err(|x| e(x.to_string()))?
        .label("Single trials")
        .legend(move |(x, y)| Circle::new((x + u(3.0), y), u(1.2) as u32, trial.filled()));
    if t.speeds.is_empty() {
        chart
            .draw_series(std::iter::once(Text::new(
                "No 10 m walk test recorded yet",
                (
                    (x.start + x.end) / 2.0 - (x.end - x.start) * 0.15,
                    y_max * 0.55,
                ),
                ("sans-serif", u(8.0))
                    .into_font()
                    .color(&RGBColor(120, 120, 120)),
            )))
            .map_err(|x| e(x.to_string()))?;
    }
    legend(&mut chart, name)
}

type Pick = fn(&SessionAnalysis) -> (Option<f64>, Option<f64>);

/// A baseline-vs-re-test trend across sessions, with an optional reference line.
fn session_chart(
    area: &Area<'_, '_>,
    t: &Trend<'_>,
    name: &'static str,
    title: &str,
    y_desc: &str,
    pick: Pick,
    reference: Option<(f64, &'static str)>,
) -> Result<(), ReportError> {
    let e = err(name);
    let base: Vec<(f64, f64)> = t
        .sessions
        .iter()
        .filter_map(|(d, s)| pick(s).0.map(|v| (*d, v)))
        .collect();
    let re: Vec<(f64, f64)> = t
        .sessions
        .iter()
        .filter_map(|(d, s)| pick(s).1.map(|v| (*d, v)))
        .collect();
    let mut values: Vec<f64> = base.iter().chain(&re).map(|p| p.1).collect();
    if let Some((r, _)) = reference {
        values.push(r);
    }
    let y = value_range(
        &values,
        0.1 * values.iter().copied().fold(1.0, f64::max).abs(),
        Some(0.0),
    );
    let mut chart = ChartBuilder::on(area)
        .margin(u(3.0))
        .caption(
            title,
            ("sans-serif", u(9.0)).into_font().style(FontStyle::Bold),
        )
        .x_label_area_size(u(22.0))
        .y_label_area_size(u(30.0))
        .build_cartesian_2d(
            day_range(&t.sessions.iter().map(|s| s.0).collect::<Vec<_>>()),
            y,
        )
        .map_err(|x| e(x.to_string()))?;
    mesh(&mut chart, t.origin_ms, y_desc, name)?;
    let x = chart.x_range();
    if let Some((r, label)) = reference {
        let grey = RGBColor(140, 140, 140);
        chart
            .draw_series(LineSeries::new(
                [(x.start, r), (x.end, r)],
                grey.stroke_width(3),
            ))
            .map_err(|x| e(x.to_string()))?
            .label(label)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + u(6.0), y)], grey.stroke_width(3))
            });
    }
    for (points, label, color) in [
        (base, "Baseline (no cue)", RGBColor(150, 150, 150)),
        (re, "Re-test (no cue)", RGBColor(23, 84, 140)),
    ] {
        chart
            .draw_series(LineSeries::new(
                points.iter().copied(),
                color.stroke_width(4),
            ))
            .map_err(|x| e(x.to_string()))?
            .label(label)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + u(6.0), y)], color.stroke_width(4))
            });
        chart
            .draw_series(
                points
                    .iter()
                    .map(|&p| Circle::new(p, u(1.6) as u32, color.filled())),
            )
            .map_err(|x| e(x.to_string()))?;
    }
    legend(&mut chart, name)
}

fn draw_charts(
    page: &mut Page,
    top_pt: f32,
    height_pt: f32,
    draw: impl FnOnce(&[Area<'_, '_>]) -> Result<(), ReportError>,
    split: usize,
) -> Result<(), ReportError> {
    let backend = PdfBackend::new(page, MARGIN_PT, top_pt, CONTENT_W_PT, height_pt);
    let root = backend.into_drawing_area();
    let areas = root.split_evenly((1, split));
    draw(&areas)?;
    root.present()
        .map_err(|e| err("progress charts")(e.to_string()))
}

/// `1 session`, `2 sessions`: a count with its noun.
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn session_rows(p: &PatientProgress) -> Vec<Vec<String>> {
    let cadence = WalkMeasure::Cadence;
    let both = |m: WalkMeasure, s: &SessionAnalysis| {
        format!(
            "{} / {}",
            m.shown(s.baseline.as_ref()),
            m.shown(s.retest.as_ref())
        )
    };
    p.sessions
        .iter()
        .map(|s| {
            let b = s.baseline.as_ref().and_then(|m| cadence.of(m));
            let r = s.retest.as_ref().and_then(|m| cadence.of(m));
            vec![
                s.session.id.to_string(),
                date_time(s.session.started_unix_ms)[..10].to_string(),
                s.session.status.as_str().to_string(),
                format!("{:.1}", s.duration_secs / 60.0),
                format_value(b, cadence.decimals()),
                format_value(r, cadence.decimals()),
                format_change(b, r, cadence.decimals()),
                format_value(s.max_cue_tempo_spm(), cadence.decimals()),
                format_value(
                    s.best_entrainment().map(|(_, x)| x.resultant_length),
                    R_DECIMALS,
                ),
                both(WalkMeasure::SymmetryRatio, s),
                both(WalkMeasure::StepTimeCv, s),
                format_value(s.gait_speed().map(|t| t.mean), GAIT_SPEED_DECIMALS),
            ]
        })
        .collect()
}

/// The progress report as PDF bytes.
pub fn render_progress_report(p: &PatientProgress) -> Result<Vec<u8>, ReportError> {
    if p.sessions.is_empty() && p.tests.is_empty() {
        return Err(ReportError::Patient {
            patient: p.patient.code.clone(),
            detail: "no sessions and no clinical tests recorded: nothing to report".into(),
        });
    }
    let t = Trend::new(p);
    let mut doc = Document::new(&format!("RAS progress report - patient {}", p.patient.code))?;
    let x = MARGIN_PT;
    let right = A4_WIDTH_PT - MARGIN_PT;
    let side = p
        .patient
        .affected_side
        .map_or("not recorded", |s| s.as_str());
    let header = |page: &mut Page, n: usize| {
        page.text(x, 50.0, 16.0, Face::Bold, ACCENT, "RAS progress report");
        page.text_right(
            right,
            50.0,
            9.0,
            Face::Regular,
            GREY,
            &format!("Entrain - page {n} of 2"),
        );
        page.text(
            x,
            68.0,
            10.0,
            Face::Bold,
            BLACK,
            &format!(
                "Patient {}   ·   {}   ·   {}",
                p.patient.code,
                count(p.sessions.len(), "session"),
                count(p.tests.len(), "clinical test")
            ),
        );
        let span = match (p.sessions.first(), p.sessions.last()) {
            (Some(a), Some(b)) => format!(
                "{} to {}",
                &format_unix_ms(a.session.started_unix_ms)[..10],
                &format_unix_ms(b.session.started_unix_ms)[..10]
            ),
            _ => "no sessions".into(),
        };
        page.text(
            x,
            81.0,
            8.0,
            Face::Regular,
            GREY,
            &format!(
                "Sessions {span} · affected side {side} · year of birth {} · diagnosis {}",
                p.patient
                    .year_of_birth
                    .map_or("-".into(), |y| y.to_string()),
                p.patient.diagnosis_date.as_deref().unwrap_or("-")
            ),
        );
        page.line((x, 88.0), (right, 88.0), 0.8, ACCENT);
    };

    // Page 1: the trend charts.
    let page = doc.add_page();
    header(page, 1);
    draw_charts(page, 94.0, 235.0, |areas| speed_chart(&areas[0], &t), 1)?;
    draw_charts(
        page,
        337.0,
        200.0,
        |areas| {
            session_chart(
                &areas[0],
                &t,
                "cadence",
                "Cadence, uncued",
                "steps/min",
                |s| {
                    (
                        s.baseline.map(|m| m.cadence_spm),
                        s.retest.map(|m| m.cadence_spm),
                    )
                },
                None,
            )
        },
        1,
    )?;
    draw_charts(
        page,
        545.0,
        250.0,
        |areas| {
            session_chart(
                &areas[0],
                &t,
                "symmetry",
                "Symmetry ratio (paretic / non-paretic)",
                "ratio",
                |s| {
                    (
                        s.baseline.and_then(|m| m.symmetry_ratio),
                        s.retest.and_then(|m| m.symmetry_ratio),
                    )
                },
                Some((1.0, "1.0 = symmetric")),
            )?;
            session_chart(
                &areas[1],
                &t,
                "variability",
                "Step time variability, CV (%)",
                "%",
                |s| {
                    (
                        s.baseline.map(|m| m.step_time_cv_percent),
                        s.retest.map(|m| m.step_time_cv_percent),
                    )
                },
                None,
            )
        },
        2,
    )?;
    page.line((x, 808.0), (right, 808.0), 0.5, RULE);
    footer_line(page, 818.0, &gait_speed_thresholds_text());
    footer_line(
        page,
        826.0,
        "Cadence (steps/min, both feet), symmetry ratio and CV from the uncued baseline and re-test of each session; nothing with fewer than 5 steps per foot.",
    );

    // Page 2: the sessions, the clinical tests, the notes.
    let page = doc.add_page();
    header(page, 2);
    let mut y = section(page, 106.0, "Sessions");
    let table = Table {
        widths: &[
            22.0, 50.0, 48.0, 30.0, 44.0, 42.0, 34.0, 44.0, 32.0, 60.0, 56.0, 53.0,
        ],
        aligns: &[
            Align::Right,
            Align::Left,
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
        size_pt: 7.0,
        row_pt: 9.5,
    };
    let rows = session_rows(p);
    let fit = 36;
    let shown = if rows.len() > fit {
        &rows[rows.len() - fit..]
    } else {
        &rows[..]
    };
    y = table.draw(
        page,
        x,
        y + 2.0,
        &[
            "#",
            "Date",
            "Status",
            "min",
            "Cad. base",
            "Cad. re",
            "Change",
            "Max cue",
            "Best R",
            "Sym. ratio b/r",
            "CV % b/r",
            "Speed m/s",
        ],
        shown,
    );
    if shown.len() < rows.len() {
        page.text(
            x,
            y + 6.0,
            7.0,
            Face::Regular,
            GREY,
            &format!(
                "Latest {} of {} shown.",
                shown.len(),
                count(rows.len(), "session")
            ),
        );
        y += 10.0;
    }
    page.text(
        x,
        y + 6.0,
        6.5,
        Face::Regular,
        GREY,
        "Cad. = cadence (steps/min); Max cue = highest audible cue tempo; Best R = highest resultant vector length of a cued phase; b/r = baseline / re-test.",
    );
    let mut y = section(page, y + 26.0, "Clinical tests");
    let table = Table {
        widths: &[70.0, 150.0, 60.0, 40.0, 195.0],
        aligns: &[
            Align::Left,
            Align::Left,
            Align::Right,
            Align::Left,
            Align::Left,
        ],
        size_pt: 7.5,
        row_pt: 10.0,
    };
    let test_rows: Vec<Vec<String>> = p
        .tests
        .iter()
        .map(|t| {
            let name = t.test.title();
            vec![
                date_time(t.performed_unix_ms)[..10].to_string(),
                name.to_string(),
                t.test.format_value(t.value),
                t.unit.clone(),
                t.notes.clone(),
            ]
        })
        .collect();
    if test_rows.is_empty() {
        page.text(
            x,
            y + 10.0,
            7.5,
            Face::Regular,
            GREY,
            "No clinical tests recorded.",
        );
    } else {
        let fit = ((760.0 - y) / 10.0).max(1.0) as usize;
        let shown = if test_rows.len() > fit {
            &test_rows[test_rows.len() - fit..]
        } else {
            &test_rows[..]
        };
        y = table.draw(
            page,
            x,
            y + 2.0,
            &["Date", "Test", "Result", "Unit", "Notes"],
            shown,
        );
        if shown.len() < test_rows.len() {
            page.text(
                x,
                y + 6.0,
                7.0,
                Face::Regular,
                GREY,
                &format!("Latest {} of {} tests shown.", shown.len(), test_rows.len()),
            );
        }
    }
    if !p.patient.notes.is_empty() {
        let y = y + 16.0;
        page.text(x, y, 8.0, Face::Bold, ACCENT, "Patient notes");
        page.text(
            x,
            y + 11.0,
            7.5,
            Face::Regular,
            BLACK,
            &ellipsize(&p.patient.notes, Face::Regular, 7.5, CONTENT_W_PT),
        );
    }
    page.line((x, 808.0), (right, 808.0), 0.5, RULE);
    footer_line(
        page,
        818.0,
        &format!(
            "Symmetry ratio needs the affected side on record. Generated {}.",
            date_time(entrain_store::unix_ms_now())
        ),
    );
    debug_assert_eq!(doc.page_count(), 2);
    doc.finish()
}
