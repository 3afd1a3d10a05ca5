//! The sensors screen: the BLE scan and the feet's assignment, the virtual patient and the recorded
//! walk, and which of them feeds the next session.

use egui::Ui;

use entrain_ble::central::{BleError, FoundSensor};
use entrain_gait::{Placement, Side};
use entrain_sim::Preset;
use entrain_source::SensorId;

use super::{Ctx, labelled_text, sensor_health};
use crate::live::{self, LiveSession, SourceChoice};
use crate::worker::{Pending, Reply};

/// What the sensors screen chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SourceKind {
    Virtual,
    Recorded,
    Ble,
}

type ScanResult = Result<Vec<FoundSensor>, BleError>;

/// The sensors screen's state: the scan, what it found, what is assigned, the chosen source.
#[derive(Debug)]
pub struct SensorsScreen {
    source_kind: SourceKind,
    preset: Preset,
    recording_path: String,
    scan: Option<Pending<ScanResult>>,
    ble_status: String,
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
            ble_status: "Not scanned yet.".into(),
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
    pub fn choice(&self) -> Result<SourceChoice, &'static str> {
        match self.source_kind {
            SourceKind::Virtual => Ok(SourceChoice::Virtual(self.preset)),
            SourceKind::Recorded => {
                if self.recording_path.trim().is_empty() {
                    return Err("Recorded walk: give the recording file first (Sensors screen).");
                }
                Ok(SourceChoice::Recorded(self.recording_path.trim().into()))
            }
            SourceKind::Ble => {
                if self.ble_assign.is_empty() {
                    return Err("BLE sensors: assign the left and right foot sensors first.");
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
                    self.ble_status = format!("{} sensor(s) found.", found.len());
                    self.found = found;
                }
                Err(BleError::NoAdapter { detail }) => {
                    self.ble_status = format!(
                        "No Bluetooth adapter on this computer ({detail}). Use the virtual patient or a recorded walk."
                    );
                }
                Err(e) => self.ble_status = format!("Scan failed: {e}"),
            }
        }
    }

    /// Draws the screen; `live` is the session on screen, whose sensors' health it shows.
    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut Ctx, live: Option<&LiveSession>) {
        ui.heading("Sensor setup");
        ui.horizontal(|ui| {
            if ui
                .add_enabled(self.scan.is_none(), egui::Button::new("Scan for sensors"))
                .clicked()
            {
                match Pending::spawn(
                    "entrain-ui-scan",
                    || entrain_ble::central::scan(std::time::Duration::from_secs(4)),
                    ctx.waker(),
                ) {
                    Ok(p) => {
                        self.scan = Some(p);
                        self.ble_status = "Scanning for 4 s…".into();
                    }
                    Err(e) => ctx.messages.error(e),
                }
            }
            ui.label(&self.ble_status);
        });
        let mut assign = Vec::new();
        egui::Grid::new("found").striped(true).show(ui, |ui| {
            for s in &self.found {
                ui.label(&s.name);
                ui.label(
                    s.rssi_dbm
                        .map_or_else(|| "signal ?".into(), |r| format!("{r} dBm")),
                );
                ui.label(
                    s.battery_percent
                        .map_or_else(|| "battery ?".into(), |b| format!("battery {b} %")),
                );
                for (placement, what) in [
                    (Placement::Foot(Side::Left), "Left foot"),
                    (Placement::Foot(Side::Right), "Right foot"),
                    (Placement::LowerBack, "Lower back"),
                ] {
                    if ui.button(format!("{what}: {}", s.name)).clicked() {
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
        ui.heading("Sensor source for the session");
        ui.radio_value(
            &mut self.source_kind,
            SourceKind::Virtual,
            "Virtual patient",
        );
        ui.horizontal(|ui| {
            let l = ui.label("Patient preset");
            egui::ComboBox::from_id_salt("preset")
                .selected_text(self.preset.name())
                .show_ui(ui, |ui| {
                    for p in Preset::ALL {
                        ui.selectable_value(&mut self.preset, p, p.name());
                    }
                })
                .response
                .labelled_by(l.id);
        });
        if ui.button("Assign virtual patient's sensors").clicked() {
            self.source_kind = SourceKind::Virtual;
            let sensors = live::virtual_sensors(self.preset);
            store_assignment(ctx, sensors, "virtual");
        }
        ui.radio_value(&mut self.source_kind, SourceKind::Recorded, "Recorded walk");
        labelled_text(ui, "Recording file (raw CSV)", &mut self.recording_path);
        ui.radio_value(&mut self.source_kind, SourceKind::Ble, "BLE sensors");
        for (id, placement, _) in &self.ble_assign {
            ui.label(format!("{placement:?}: {id}"));
        }
        ui.separator();
        if let Some(l) = live {
            ui.heading("Live sensor status");
            sensor_health(ui, &l.snapshot);
        }
        super::live::start_buttons(ui, ctx, "Go to session");
    }
}

/// Keeps the assignment in the selected patient's record.
fn store_assignment(
    ctx: &mut Ctx,
    sensors: Vec<(Placement, SensorId, String)>,
    kind: &'static str,
) {
    let Some(patient) = ctx.roster.selected else {
        ctx.messages
            .info("Sensors chosen for this session; select a patient to keep the assignment.");
        return;
    };
    if let Some(s) = ctx.store {
        s.run(move |store| {
            let mut names = Vec::new();
            for (placement, id, name) in &sensors {
                if let Err(e) = store.assign_sensor(patient, &id.0, name, kind, *placement) {
                    return Reply::Assigned(Err(e.to_string()));
                }
                names.push(format!("{} -> {}", placement.code(), id));
            }
            Reply::Assigned(Ok(format!("Sensors assigned: {}", names.join(", "))))
        });
    }
}
