//! FHIR R4 export: a `Bundle` of type `collection` holding the patient (pseudonymous code only),
//! the local code system, and one `Observation` per measure of the session.
//!
//! - LOINC where one exists (docs/CLINICAL.md#interoperability): 55423-8 (steps in the session),
//!   41957-2 (walking speed, from the 10 m walk test), 64098-7 (six-minute walk distance).
//! - Everything else (cadence, step and stride time L/R, variability, symmetry ratio, normalised
//!   difference, entrainment, Timed Up and Go, FAC) in the local code system
//!   [`LOCAL_CODE_SYSTEM`], which the bundle also carries as a `CodeSystem` resource.
//! - Units in UCUM: `/min` for steps/min, `s`, `m/s`, `m`, `ms`, `%`, `1` for ratios.
//! - The music played: one `music-segment` Observation per segment (the track as its value,
//!   tempo, played range, stretch and overlay as components, the segment in words as its note),
//!   in the local code system; a file is named without its folder.
//! - Uncued baseline and re-test measures carry the phase as `Observation.method` and the phase's
//!   wall-clock span as `effectivePeriod`.

use entrain_analysis::{SessionAnalysis, analyse_session};
use entrain_cue::Phase;
use entrain_store::time::format_unix_ms;
use entrain_store::{ClinicalTestKind, SessionStatus, Store};
use serde_json::{Value, json};

use crate::error::ReportError;

/// The local code system for measures LOINC has no code for.
pub const LOCAL_CODE_SYSTEM: &str = "https://entrain.example/fhir/CodeSystem/gait-metrics";
/// The local code system naming the RAS protocol phases (used as `Observation.method`).
pub const PHASE_CODE_SYSTEM: &str = "https://entrain.example/fhir/CodeSystem/ras-phase";
/// The identifier system of the pseudonymous patient codes.
pub const PATIENT_CODE_SYSTEM: &str = "https://entrain.example/fhir/NamingSystem/patient-code";
/// The base of the `fullUrl`s in the bundle.
pub const BASE_URL: &str = "https://entrain.example/fhir";
/// LOINC.
pub const LOINC: &str = "http://loinc.org";
/// UCUM.
pub const UCUM: &str = "http://unitsofmeasure.org";
const CATEGORY_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/observation-category";

/// The local codes: (code, display, definition).
pub const LOCAL_CODES: [(&str, &str, &str); 16] = [
    (
        "cadence",
        "Cadence",
        "Steps per minute, both feet (never strides per minute).",
    ),
    (
        "step-time",
        "Step time",
        "Initial contact of one foot to initial contact of the other foot, mean; components for left and right.",
    ),
    (
        "step-time-left",
        "Step time, left",
        "Mean step time ending at a left initial contact.",
    ),
    (
        "step-time-right",
        "Step time, right",
        "Mean step time ending at a right initial contact.",
    ),
    (
        "stride-time",
        "Stride time",
        "Initial contact to the next initial contact of the same foot, mean; components for left and right.",
    ),
    (
        "stride-time-left",
        "Stride time, left",
        "Mean left stride time.",
    ),
    (
        "stride-time-right",
        "Stride time, right",
        "Mean right stride time.",
    ),
    (
        "step-time-cv",
        "Step time variability",
        "Coefficient of variation of step times, SD / mean x 100.",
    ),
    (
        "stride-time-cv",
        "Stride time variability",
        "Coefficient of variation of stride times, SD / mean x 100.",
    ),
    (
        "symmetry-ratio",
        "Symmetry ratio",
        "Paretic / non-paretic step time (1.0 = symmetric).",
    ),
    (
        "normalised-difference",
        "Normalised step time difference",
        "(non-paretic - paretic) / (non-paretic + paretic) step time (0 = symmetric).",
    ),
    (
        "entrainment",
        "Entrainment to the cue",
        "Synchronisation of initial contacts with the audible beats of one phase; see the components.",
    ),
    (
        "mean-asynchrony",
        "Mean asynchrony",
        "Mean of t(initial contact) - t(nearest beat); negative: steps before the beat.",
    ),
    (
        "resultant-vector-length",
        "Resultant vector length R",
        "|mean(exp(i phi))| of the relative phases, 0..1 (above 0.7 strong, 0.4-0.7 moderate).",
    ),
    (
        "rayleigh-p",
        "Rayleigh test p-value",
        "p-value of the Rayleigh test of non-uniform relative phase (small: entrained).",
    ),
    (
        "period-match",
        "Period match",
        "Mean step interval / mean beat interval x 100.",
    ),
];

