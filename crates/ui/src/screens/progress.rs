//! The progress screen: a patient's sessions and clinical tests across time, the plots of their
//! measures, baseline against re-test, and the reports and export. Every number comes from
//! `entrain-analysis`, as in the reports.

use egui::{Color32, Ui};
use egui_plot::{HLine, Legend, Line, Plot, PlotPoints, Points, Polygon, uniform_grid_spacer};
use entrain_analysis::measure::{GAIT_SPEED_DECIMALS, R_DECIMALS, format_value};
use entrain_analysis::thresholds::{
    AmbulationClass, COMMUNITY_LIMIT_MPS, HOUSEHOLD_LIMIT_MPS, MCID_HIGH_MPS, MCID_LOW_MPS,
    SpeedChange, THRESHOLDS,
};
use entrain_analysis::{PatientProgress, SessionAnalysis, WalkMeasure};
use entrain_cue::Phase;
use entrain_store::ClinicalTestKind;

use super::Ctx;
use crate::i18n::{self, measure_label, phase_title, test_kind_title};
use crate::t;
use crate::widgets;
use crate::worker::Reply;

/// The progress screen's state: the patient's data as last read, and the session compared.
#[derive(Debug, Default)]
pub struct ProgressScreen {
    data: Option<PatientProgress>,
    compare_session: Option<usize>,
}

impl ProgressScreen {
    /// The record's answer for the selected patient.
    pub fn loaded(&mut self, data: PatientProgress) {
        self.data = Some(data);
    }

    /// The selected patient's data as last read, if any.
    pub fn data(&self) -> Option<&PatientProgress> {
        self.data.as_ref()
    }

    /// Another patient was opened: the last one's data goes.
    pub fn forget(&mut self) {
        self.data = None;
    }

