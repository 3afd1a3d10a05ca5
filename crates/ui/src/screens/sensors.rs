//! The sensors screen: the BLE scan and the feet's assignment, the virtual patient and the recorded
//! walk, and which of them feeds the next session.

use std::time::{Duration, Instant};

use egui::Ui;

use entrain_ble::central::{BleError, FoundSensor, TapEvent, TapListener};
use entrain_gait::{Placement, Side};
use entrain_sim::Preset;
use entrain_source::{SensorId, SensorKind};
use entrain_store::SensorAssignment;

use super::{Ctx, labelled_text, sensor_health};
use crate::i18n;
use crate::live::{self, LiveSession, SourceChoice};
use crate::t;
use crate::worker::{Pending, Reply};

/// How long a BLE scan listens, s.
const SCAN_SECS: u64 = 4;
/// How long the screen waits for the tap it asked for, s.
const TAP_SECS: u64 = 60;

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
    ble_assign: Vec<(SensorId, Placement, SensorKind)>,
    tap: Option<TapState>,
    /// The patient whose remembered sensors were asked for, and what the record answered.
    remembered_for: Option<i64>,
    remembered: Vec<SensorAssignment>,
}

/// Listening for taps: the sensors streaming, and the placement a tap is asked for.
struct TapState {
    listener: TapListener,
    candidates: usize,
    streaming: std::collections::BTreeSet<SensorId>,
    asked: Option<(Placement, Instant)>,
}

impl std::fmt::Debug for TapState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TapState")
            .field("listener", &self.listener)
            .field("asked", &self.asked.map(|a| a.0))
            .finish()
    }
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
            tap: None,
            remembered_for: None,
            remembered: Vec::new(),
        }
    }
}

impl SensorsScreen {
    /// The next session takes the virtual patient.
    pub fn use_virtual(&mut self) {
        self.source_kind = SourceKind::Virtual;
    }

    /// The chosen source for the next session, or what is missing for it. Stops listening for
    /// taps: the session connects to the sensors itself.
    pub fn choice(&mut self) -> Result<SourceChoice, String> {
        self.tap = None;
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
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        ctx: &mut Ctx,
        live: Option<&LiveSession>,
        music: &mut super::music::MusicScreen,
    ) {
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
                ui.label(i18n::sensor_kind_label(s.kind));
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
            self.assign(ctx, id, placement, kind, name);
        }
        self.tap_ui(ui, ctx);
        self.remembered_ui(ui, ctx);
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
            let sensors = live::virtual_sensors(self.preset)
                .into_iter()
                .map(|(placement, id, name)| {
                    (placement, id, name, entrain_store::VIRTUAL_SENSOR_KIND)
                })
                .collect();
            store_assignment(ctx, sensors);
            self.remembered_for = None;
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
        super::live::start_buttons(ui, ctx, &t!("sensors-go-to-session"), music);
    }
}

impl SensorsScreen {
    /// Wears sensor `id` at `placement` for the next session, and keeps it for the patient.
    fn assign(
        &mut self,
        ctx: &mut Ctx,
        id: SensorId,
        placement: Placement,
        kind: SensorKind,
        name: String,
    ) {
        self.ble_assign.retain(|a| a.1 != placement && a.0 != id);
        self.ble_assign.push((id.clone(), placement, kind));
        self.source_kind = SourceKind::Ble;
        store_assignment(ctx, vec![(placement, id, name, kind.code())]);
        // Read back what the record now keeps.
        self.remembered_for = None;
    }

    /// Choosing a placement's sensor by tapping it: the buttons, the listening, the answer.
    fn tap_ui(&mut self, ui: &mut Ui, ctx: &mut Ctx) {
        ui.label(egui::RichText::new(t!("sensors-tap-heading")).strong());
        ui.label(t!("sensors-tap-hint"));
        let mut ask = None;
        ui.horizontal(|ui| {
            let waiting = self.tap.as_ref().is_some_and(|t| t.asked.is_some());
            for (placement, text) in [
                (Placement::Foot(Side::Left), t!("sensors-tap-left-foot")),
                (Placement::Foot(Side::Right), t!("sensors-tap-right-foot")),
                (Placement::LowerBack, t!("sensors-tap-lower-back")),
            ] {
                if ui.add_enabled(!waiting, egui::Button::new(text)).clicked() {
                    ask = Some(placement);
                }
            }
            if self.tap.is_some() && ui.button(t!("sensors-tap-stop")).clicked() {
                self.tap = None;
            }
        });
        if let Some(placement) = ask {
            self.ask_for_tap(ctx, placement);
        }
        let Some(state) = &mut self.tap else {
            return;
        };
        let events = match state.listener.poll() {
            Ok(events) => events,
            Err(e) => {
                ctx.messages
                    .error(t!("sensors-tap-failed", error = e.to_string()));
                self.tap = None;
                return;
            }
        };
        let mut tapped = None;
        for event in events {
            match event {
                TapEvent::Streaming(id) => {
                    state.streaming.insert(id);
                }
                TapEvent::Lost(id) => {
                    state.streaming.remove(&id);
                }
                TapEvent::Ambiguous(ids) if state.asked.is_some() => {
                    let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
                    ctx.messages
                        .warn(t!("sensors-tap-ambiguous", sensors = ids.join(", ")));
                }
                TapEvent::Tapped(id) if state.asked.is_some() => tapped = Some(id),
                TapEvent::Ambiguous(_) | TapEvent::Tapped(_) => {}
            }
        }
        if let Some((placement, deadline)) = state.asked {
            let left_secs = deadline.saturating_duration_since(Instant::now()).as_secs();
            if left_secs == 0 {
                ctx.messages.warn(t!("sensors-tap-timeout"));
                state.asked = None;
            } else if state.streaming.is_empty() {
                ui.label(t!("sensors-tap-connecting", count = state.candidates));
            } else {
                ui.label(t!(
                    "sensors-tap-now",
                    placement = i18n::placement_label(placement),
                    seconds = left_secs
                ));
            }
            // The taps come from another thread: look again soon.
            ctx.egui.request_repaint_after(Duration::from_millis(50));
        }
        if let (Some(id), Some((placement, _))) = (tapped, state.asked) {
            self.tapped(ctx, id, placement);
        }
    }

