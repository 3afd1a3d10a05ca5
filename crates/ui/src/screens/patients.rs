//! The patients screen: the list, a search by code, and the form to add or edit a patient.

use egui::{Color32, RichText, Ui};

use entrain_store::{AffectedSide, NewPatient, PatientRecord, same_patient_code};

use super::{Ctx, Request, labelled_text};
use crate::app::Screen;
use crate::i18n;
use crate::t;
use crate::theme;
use crate::worker::Reply;

#[derive(Debug, Clone, Default, PartialEq)]
struct PatientForm {
    editing: Option<i64>,
    code: String,
    year_of_birth: String,
    affected_side: String,
    diagnosis_date: String,
    notes: String,
}

impl PatientForm {
    fn of(p: &PatientRecord) -> Self {
        PatientForm {
            editing: Some(p.id),
            code: p.code.clone(),
            year_of_birth: p.year_of_birth.map(|y| y.to_string()).unwrap_or_default(),
            affected_side: p
                .affected_side
                .map(i18n::affected_side_label)
                .unwrap_or_default(),
            diagnosis_date: p.diagnosis_date.clone().unwrap_or_default(),
            notes: p.notes.clone(),
        }
    }

    fn to_new(&self) -> Result<NewPatient, String> {
        let year_of_birth = match self.year_of_birth.trim() {
            "" => None,
            y => Some(
                y.parse::<i32>()
                    .map_err(|_| t!("patients-invalid-year", text = y))?,
            ),
        };
        let affected_side = match self.affected_side.trim() {
            "" => None,
            s => Some(parse_side(s)?),
        };
        let diagnosis_date = match self.diagnosis_date.trim() {
            "" => None,
            d => Some(d.to_string()),
        };
        Ok(NewPatient {
            code: self.code.trim().to_string(),
            year_of_birth,
            affected_side,
            diagnosis_date,
            notes: self.notes.clone(),
        })
    }
}

/// Every affected side, in the order the field names them.
const SIDES: [AffectedSide; 4] = [
    AffectedSide::Left,
    AffectedSide::Right,
    AffectedSide::Both,
    AffectedSide::None,
];

/// A typed affected side: its name in the window's language, in any case, or a stored name
/// (`left`, `l`...), so a form filled in either language is understood.
fn parse_side(text: &str) -> Result<AffectedSide, String> {
    let typed = text.trim().to_lowercase();
    SIDES
        .into_iter()
        .find(|&side| i18n::affected_side_label(side).to_lowercase() == typed)
        .map_or_else(
            || text.parse::<AffectedSide>().map_err(|e| e.to_string()),
            Ok,
        )
}

/// The affected side field's name, which lists the names it takes.
fn affected_side_field() -> String {
    let names: Vec<String> = SIDES.into_iter().map(i18n::affected_side_label).collect();
    t!("patients-affected-side", sides = names.join("/"))
}

/// The patients screen's state: the search text and the open form, if any.
#[derive(Debug, Default)]
pub struct PatientsScreen {
    search: String,
    form: Option<PatientForm>,
}

impl PatientsScreen {
    /// A patient was stored: the form closes.
    pub fn saved(&mut self) {
        self.form = None;
    }

    /// Draws the screen.
    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut Ctx) {
        ui.heading(t!("patients-heading"));
        if !ctx.store_ready {
            ui.label(t!("patients-opening-record"));
        }
        ui.horizontal(|ui| {
            labelled_text(ui, &t!("patients-search"), &mut self.search);
            if ui.button(t!("patients-add")).clicked() {
                self.form = Some(PatientForm::default());
            }
        });
        let q = self.search.trim().to_lowercase();
        let mut open = None;
        let mut edit = None;
        for p in ctx
            .roster
            .patients
            .iter()
            .filter(|p| q.is_empty() || p.code.to_lowercase().contains(&q))
        {
            let sel = ctx.roster.selected == Some(p.id);
            let (o, e) = patient_row(ui, p, sel);
            if o {
                open = Some(p.id);
            }
            if e {
                edit = Some(PatientForm::of(p));
            }
        }
        if let Some(id) = open {
            ctx.roster.selected = Some(id);
            ctx.requests.push(Request::PatientOpened);
            *ctx.screen = Screen::Sensors;
        }
        if edit.is_some() {
            self.form = edit;
        }
        let mut save = None;
        let mut cancel = false;
        if let Some(f) = &mut self.form {
            ui.separator();
            ui.heading(if f.editing.is_some() {
                t!("patients-edit-heading")
            } else {
                t!("patients-new-heading")
            });
            ui.label(t!("patients-pseudonym-hint"));
            labelled_text(ui, &t!("patients-code"), &mut f.code);
            let clash = code_clash(&ctx.roster.patients, f);
            let code = f.code.trim();
            if let Some(other) = &clash {
                ui.colored_label(
                    theme::PROBLEM_COLOUR,
                    t!("patients-code-clash", code = code, other = other.as_str()),
                );
            }
            labelled_text(ui, &t!("patients-year-of-birth"), &mut f.year_of_birth);
            labelled_text(ui, &affected_side_field(), &mut f.affected_side);
            labelled_text(ui, &t!("patients-diagnosis-date"), &mut f.diagnosis_date);
            labelled_text(ui, &t!("patients-notes"), &mut f.notes);
            ui.horizontal(|ui| {
                if ui.button(t!("patients-save")).clicked() {
                    match &clash {
                        // The record refuses it too; saying so here keeps the form as typed.
                        Some(other) => {
                            let other = other.as_str();
                            let text = t!("patients-not-saved-clash", code = code, other = other);
                            ctx.messages.error(text);
                        }
                        None => save = Some(f.clone()),
                    }
                }
                if ui.button(t!("patients-cancel")).clicked() {
                    cancel = true;
                }
            });
        }
        if cancel {
            self.form = None;
        }
        if let Some(f) = save {
            match (f.to_new(), ctx.store) {
                (Ok(np), Some(s)) => {
                    let id = f.editing;
                    s.run(move |store| {
                        Reply::PatientSaved(
                            match id {
                                Some(id) => store.update_patient(id, &np),
                                None => store.add_patient(&np),
                            }
                            .map_err(|e| e.to_string()),
                        )
                    });
                }
                (Err(e), _) => ctx.messages.error(t!("patients-not-saved", reason = e)),
                (_, None) => ctx.messages.error(t!("patients-record-not-open")),
            }
        }
    }
}