    /// Draws the screen.
    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut Ctx) {
        let Some(patient) = ctx.roster.selected_patient().cloned() else {
            ui.heading(t!("progress-heading-no-patient"));
            ui.label(t!("progress-select-patient"));
            return;
        };
        ui.heading(t!("progress-heading", code = patient.code.as_str()));
        ui.horizontal(|ui| {
            if ui.button(t!("progress-refresh")).clicked() {
                ctx.refresh_progress();
            }
            if ui.button(t!("progress-report")).clicked() {
                write_report(ctx, Report::Progress(patient.code.clone()));
            }
        });
        let Some(data) = &self.data else {
            ui.label(t!("progress-reading"));
            return;
        };
        ui.label(t!(
            "progress-counts",
            sessions = data.sessions.len(),
            tests = data.tests.len()
        ));
        let cadence = WalkMeasure::Cadence;
        let best_r = |s: &SessionAnalysis| s.best_entrainment().map(|(_, x)| x.resultant_length);
        let mut list_clicked = None;
        let mut report_clicked = None;
        egui::Grid::new("sessions").striped(true).show(ui, |ui| {
            ui.label(t!("progress-column-session"));
            ui.label(t!("progress-column-status"));
            ui.label(t!("progress-column-steps"));
            ui.label(t!("progress-column-cadence"));
            ui.label(t!("progress-column-entrainment"));
            ui.end_row();
            for (i, s) in data.sessions.iter().enumerate() {
                let id = s.session.id;
                ui.horizontal(|ui| {
                    if ui.button(t!("progress-session", id = id)).clicked() {
                        list_clicked = Some(i);
                    }
                    if ui.button(t!("progress-session-report", id = id)).clicked() {
                        report_clicked = Some(Report::Session(id));
                    }
                    if ui.button(t!("progress-session-fhir", id = id)).clicked() {
                        report_clicked = Some(Report::Fhir(id));
                    }
                });
                ui.label(i18n::status_label(s.session.status));
                ui.label(s.total_steps.to_string());
                ui.label(t!(
                    "progress-cadence-change",
                    baseline = cadence.shown(s.baseline.as_ref()),
                    retest = cadence.shown(s.retest.as_ref())
                ));
                ui.label(format_value(best_r(s), R_DECIMALS));
                ui.end_row();
            }
        });
        // One point per session (x: its number in the list) of measure `m` of the baseline or
        // the re-test.
        let series = |m: WalkMeasure, retest: bool| {
            data.sessions
                .iter()
                .enumerate()
                .filter_map(|(i, s)| {
                    let walk = if retest { &s.retest } else { &s.baseline };
                    walk.as_ref()
                        .and_then(|x| m.of(x))
                        .map(|v| [i as f64 + 1.0, v])
                })
                .collect::<Vec<[f64; 2]>>()
        };
        ui.columns(2, |cols| {
            let (per_session, per_test) = (t!("progress-axis-session"), t!("progress-axis-test"));
            for (col, m) in [
                (0, WalkMeasure::Cadence),
                (1, WalkMeasure::SymmetryRatio),
                (0, WalkMeasure::StepTimeCv),
            ] {
                small_plot(
                    &mut cols[col],
                    Chart::Measure(m),
                    &per_session,
                    &measure_label(m),
                    vec![
                        (
                            phase_title(Phase::Baseline),
                            series(m, false),
                            widgets::LEFT_COLOUR,
                        ),
                        (
                            phase_title(Phase::Retest),
                            series(m, true),
                            widgets::RIGHT_COLOUR,
                        ),
                    ],
                );
            }
            let r: Vec<[f64; 2]> = data
                .sessions
                .iter()
                .enumerate()
                .filter_map(|(i, s)| best_r(s).map(|v| [i as f64 + 1.0, v]))
                .collect();
            small_plot(
                &mut cols[1],
                Chart::Entrainment,
                &per_session,
                &t!("progress-axis-entrainment"),
                vec![(t!("progress-best-cued-phase"), r, widgets::TEMPO_COLOUR)],
            );
            small_plot(
                &mut cols[0],
                Chart::TimedUpAndGo,
                &per_test,
                &t!("progress-axis-tug"),
                vec![(
                    test_kind_title(ClinicalTestKind::TimedUpAndGo),
                    test_series(data, ClinicalTestKind::TimedUpAndGo),
                    widgets::TEMPO_COLOUR,
                )],
            );
            small_plot(
                &mut cols[1],
                Chart::Fac,
                &per_test,
                &t!("progress-axis-fac"),
                vec![(
                    test_kind_title(ClinicalTestKind::Fac),
                    test_series(data, ClinicalTestKind::Fac),
                    widgets::TEMPO_COLOUR,
                )],
            );
        });
        ui.heading(t!("progress-speed-heading"));
        let speeds = data.results(ClinicalTestKind::TenMetreWalk);
        let speed_points = test_series(data, ClinicalTestKind::TenMetreWalk);
        let first = speeds.first().map(|s| s.1);
        let n = speeds.len().max(2) as f64;
        let gait_speed = t!("progress-speed");
        Plot::new("progress_speed")
            .height(220.0)
            .legend(Legend::default())
            .x_axis_label(t!("progress-axis-test"))
            .y_axis_label(t!("progress-axis-speed"))
            .y_axis_min_width(44.0)
            .x_grid_spacer(uniform_grid_spacer(|_| [1.0, 5.0, 10.0]))
            .x_axis_formatter(|mark, _| count_axis_label(mark.value))
            .allow_scroll(false)
            .show(ui, |plot| {
                if let Some(f) = first {
                    plot.polygon(
                        Polygon::new(
                            t!(
                                "progress-mcid-band",
                                low = format!("{MCID_LOW_MPS:.2}"),
                                high = format!("{MCID_HIGH_MPS:.2}")
                            ),
                            PlotPoints::from(vec![
                                [0.5, f + MCID_LOW_MPS],
                                [n + 0.5, f + MCID_LOW_MPS],
                                [n + 0.5, f + MCID_HIGH_MPS],
                                [0.5, f + MCID_HIGH_MPS],
                            ]),
                        )
                        .fill_color(Color32::from_rgba_unmultiplied(0x2c, 0xa0, 0x2c, 60)),
                    );
                }
                plot.hline(
                    HLine::new(
                        t!(
                            "progress-household-limit",
                            speed = format!("{HOUSEHOLD_LIMIT_MPS:.1}")
                        ),
                        HOUSEHOLD_LIMIT_MPS,
                    )
                    .color(Color32::LIGHT_RED),
                );
                plot.hline(
                    HLine::new(
                        t!(
                            "progress-community-limit",
                            speed = format!("{COMMUNITY_LIMIT_MPS:.1}")
                        ),
                        COMMUNITY_LIMIT_MPS,
                    )
                    .color(Color32::LIGHT_GREEN),
                );
                plot.line(
                    Line::new(gait_speed.as_str(), PlotPoints::from(speed_points.clone()))
                        .color(widgets::LEFT_COLOUR)
                        .width(3.0),
                );
                plot.points(
                    Points::new(gait_speed.as_str(), PlotPoints::from(speed_points))
                        .color(widgets::LEFT_COLOUR)
                        .radius(5.0),
                );
            });
        if let (Some(f), Some(l)) = (first, speeds.last().map(|s| s.1))
            && speeds.len() >= 2
        {
            ui.label(t!(
                "progress-speed-change",
                first = format_value(Some(f), GAIT_SPEED_DECIMALS),
                latest = format_value(Some(l), GAIT_SPEED_DECIMALS),
                verdict = i18n::speed_change_label(SpeedChange::of(f, l)),
                class = i18n::ambulation_label(AmbulationClass::of(l))
            ));
        }
        if let Some(i) = list_clicked {
            self.compare_session = Some(i);
        }
        let chosen = self.compare_session.or(data.sessions.len().checked_sub(1));
        if let Some(s) = chosen.and_then(|i| data.sessions.get(i)) {
            ui.heading(t!("progress-compare-heading", id = s.session.id));
            comparison_table(ui, s);
        }
        egui::CollapsingHeader::new(t!("progress-thresholds")).show(ui, |ui| {
            egui::Grid::new("thresholds").striped(true).show(ui, |ui| {
                for t in THRESHOLDS {
                    ui.label(i18n::threshold_name(&t));
                    ui.label(format!("{} {}", t.value, t.unit).trim_end());
                    ui.label(i18n::threshold_meaning(&t));
                    ui.end_row();
                }
            });
        });
        if let Some(report) = report_clicked {
            write_report(ctx, report);
        }
    }
}