/// Local codes of the clinical tests LOINC has no code for (listed in the same code system).
pub const LOCAL_TEST_CODES: [(&str, &str, &str); 2] = [
    (
        "timed-up-and-go",
        "Timed Up and Go",
        "Time to rise, walk 3 m, turn, walk back and sit, s.",
    ),
    (
        "functional-ambulation-category",
        "Functional Ambulation Category",
        "FAC 0-5, entered by the clinician.",
    ),
];

/// Local codes of the music a session was cued by: one `music-segment` Observation per stretch
/// of music played, its numbers as components.
pub const LOCAL_MUSIC_CODES: [(&str, &str, &str); 7] = [
    (
        "music-segment",
        "Music played as the cue",
        "One stretch of music the beats were played on: the track (value), its own tempo, the cue tempo range played, the stretch and the overlay; the effective period is its first beat to its end.",
    ),
    (
        "music-track-tempo",
        "Track's own tempo",
        "The track's tempo as analysed (or as the therapist confirmed it), beats/min.",
    ),
    (
        "music-played-tempo-min",
        "Slowest tempo played",
        "The slowest cue tempo the music was stretched to in the segment, steps/min.",
    ),
    (
        "music-played-tempo-max",
        "Fastest tempo played",
        "The fastest cue tempo the music was stretched to in the segment, steps/min.",
    ),
    (
        "music-stretch-min",
        "Least stretch",
        "Slowest tempo played / the track's own tempo x 100.",
    ),
    (
        "music-stretch-max",
        "Most stretch",
        "Fastest tempo played / the track's own tempo x 100.",
    ),
    (
        "music-overlay",
        "What sounded",
        "music (music only), music+click (a click on every beat within the music, at the click level) or click.",
    ),
];

/// The click's level within the music (a component of `music-overlay`), listed with the music
/// codes.
const MUSIC_CLICK_LEVEL: (&str, &str, &str) = (
    "music-click-level",
    "Click level within the music",
    "The click's level under the music, 0 (none) to 1 (full).",
);

fn local_codes() -> impl Iterator<Item = &'static (&'static str, &'static str, &'static str)> {
    LOCAL_CODES
        .iter()
        .chain(LOCAL_TEST_CODES.iter())
        .chain(LOCAL_MUSIC_CODES.iter())
        .chain(std::iter::once(&MUSIC_CLICK_LEVEL))
}

fn local(code: &str) -> Value {
    let display = local_codes().find(|c| c.0 == code).map_or(code, |c| c.1);
    json!({ "coding": [{ "system": LOCAL_CODE_SYSTEM, "code": code, "display": display }], "text": display })
}

fn loinc(code: &str, text: &str) -> Value {
    json!({ "coding": [{ "system": LOINC, "code": code }], "text": text })
}

fn quantity(value: f64, unit: &str, ucum: &str) -> Value {
    // FHIR decimals: six significant digits keep the JSON readable and small p-values non-zero.
    let rounded = format!("{value:.5e}").parse::<f64>().unwrap_or(value);
    json!({ "value": rounded, "unit": unit, "system": UCUM, "code": ucum })
}

fn category(code: &str) -> Value {
    let display = match code {
        "exam" => "Exam",
        _ => "Activity",
    };
    json!([{ "coding": [{ "system": CATEGORY_SYSTEM, "code": code, "display": display }] }])
}

fn iso(ms: i64) -> String {
    format_unix_ms(ms)
}

struct Builder<'a> {
    a: &'a SessionAnalysis,
    status: &'static str,
    subject: Option<Value>,
    entries: Vec<Value>,
}

