//! The sensors screen: the BLE scan and the feet's assignment, the virtual patient and the recorded
//! walk, and which of them feeds the next session.

use egui::Ui;

use entrain_ble::central::{BleError, FoundSensor};
use entrain_gait::{Placement, Side};
use entrain_sim::Preset;
use entrain_source::SensorId;

use super::{Ctx, labelled_text, sensor_health};
use crate::i18n;
use crate::live::{self, LiveSession, SourceChoice};
use crate::t;
use crate::worker::{Pending, Reply};

/// How long a BLE scan listens, s.
const SCAN_SECS: u64 = 4;

/// What the sensors screen chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SourceKind {
    Virtual,
    Recorded,
    Ble,
}

type ScanResult = Result<Vec<FoundSensor>, BleError>;

/// Where the BLE scan is, worded when drawn (in the language in force then).
#[derive(Debug, Clone, PartialEq, Eq)]
enum ScanStatus {
    NotScanned,
    Scanning,
    Found(usize),
    NoAdapter(String),
    Failed(String),
}

impl ScanStatus {
    fn text(&self) -> String {
        match self {
            ScanStatus::NotScanned => t!("sensors-not-scanned"),
            ScanStatus::Scanning => t!("sensors-scanning", seconds = SCAN_SECS),
            ScanStatus::Found(count) => t!("sensors-found", count = *count),
            ScanStatus::NoAdapter(detail) => t!("sensors-no-adapter", detail = detail.as_str()),
            ScanStatus::Failed(error) => t!("sensors-scan-failed", error = error.as_str()),
        }
    }
}

/// The sensors screen's state: the scan, what it found, what is assigned, the chosen source.
#[derive(Debug)]
pub struct SensorsScreen {
    source_kind: SourceKind,
    preset: Preset,
    recording_path: String,
    scan: Option<Pending<ScanResult>>,
    ble_status: ScanStatus,
    found: Vec<FoundSensor>,
    ble_assign: Vec<(SensorId, Placement, entrain_source::SensorKind)>,
}

impl Default for SensorsScreen {
    fn default() -> Self {
        SensorsScreen {
            source_kind: SourceKind::Virtual,
            preset: Preset::Entrains,
            recording_path: String::new(),
            scan: None,
            ble_status: ScanStatus::NotScanned,
            found: Vec::new(),
            ble_assign: Vec::new(),
        }
    }
}

impl SensorsScreen {
    /// The next session takes the virtual patient.
    pub fn use_virtual(&mut self) {
        self.source_kind = SourceKind::Virtual;
    }

    /// The chosen source for the next session, or what is missing for it.
    pub fn choice(&self) -> Result<SourceChoice, String> {
        match self.source_kind {
            SourceKind::Virtual => Ok(SourceChoice::Virtual(self.preset)),
            SourceKind::Recorded => {
                if self.recording_path.trim().is_empty() {
                    return Err(t!("sensors-need-recording"));
                }
                Ok(SourceChoice::Recorded(self.recording_path.trim().into()))
            }
            SourceKind::Ble => {
                if self.ble_assign.is_empty() {
                    return Err(t!("sensors-need-ble"));
                }
                Ok(SourceChoice::Ble(self.ble_assign.clone()))
            }
        }
    }

    /// Takes the scan's answer, once it has come.
    pub fn poll(&mut self) {
        if let Some(p) = &self.scan
            && let Some(r) = p.try_take()
        {
            self.scan = None;
            match r {
                Ok(found) => {
                    self.ble_status = ScanStatus::Found(found.len());
                    self.found = found;
                }
                Err(BleError::NoAdapter { detail }) => {
                    self.ble_status = ScanStatus::NoAdapter(detail);
                }
                Err(e) => self.ble_status = ScanStatus::Failed(e.to_string()),
            }
        }
    }

