//! The progress screen: a patient's sessions and clinical tests across time, the plots of their
//! measures (from [`crate::progress`]), baseline against re-test, and the reports and export.

use egui::{Color32, Ui};
use egui_plot::{HLine, Legend, Line, Plot, PlotPoints, Polygon};

use super::{Ctx, fmt_opt};
use crate::progress;
use crate::widgets;
use crate::worker::{ProgressData, Reply};

/// The progress screen's state: the patient's data as last read, and the session compared.
#[derive(Debug, Default)]
pub struct ProgressScreen {
    data: Option<ProgressData>,
    compare_session: Option<usize>,
}

impl ProgressScreen {
    /// The record's answer for the selected patient.
    pub fn loaded(&mut self, data: ProgressData) {
        self.data = Some(data);
    }

    /// Another patient was opened: the last one's data goes.
    pub fn forget(&mut self) {
        self.data = None;
    }

    /// Draws the screen.
    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut Ctx) {
        let Some(patient) = ctx.roster.selected_patient().cloned() else {
            ui.heading("Progress across sessions");
            ui.label("Select a patient first (Patients screen).");
            return;
        };
        ui.heading(format!("Progress of {}", patient.code));
        ui.horizontal(|ui| {
            if ui.button("Refresh progress").clicked() {
                ctx.refresh_progress();
            }
            if ui.button("Progress report (PDF)").clicked() {
                write_report(ctx, Report::Progress(patient.code.clone()));
            }
        });
        let Some(data) = &self.data else {
            ui.label("Reading the record…");
            return;
        };
        ui.label(format!(
            "{} session(s), {} clinical test(s).",
            data.sessions.len(),
            data.tests.len()
        ));
        let mut list_clicked = None;
        let mut report_clicked = None;
        egui::Grid::new("sessions").striped(true).show(ui, |ui| {
            ui.label("Session");
            ui.label("Status");
            ui.label("Steps");
            ui.label("Cadence baseline -> re-test");
            ui.label("Entrainment R");
            ui.end_row();
            for (i, (s, p)) in data.sessions.iter().zip(&data.points).enumerate() {
                ui.horizontal(|ui| {
                    if ui.button(format!("Session #{}", s.id)).clicked() {
                        list_clicked = Some(i);
                    }
                    if ui.button(format!("Report #{} (PDF)", s.id)).clicked() {
                        report_clicked = Some(Report::Session(s.id));
                    }
                    if ui.button(format!("FHIR #{}", s.id)).clicked() {
                        report_clicked = Some(Report::Fhir(s.id));
                    }
                });
                ui.label(s.status.name());
                ui.label(p.steps.to_string());
                ui.label(format!(
                    "{} -> {} steps/min",
                    fmt_opt(p.baseline.cadence_spm, 1),
                    fmt_opt(p.retest.cadence_spm, 1)
                ));
                ui.label(fmt_opt(p.entrainment_r, 2));
                ui.end_row();
            }
        });
        let idx = |points: &[progress::SessionPoint],
                   f: &dyn Fn(&progress::SessionPoint) -> Option<f64>|
         -> Vec<[f64; 2]> {
            points
                .iter()
                .enumerate()
                .filter_map(|(i, p)| f(p).map(|v| [i as f64 + 1.0, v]))
                .collect()
        };
        ui.columns(2, |cols| {
            let pts = &data.points;
            small_plot(
                &mut cols[0],
                "progress_cadence",
                "cadence, steps/min",
                vec![
                    (
                        "baseline (no cue)",
                        idx(pts, &|p| p.baseline.cadence_spm),
                        widgets::LEFT_COLOUR,
                    ),
                    (
                        "re-test (no cue)",
                        idx(pts, &|p| p.retest.cadence_spm),
                        widgets::RIGHT_COLOUR,
                    ),
                ],
            );
            small_plot(
                &mut cols[1],
                "progress_asymmetry",
                "symmetry ratio (1 = symmetric)",
                vec![
                    (
                        "baseline",
                        idx(pts, &|p| p.baseline.symmetry_ratio),
                        widgets::LEFT_COLOUR,
                    ),
                    (
                        "re-test",
                        idx(pts, &|p| p.retest.symmetry_ratio),
                        widgets::RIGHT_COLOUR,
                    ),
                ],
            );
            small_plot(
                &mut cols[0],
                "progress_cv",
                "step-time variability CV, %",
                vec![(
                    "whole session",
                    idx(pts, &|p| p.whole.step_time_cv_percent),
                    widgets::TEMPO_COLOUR,
                )],
            );
            small_plot(
                &mut cols[1],
                "progress_r",
                "entrainment R",
                vec![(
                    "cued steps",
                    idx(pts, &|p| p.entrainment_r),
                    widgets::TEMPO_COLOUR,
                )],
            );
        });
        ui.heading("Gait speed (10-metre walk)");
        let speeds = progress::gait_speeds(&data.tests);
        let first = speeds.first().map(|s| s.1);
        let n = speeds.len().max(2) as f64;
        Plot::new("progress_speed")
            .height(220.0)
            .legend(Legend::default())
            .x_axis_label("test")
            .y_axis_label("gait speed, m/s")
            .allow_scroll(false)
            .show(ui, |plot| {
                if let Some(f) = first {
                    plot.polygon(
                        Polygon::new(
                            "MCID band (0.13–0.16 m/s above the first test)",
                            PlotPoints::from(vec![
                                [0.5, f + progress::MCID_LOW_MPS],
                                [n + 0.5, f + progress::MCID_LOW_MPS],
                                [n + 0.5, f + progress::MCID_HIGH_MPS],
                                [0.5, f + progress::MCID_HIGH_MPS],
                            ]),
                        )
                        .fill_color(Color32::from_rgba_unmultiplied(0x2c, 0xa0, 0x2c, 60)),
                    );
                }
                plot.hline(
                    HLine::new(
                        "household / limited community 0.4 m/s",
                        progress::HOUSEHOLD_LIMIT_MPS,
                    )
                    .color(Color32::LIGHT_RED),
                );
                plot.hline(
                    HLine::new("community 0.8 m/s", progress::COMMUNITY_LIMIT_MPS)
                        .color(Color32::LIGHT_GREEN),
                );
                let pts: Vec<[f64; 2]> = speeds
                    .iter()
                    .enumerate()
                    .map(|(i, s)| [i as f64 + 1.0, s.1])
                    .collect();
                plot.line(
                    Line::new("gait speed", PlotPoints::from(pts))
                        .color(widgets::LEFT_COLOUR)
                        .width(3.0),
                );
            });
        if let (Some(f), Some(l)) = (first, speeds.last().map(|s| s.1))
            && speeds.len() >= 2
        {
            ui.label(format!(
                "First {f:.2} m/s -> latest {l:.2} m/s: {}; {}",
                progress::speed_change_verdict(f, l),
                progress::ambulation_class(l)
            ));
        }
        if let Some(i) = list_clicked {
            self.compare_session = Some(i);
        }
        let chosen = self.compare_session.or(data.points.len().checked_sub(1));
        if let Some(p) = chosen.and_then(|i| data.points.get(i)) {
            ui.heading(format!("Session #{}: baseline vs re-test", p.session_id));
            comparison_table(ui, &p.baseline, &p.retest);
        }
        if let Some(report) = report_clicked {
            write_report(ctx, report);
        }
    }
}