impl Builder<'_> {
    fn observation(&mut self, id: String, mut body: serde_json::Map<String, Value>) {
        body.insert("resourceType".into(), json!("Observation"));
        body.insert("id".into(), json!(id));
        body.insert("status".into(), json!(self.status));
        if let Some(subject) = &self.subject {
            body.insert("subject".into(), subject.clone());
        }
        self.entries.push(json!({
            "fullUrl": format!("{BASE_URL}/Observation/{id}"),
            "resource": Value::Object(body),
        }));
    }

    fn phase_observations(&mut self, phase: Phase) {
        let a = self.a;
        let Some(p) = a.phase(phase) else { return };
        let Some(m) = p.metrics else { return };
        let sid = a.session.id;
        let period = json!({
            "start": iso(a.unix_ms_at(p.start_secs)),
            "end": iso(a.unix_ms_at(p.end_secs)),
        });
        let method = phase_method(phase, sid);
        let phase = phase.as_str();
        let base = |code: &str| {
            let mut o = serde_json::Map::new();
            o.insert("category".into(), category("activity"));
            o.insert("code".into(), local(code));
            o.insert("effectivePeriod".into(), period.clone());
            o.insert("method".into(), method.clone());
            o
        };
        let mut o = base("cadence");
        o.insert(
            "valueQuantity".into(),
            quantity(m.cadence_spm, "steps/min", "/min"),
        );
        self.observation(format!("s{sid}-{phase}-cadence"), o);

        let mut o = base("step-time");
        o.insert(
            "component".into(),
            json!([
                { "code": local("step-time-left"), "valueQuantity": quantity(m.step_time_left_secs, "s", "s") },
                { "code": local("step-time-right"), "valueQuantity": quantity(m.step_time_right_secs, "s", "s") },
            ]),
        );
        self.observation(format!("s{sid}-{phase}-step-time"), o);

        if let (Some(l), Some(r)) = (m.stride_time_left_secs, m.stride_time_right_secs) {
            let mut o = base("stride-time");
            o.insert(
                "component".into(),
                json!([
                    { "code": local("stride-time-left"), "valueQuantity": quantity(l, "s", "s") },
                    { "code": local("stride-time-right"), "valueQuantity": quantity(r, "s", "s") },
                ]),
            );
            self.observation(format!("s{sid}-{phase}-stride-time"), o);
        }
        let mut o = base("step-time-cv");
        o.insert(
            "valueQuantity".into(),
            quantity(m.step_time_cv_percent, "%", "%"),
        );
        self.observation(format!("s{sid}-{phase}-step-time-cv"), o);
        if let Some(cv) = m.stride_time_cv_percent {
            let mut o = base("stride-time-cv");
            o.insert("valueQuantity".into(), quantity(cv, "%", "%"));
            self.observation(format!("s{sid}-{phase}-stride-time-cv"), o);
        }
        if let Some(sr) = m.symmetry_ratio {
            let mut o = base("symmetry-ratio");
            o.insert("valueQuantity".into(), quantity(sr, "ratio", "1"));
            self.observation(format!("s{sid}-{phase}-symmetry-ratio"), o);
        }
        if let Some(nd) = m.normalised_difference {
            let mut o = base("normalised-difference");
            o.insert("valueQuantity".into(), quantity(nd, "ratio", "1"));
            self.observation(format!("s{sid}-{phase}-normalised-difference"), o);
        }
    }

    fn entrainment_observations(&mut self) {
        let a = self.a;
        let sid = a.session.id;
        for p in &a.phases {
            let Some(s) = p.sync else { continue };
            let mut components = vec![
                json!({ "code": local("mean-asynchrony"), "valueQuantity": quantity(s.mean_asynchrony_ms, "ms", "ms") }),
                json!({ "code": local("resultant-vector-length"), "valueQuantity": quantity(s.resultant_length, "ratio", "1") }),
                json!({ "code": local("rayleigh-p"), "valueQuantity": quantity(s.rayleigh.p_value, "ratio", "1") }),
            ];
            if let Some(pm) = s.period_match_percent {
                components.push(json!({ "code": local("period-match"), "valueQuantity": quantity(pm, "%", "%") }));
            }
            let mut o = serde_json::Map::new();
            o.insert("category".into(), category("activity"));
            o.insert("code".into(), local("entrainment"));
            o.insert(
                "effectivePeriod".into(),
                json!({ "start": iso(a.unix_ms_at(p.start_secs)), "end": iso(a.unix_ms_at(p.end_secs)) }),
            );
            o.insert("method".into(), phase_method(p.phase, sid));
            o.insert("component".into(), Value::Array(components));
            o.insert(
                "note".into(),
                json!([{ "text": if p.phase == Phase::Fading {
                    format!("{} initial contacts against the beat schedule of the fading phase ({} audible beats; silent beats count too).", s.n_steps, p.audible_beats)
                } else {
                    format!("{} initial contacts against {} audible beats.", s.n_steps, p.audible_beats)
                } }]),
            );
            self.observation(format!("s{sid}-{}-entrainment", p.phase.as_str()), o);
        }
    }

    fn session_steps(&mut self) {
        let a = self.a;
        let mut o = serde_json::Map::new();
        o.insert("category".into(), category("activity"));
        o.insert(
            "code".into(),
            loinc("55423-8", "Number of steps in the session (foot sensors)"),
        );
        o.insert(
            "effectivePeriod".into(),
            json!({ "start": iso(a.session.started_unix_ms), "end": iso(a.unix_ms_at(a.duration_secs)) }),
        );
        o.insert(
            "valueQuantity".into(),
            quantity(a.total_steps as f64, "steps", "{steps}"),
        );
        self.observation(format!("s{}-steps", a.session.id), o);
    }

    /// One Observation per music segment: the track as its value, the numbers as components,
    /// the segment in words as its note.
    fn music_segments(&mut self) {
        let a = self.a;
        let sid = a.session.id;
        let at = |nanos: i64| iso(a.unix_ms_at(nanos as f64 / 1e9));
        for (i, m) in a.music.iter().enumerate() {
            let mut o = serde_json::Map::new();
            o.insert("category".into(), category("activity"));
            o.insert("code".into(), local("music-segment"));
            o.insert(
                "effectivePeriod".into(),
                json!({ "start": at(m.start_nanos), "end": at(m.end_nanos) }),
            );
            o.insert("valueString".into(), json!(crate::music::track_label(m)));
            o.insert(
                "component".into(),
                json!([
                    { "code": local("music-track-tempo"), "valueQuantity": quantity(m.track_tempo_bpm, "beats/min", "/min") },
                    { "code": local("music-played-tempo-min"), "valueQuantity": quantity(m.played_min_bpm, "steps/min", "/min") },
                    { "code": local("music-played-tempo-max"), "valueQuantity": quantity(m.played_max_bpm, "steps/min", "/min") },
                    { "code": local("music-stretch-min"), "valueQuantity": quantity(m.stretch_min * 100.0, "%", "%") },
                    { "code": local("music-stretch-max"), "valueQuantity": quantity(m.stretch_max * 100.0, "%", "%") },
                    { "code": local("music-overlay"), "valueString": m.overlay },
                    { "code": local("music-click-level"), "valueQuantity": quantity(m.click_level, "ratio", "1") },
                ]),
            );
            o.insert(
                "note".into(),
                json!([{ "text": crate::music::sentence(m) }]),
            );
            self.observation(format!("s{sid}-music-{}", i + 1), o);
        }
    }

    fn clinical_tests(&mut self) {
        let a = self.a;
        for t in &a.clinical_tests {
            let mut o = serde_json::Map::new();
            o.insert("category".into(), category("exam"));
            o.insert("effectiveDateTime".into(), json!(iso(t.performed_unix_ms)));
            match t.test {
                ClinicalTestKind::TenMetreWalk => {
                    o.insert(
                        "code".into(),
                        loinc("41957-2", "Walking speed, 10 metre walk test"),
                    );
                    o.insert("valueQuantity".into(), quantity(t.value, "m/s", "m/s"));
                }
                ClinicalTestKind::SixMinuteWalk => {
                    o.insert("code".into(), loinc("64098-7", "Six minute walk distance"));
                    o.insert("valueQuantity".into(), quantity(t.value, "m", "m"));
                }
                ClinicalTestKind::TimedUpAndGo => {
                    o.insert("code".into(), local("timed-up-and-go"));
                    o.insert("valueQuantity".into(), quantity(t.value, "s", "s"));
                }
                ClinicalTestKind::Fac => {
                    o.insert("code".into(), local("functional-ambulation-category"));
                    o.insert("valueInteger".into(), json!(t.value.round() as i64));
                }
            }
            if !t.notes.is_empty() {
                o.insert("note".into(), json!([{ "text": t.notes }]));
            }
            self.observation(format!("s{}-test-{}", a.session.id, t.id), o);
        }
    }
}