    /// Draws the screen; `live` is the session on screen, whose sensors' health it shows.
    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut Ctx, live: Option<&LiveSession>) {
        ui.heading(t!("sensors-heading"));
        ui.horizontal(|ui| {
            if ui
                .add_enabled(self.scan.is_none(), egui::Button::new(t!("sensors-scan")))
                .clicked()
            {
                match Pending::spawn(
                    "entrain-ui-scan",
                    || entrain_ble::central::scan(std::time::Duration::from_secs(SCAN_SECS)),
                    ctx.waker(),
                ) {
                    Ok(p) => {
                        self.scan = Some(p);
                        self.ble_status = ScanStatus::Scanning;
                    }
                    Err(e) => ctx.messages.error(e),
                }
            }
            ui.label(self.ble_status.text());
        });
        let mut assign = Vec::new();
        egui::Grid::new("found").striped(true).show(ui, |ui| {
            for s in &self.found {
                ui.label(&s.name);
                ui.label(
                    s.rssi_dbm
                        .map_or_else(|| t!("sensors-signal-unknown"), |r| format!("{r} dBm")),
                );
                ui.label(s.battery_percent.map_or_else(
                    || t!("sensors-battery-unknown"),
                    |b| t!("sensors-battery", percent = b),
                ));
                let name = s.name.as_str();
                for (placement, text) in [
                    (
                        Placement::Foot(Side::Left),
                        t!("sensors-assign-left-foot", name = name),
                    ),
                    (
                        Placement::Foot(Side::Right),
                        t!("sensors-assign-right-foot", name = name),
                    ),
                    (
                        Placement::LowerBack,
                        t!("sensors-assign-lower-back", name = name),
                    ),
                ] {
                    if ui.button(text).clicked() {
                        assign.push((s.id.clone(), placement, s.kind, s.name.clone()));
                    }
                }
                ui.end_row();
            }
        });
        for (id, placement, kind, name) in assign {
            self.ble_assign.retain(|a| a.1 != placement);
            self.ble_assign.push((id.clone(), placement, kind));
            self.source_kind = SourceKind::Ble;
            store_assignment(ctx, vec![(placement, id, name)], "ble");
        }
        ui.separator();
        ui.heading(t!("sensors-source-heading"));
        ui.radio_value(
            &mut self.source_kind,
            SourceKind::Virtual,
            t!("sensors-virtual"),
        );
        ui.horizontal(|ui| {
            let l = ui.label(t!("sensors-preset"));
            egui::ComboBox::from_id_salt("preset")
                .selected_text(preset_label(self.preset))
                .show_ui(ui, |ui| {
                    for p in Preset::ALL {
                        ui.selectable_value(&mut self.preset, p, preset_label(p));
                    }
                })
                .response
                .labelled_by(l.id);
        });
        if ui.button(t!("sensors-assign-virtual")).clicked() {
            self.source_kind = SourceKind::Virtual;
            let sensors = live::virtual_sensors(self.preset);
            store_assignment(ctx, sensors, "virtual");
        }
        ui.radio_value(
            &mut self.source_kind,
            SourceKind::Recorded,
            t!("sensors-recorded"),
        );
        labelled_text(ui, &t!("sensors-recording-file"), &mut self.recording_path);
        ui.radio_value(&mut self.source_kind, SourceKind::Ble, t!("sensors-ble"));
        for (id, placement, _) in &self.ble_assign {
            let placement = i18n::placement_label(*placement);
            ui.label(format!("{placement}: {id}"));
        }
        ui.separator();
        if let Some(l) = live {
            ui.heading(t!("sensors-live-heading"));
            sensor_health(ui, &l.snapshot);
        }
        super::live::start_buttons(ui, ctx, &t!("sensors-go-to-session"));
    }
}

/// Keeps the assignment in the selected patient's record.
fn store_assignment(
    ctx: &mut Ctx,
    sensors: Vec<(Placement, SensorId, String)>,
    kind: &'static str,
) {
    let Some(patient) = ctx.roster.selected else {
        ctx.messages.info(t!("sensors-not-kept"));
        return;
    };
    // Worded here, on the window's thread, which knows the clinician's language.
    let names: Vec<String> = sensors
        .iter()
        .map(|(placement, id, _)| format!("{} -> {}", placement.code(), id))
        .collect();
    let assigned = t!("sensors-assigned", sensors = names.join(", "));
    if let Some(s) = ctx.store {
        s.run(move |store| {
            for (placement, id, name) in &sensors {
                if let Err(e) = store.assign_sensor(patient, &id.0, name, kind, *placement) {
                    return Reply::Assigned(Err(e.to_string()));
                }
            }
            Reply::Assigned(Ok(assigned))
        });
    }
}

/// A virtual patient preset's name, as the preset list shows it.
fn preset_label(preset: Preset) -> String {
    match preset {
        Preset::Entrains => t!("sensors-preset-entrains"),
        Preset::Limited => t!("sensors-preset-limited"),
        Preset::Asymmetric => t!("sensors-preset-asymmetric"),
        Preset::Stops => t!("sensors-preset-stops"),
        Preset::Healthy => t!("sensors-preset-healthy"),
    }
}

#[cfg(test)]
mod preset_tests {
    use super::*;
    use crate::i18n::Language;

    #[test]
    fn every_preset_has_its_own_name_in_every_language() {
        for language in Language::ALL {
            i18n::set_language(language);
            let names: std::collections::BTreeSet<String> =
                Preset::ALL.into_iter().map(preset_label).collect();
            assert_eq!(names.len(), Preset::ALL.len(), "{language:?}: {names:?}");
        }
        i18n::set_language(Language::German);
        let german = preset_label(Preset::Entrains);
        i18n::set_language(Language::English);
        assert_eq!(german, "folgt dem Takt");
        assert_eq!(preset_label(Preset::Entrains), Preset::Entrains.name());
    }
}