/// A report or export the clinician asked for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Report {
    /// One session's one-page PDF.
    Session(i64),
    /// A patient's progress across sessions (PDF), by code.
    Progress(String),
    /// One session as a FHIR R4 bundle (JSON).
    Fhir(i64),
}

/// Writes `report` into the data folder's `reports/` on the record's thread; the answer comes
/// back as a banner naming the file.
pub(crate) fn write_report(ctx: &mut Ctx, report: Report) {
    let Some(s) = ctx.store else {
        ctx.messages.error(t!("progress-record-not-open"));
        return;
    };
    let folder = ctx.settings.data_dir.join("reports");
    s.run(move |store| {
        let written = std::fs::create_dir_all(&folder)
            .map_err(|e| format!("{}: {e}", folder.display()))
            .and_then(|()| {
                let (path, result) = match &report {
                    Report::Session(id) => {
                        let path = folder.join(format!("session-{id}.pdf"));
                        let r = entrain_report::session_pdf(store, *id, &path);
                        (path, r)
                    }
                    Report::Progress(code) => {
                        let path = folder.join(format!("progress-{code}.pdf"));
                        let r = entrain_report::patient_pdf(store, code, &path);
                        (path, r)
                    }
                    Report::Fhir(id) => {
                        let path = folder.join(format!("session-{id}.fhir.json"));
                        let r = entrain_report::session_fhir_json(store, *id, &path);
                        (path, r)
                    }
                };
                result
                    .map(|()| t!("progress-written", path = path.display().to_string()))
                    .map_err(|e| e.to_string())
            });
        Reply::ReportWritten(written)
    });
}