/// A report or export the clinician asked for.
#[derive(Debug, Clone, PartialEq)]
enum Report {
    /// One session's one-page PDF.
    Session(i64),
    /// A patient's progress across sessions (PDF), by code.
    Progress(String),
    /// One session as a FHIR R4 bundle (JSON).
    Fhir(i64),
}

/// Writes `report` into the data folder's `reports/` on the record's thread; the answer comes
/// back as a banner naming the file.
fn write_report(ctx: &mut Ctx, report: Report) {
    let Some(s) = ctx.store else {
        ctx.messages.error("The record is not open yet.");
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
                    .map(|()| format!("Written: {}", path.display()))
                    .map_err(|e| e.to_string())
            });
        Reply::ReportWritten(written)
    });
}

fn small_plot(ui: &mut Ui, id: &str, y_label: &str, series: Vec<(&str, Vec<[f64; 2]>, Color32)>) {
    Plot::new(id)
        .height(160.0)
        .legend(Legend::default())
        .x_axis_label("session")
        .y_axis_label(y_label)
        .allow_scroll(false)
        .show(ui, |plot| {
            for (name, pts, c) in series {
                plot.line(Line::new(name, PlotPoints::from(pts)).color(c).width(2.0));
            }
        });
}

fn comparison_table(ui: &mut Ui, a: &progress::WalkMeasures, b: &progress::WalkMeasures) {
    egui::Grid::new("comparison").striped(true).show(ui, |ui| {
        ui.label("measure");
        ui.label("baseline (no cue)");
        ui.label("re-test (no cue)");
        ui.end_row();
        let rows: [(&str, Option<f64>, Option<f64>, usize); 5] = [
            ("cadence, steps/min", a.cadence_spm, b.cadence_spm, 1),
            (
                "step time left, s",
                a.step_time_left_secs,
                b.step_time_left_secs,
                3,
            ),
            (
                "step time right, s",
                a.step_time_right_secs,
                b.step_time_right_secs,
                3,
            ),
            ("symmetry ratio", a.symmetry_ratio, b.symmetry_ratio, 2),
            (
                "variability CV, %",
                a.step_time_cv_percent,
                b.step_time_cv_percent,
                1,
            ),
        ];
        for (name, x, y, d) in rows {
            ui.label(name);
            ui.label(fmt_opt(x, d));
            ui.label(fmt_opt(y, d));
            ui.end_row();
        }
    });
}