/// The code of another patient that `form`'s code equals without case, if any. Keeping the edited
/// patient's own code is no clash (an older record may hold two codes that differ only in case).
fn code_clash(patients: &[PatientRecord], form: &PatientForm) -> Option<String> {
    let code = form.code.trim();
    if code.is_empty() {
        return None;
    }
    let own = form
        .editing
        .and_then(|id| patients.iter().find(|p| p.id == id));
    if own.is_some_and(|p| p.code == code) {
        return None;
    }
    patients
        .iter()
        .find(|p| Some(p.id) != form.editing && same_patient_code(&p.code, code))
        .map(|p| p.code.clone())
}

/// The widest a row's Open or Edit button gets, px: a long code is cut short on it (the whole
/// code shows on hover and stays its accessible name), so both stay in the window.
const ROW_BUTTON_MAX_PX: f32 = 240.0;
/// The room a row keeps for the side and the year of birth, px.
const ROW_DETAILS_PX: f32 = 220.0;

/// One patient's row: the code (cut short with "…" if it is long, whole on hover), the affected
/// side, the year of birth, Open and Edit; returns whether Open and Edit were clicked.
fn patient_row(ui: &mut Ui, p: &PatientRecord, selected: bool) -> (bool, bool) {
    ui.horizontal(|ui| {
        let code_px =
            (ui.available_width() - 2.0 * ROW_BUTTON_MAX_PX - ROW_DETAILS_PX).clamp(120.0, 480.0);
        let colour = if selected {
            Color32::LIGHT_GREEN
        } else {
            Color32::WHITE
        };
        fixed_width(ui, code_px, |ui| {
            ui.add(egui::Label::new(RichText::new(&p.code).strong().color(colour)).truncate())
                .on_hover_text(&p.code);
        });
        fixed_width(ui, ROW_DETAILS_PX / 2.0, |ui| {
            ui.label(
                p.affected_side
                    .map_or_else(|| t!("no-value"), i18n::affected_side_label),
            );
        });
        fixed_width(ui, ROW_DETAILS_PX / 2.0, |ui| {
            ui.label(
                p.year_of_birth
                    .map_or_else(|| t!("no-value"), |y| y.to_string()),
            );
        });
        let button = |ui: &mut Ui, text: String| {
            ui.scope(|ui| {
                ui.set_max_width(ROW_BUTTON_MAX_PX);
                ui.add(egui::Button::new(text.as_str()).truncate())
                    .on_hover_text(text.as_str())
                    .clicked()
            })
            .inner
        };
        let open = button(ui, t!("patients-open", code = p.code.as_str()));
        let edit = button(ui, t!("patients-edit", code = p.code.as_str()));
        (open, edit)
    })
    .inner
}

/// Draws `add` in a column exactly `width_px` wide, so the rows line up.
fn fixed_width(ui: &mut Ui, width_px: f32, add: impl FnOnce(&mut Ui)) {
    ui.allocate_ui_with_layout(
        egui::vec2(width_px, theme::BUTTON_MIN_HEIGHT_PX),
        egui::Layout::left_to_right(egui::Align::Center),
        |ui| {
            ui.set_min_width(width_px);
            add(ui);
        },
    );
}