/// The label of a mark on a counted axis (sessions, tests): whole numbers only, `#3`; no label
/// between them.
fn count_axis_label(value: f64) -> String {
    if value >= 1.0 && (value - value.round()).abs() < 1e-9 {
        format!("#{}", value.round() as i64)
    } else {
        String::new()
    }
}

/// Which small chart a plot is (its id among the screen's plots).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Chart {
    /// A walk measure, baseline and re-test per session.
    Measure(WalkMeasure),
    /// The best entrainment R per session.
    Entrainment,
    /// Timed Up and Go per test.
    TimedUpAndGo,
    /// FAC per test.
    Fac,
}

/// A small chart over a counted axis (`x_label`: session or test number): each series as a line
/// with a marker at every point, so a single session still shows.
fn small_plot(
    ui: &mut Ui,
    id: Chart,
    x_label: &str,
    y_label: &str,
    series: Vec<(String, Vec<[f64; 2]>, Color32)>,
) {
    Plot::new(id)
        .height(170.0)
        .legend(Legend::default())
        .x_axis_label(x_label)
        .y_axis_label(y_label)
        .y_axis_min_width(44.0)
        .x_grid_spacer(uniform_grid_spacer(|_| [1.0, 5.0, 10.0]))
        .x_axis_formatter(|mark, _| count_axis_label(mark.value))
        .include_x(0.5)
        .allow_scroll(false)
        .show(ui, |plot| {
            for (name, pts, c) in series {
                plot.line(
                    Line::new(name.as_str(), PlotPoints::from(pts.clone()))
                        .color(c)
                        .width(2.0),
                );
                plot.points(
                    Points::new(name.as_str(), PlotPoints::from(pts))
                        .color(c)
                        .radius(4.0),
                );
            }
        });
}

/// One point per test of `kind` (x: its number), oldest first.
fn test_series(data: &PatientProgress, kind: ClinicalTestKind) -> Vec<[f64; 2]> {
    data.results(kind)
        .iter()
        .enumerate()
        .map(|(i, r)| [i as f64 + 1.0, r.1])
        .collect()
}

/// The session's baseline vs re-test table, as the session report prints it (its numbers; the
/// rows' names in the window's language).
fn comparison_table(ui: &mut Ui, s: &SessionAnalysis) {
    // The rows are documented as one per measure, then the gait speed, then the steps counted.
    let names: Vec<String> = WalkMeasure::ALL
        .iter()
        .map(|&m| measure_label(m))
        .chain([
            t!("progress-compare-gait-speed"),
            t!("progress-compare-steps"),
        ])
        .collect();
    egui::Grid::new("comparison").striped(true).show(ui, |ui| {
        for head in [
            t!("progress-compare-measure"),
            t!("progress-compare-baseline"),
            t!("progress-compare-retest"),
            t!("progress-compare-change"),
        ] {
            ui.label(head);
        }
        ui.end_row();
        for (i, [name, cells @ ..]) in s.baseline_vs_retest().into_iter().enumerate() {
            ui.label(names.get(i).cloned().unwrap_or(name));
            for cell in cells {
                ui.label(cell);
            }
            ui.end_row();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::count_axis_label;

    #[test]
    fn a_counted_axis_is_labelled_at_whole_numbers_only() {
        assert_eq!(count_axis_label(1.0), "#1");
        assert_eq!(count_axis_label(12.0), "#12");
        assert_eq!(count_axis_label(1.5), "");
        assert_eq!(count_axis_label(0.0), "");
        assert_eq!(count_axis_label(-2.0), "");
    }
}