    /// Starts listening (if not already) and asks for a tap on `placement`'s sensor.
    fn ask_for_tap(&mut self, ctx: &mut Ctx, placement: Placement) {
        let deadline = Instant::now() + Duration::from_secs(TAP_SECS);
        if let Some(state) = &mut self.tap {
            state.asked = Some((placement, deadline));
            return;
        }
        let candidates: Vec<(SensorId, SensorKind)> = self
            .found
            .iter()
            .filter(|f| !matches!(f.kind, SensorKind::Rsc { .. }))
            .map(|f| (f.id.clone(), f.kind))
            .collect();
        if candidates.is_empty() {
            ctx.messages.warn(t!("sensors-tap-none"));
            return;
        }
        match TapListener::start(&candidates) {
            Ok(listener) => {
                self.tap = Some(TapState {
                    listener,
                    candidates: candidates.len(),
                    streaming: Default::default(),
                    asked: Some((placement, deadline)),
                });
            }
            Err(e) => ctx
                .messages
                .error(t!("sensors-tap-failed", error = e.to_string())),
        }
    }

    /// Sensor `id` was tapped when `placement`'s was asked for.
    fn tapped(&mut self, ctx: &mut Ctx, id: SensorId, placement: Placement) {
        if let Some(&(_, already, _)) = self
            .ble_assign
            .iter()
            .find(|a| a.0 == id && a.1 != placement)
        {
            ctx.messages.warn(t!(
                "sensors-tap-already",
                placement = i18n::placement_label(already)
            ));
            return;
        }
        let Some(found) = self.found.iter().find(|f| f.id == id).cloned() else {
            return;
        };
        if let Some(state) = &mut self.tap {
            state.asked = None;
        }
        self.assign(ctx, id, placement, found.kind, found.name);
        // Both feet chosen: let the sensors go until the session connects to them.
        let feet = self
            .ble_assign
            .iter()
            .filter(|a| matches!(a.1, Placement::Foot(_)))
            .count();
        if feet == 2 {
            self.tap = None;
        }
    }

    /// The sensors the record keeps for the selected patient (asked for when the selection
    /// changes).
    fn remembered_ui(&mut self, ui: &mut Ui, ctx: &mut Ctx) {
        let selected = ctx.roster.selected;
        if selected != self.remembered_for {
            self.remembered_for = selected;
            self.remembered.clear();
            if let (Some(patient), Some(store)) = (selected, ctx.store) {
                store.run(move |store| {
                    Reply::Remembered(
                        store
                            .sensor_assignments(patient)
                            .map(|a| (patient, a))
                            .map_err(|e| e.to_string()),
                    )
                });
            }
        }
        if selected.is_none() {
            return;
        }
        ui.label(egui::RichText::new(t!("sensors-remembered-heading")).strong());
        if self.remembered.is_empty() {
            ui.label(t!("sensors-remembered-none"));
        }
        for a in &self.remembered {
            let kind = a
                .kind
                .parse::<SensorKind>()
                .map_or_else(|_| a.kind.clone(), i18n::sensor_kind_label);
            ui.label(t!(
                "sensors-remembered-row",
                placement = i18n::placement_label(a.placement),
                kind = kind,
                name = a.name.as_str()
            ));
        }
    }

    /// The record's answer: `patient`'s remembered sensors. Those on BLE become the next
    /// session's, so a patient's second session needs no setup.
    pub fn remembered(&mut self, patient: i64, sensors: Vec<SensorAssignment>) {
        if Some(patient) != self.remembered_for {
            return;
        }
        let ble: Vec<(SensorId, Placement, SensorKind)> = sensors
            .iter()
            .filter_map(|a| {
                let kind = a.kind.parse::<SensorKind>().ok()?;
                Some((SensorId(a.sensor_key.clone()), a.placement, kind))
            })
            .collect();
        let feet = ble
            .iter()
            .filter(|a| matches!(a.1, Placement::Foot(_)))
            .count();
        if feet == 2 && ble != self.ble_assign {
            self.ble_assign = ble;
            self.source_kind = SourceKind::Ble;
        }
        self.remembered = sensors;
    }
}

/// Keeps the assignment in the selected patient's record: each sensor's placement, id, name and
/// kind's code.
fn store_assignment(ctx: &mut Ctx, sensors: Vec<(Placement, SensorId, String, &'static str)>) {
    let Some(patient) = ctx.roster.selected else {
        ctx.messages.info(t!("sensors-not-kept"));
        return;
    };
    // Worded here, on the window's thread, which knows the clinician's language.
    let names: Vec<String> = sensors
        .iter()
        .map(|(placement, id, _, _)| format!("{} -> {}", placement.code(), id))
        .collect();
    let assigned = t!("sensors-assigned", sensors = names.join(", "));
    if let Some(s) = ctx.store {
        s.run(move |store| {
            for (placement, id, name, kind) in &sensors {
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