/// The local code system as a FHIR `CodeSystem` resource.
fn code_system_resource() -> Value {
    let concepts: Vec<Value> = local_codes()
        .map(|(code, display, definition)| json!({ "code": code, "display": display, "definition": definition }))
        .collect();
    json!({
        "resourceType": "CodeSystem",
        "id": "entrain-gait-metrics",
        "url": LOCAL_CODE_SYSTEM,
        "name": "EntrainGaitMetrics",
        "title": "Entrain local gait and entrainment measures (no LOINC code found)",
        "status": "active",
        "content": "complete",
        "caseSensitive": true,
        "description": "Local codes of Entrain, a Rhythmic Auditory Stimulation gait-training product, for measures without a LOINC code. Definitions follow the product's domain notes.",
        "concept": concepts,
    })
}

/// The FHIR R4 bundle of an analysed session.
pub fn bundle_of(a: &SessionAnalysis) -> Value {
    // FHIR R4 Observation.status: `preliminary` is "data may be incomplete", which a session with
    // data missing from the record is, however it ended.
    let status = match a.session.status {
        _ if a.session.missing.is_some() => "preliminary",
        SessionStatus::Completed | SessionStatus::Stopped => "final",
        SessionStatus::Running | SessionStatus::Interrupted | SessionStatus::Failed => {
            "preliminary"
        }
    };
    let mut entries = Vec::new();
    let subject = a.patient.as_ref().map(|p| {
        let id = format!("patient-{}", p.id);
        entries.push(json!({
            "fullUrl": format!("{BASE_URL}/Patient/{id}"),
            "resource": {
                "resourceType": "Patient",
                "id": id,
                "identifier": [{ "use": "secondary", "system": PATIENT_CODE_SYSTEM, "value": p.code }],
            },
        }));
        json!({
            "reference": format!("Patient/{id}"),
            "identifier": { "system": PATIENT_CODE_SYSTEM, "value": p.code },
        })
    });
    entries.push(json!({
        "fullUrl": format!("{BASE_URL}/CodeSystem/entrain-gait-metrics"),
        "resource": code_system_resource(),
    }));
    let mut b = Builder {
        a,
        status,
        subject,
        entries,
    };
    b.session_steps();
    b.phase_observations(Phase::Baseline);
    b.phase_observations(Phase::Retest);
    b.entrainment_observations();
    b.music_segments();
    b.clinical_tests();
    json!({
        "resourceType": "Bundle",
        "id": format!("entrain-session-{}", a.session.id),
        "identifier": { "system": format!("{BASE_URL}/NamingSystem/session"), "value": a.session.id.to_string() },
        "type": "collection",
        "timestamp": iso(entrain_store::unix_ms_now()),
        "entry": b.entries,
    })
}

/// `Observation.method` for a measure of one phase of session `sid`.
fn phase_method(phase: Phase, sid: i64) -> Value {
    json!({
        "coding": [{ "system": PHASE_CODE_SYSTEM, "code": phase.as_str(), "display": phase.title() }],
        "text": format!("{}, session {sid}", phase.title()),
    })
}

/// The FHIR R4 bundle of session `session_id`.
pub fn session_fhir_bundle(store: &Store, session_id: i64) -> Result<Value, ReportError> {
    Ok(bundle_of(&analyse_session(store, session_id)?))
}
