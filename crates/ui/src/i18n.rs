//! The window's words, in the clinician's language: message catalogues in Project Fluent's
//! format, one folder per language under `crates/ui/locales/` and one file per screen, so a
//! translator works in those files and never in the code.
//!
//! Every text the window shows is looked up by its message id with [`t!`](crate::t) (or
//! [`tr`] / [`tr_args`]); names that come from the record's enums (a phase, a measure, a test,
//! a sound, a side) have one message each, found by the enum's stored name (`phase-baseline`),
//! through the functions below. English is complete by construction (the tests check every id
//! the code uses is in it); every other language must have every English message, with the same
//! variables (checked too). A message missing at run time falls back to English, logged once.
//!
//! The language in force is per thread: the window's thread sets it from the settings at every
//! frame ([`set_language`]), so the kittest harnesses, each on its own test thread, never see
//! another test's language.

use std::cell::Cell;
use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use serde::{Deserialize, Serialize};

/// A language the window can be shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Language {
    /// English (the catalogue every other one is checked against).
    #[default]
    English,
    /// German.
    German,
}

/// Saved by its code.
impl Serialize for Language {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

/// A language this build does not have (a settings file from a newer version) reads as English,
/// logged, rather than losing the other settings.
impl<'de> Deserialize<'de> for Language {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        Ok(Language::from_code(&code).unwrap_or_else(|| {
            tracing::warn!("settings: language `{code}` is not available; using English");
            Language::English
        }))
    }
}

impl Language {
    /// Every language, English first.
    pub const ALL: [Language; 2] = [Language::English, Language::German];

    /// Its BCP 47 code (`en`, `de`), the name of its folder under `locales/` and in settings.
    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::German => "de",
        }
    }

    /// The language with this code, if the window has it.
    pub fn from_code(code: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|l| l.code() == code)
    }

    /// Its own name for itself, as the language choice lists it (a clinician who does not read
    /// the current language still finds their own).
    pub fn native_name(self) -> &'static str {
        match self {
            Language::English => "English",
            Language::German => "Deutsch",
        }
    }

    /// The catalogue's files: (file name, Fluent source), compiled into the program.
    pub fn sources(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Language::English => EN_SOURCES,
            Language::German => DE_SOURCES,
        }
    }

    fn index(self) -> usize {
        match self {
            Language::English => 0,
            Language::German => 1,
        }
    }
}

/// One language's catalogue files, by file name.
macro_rules! catalogue {
    ($code:literal: $($file:literal),+ $(,)?) => {
        &[$(($file, include_str!(concat!("../locales/", $code, "/", $file)))),+]
    };
}

/// The files of every language: one per screen, plus `common.ftl` for the shared names.
const EN_SOURCES: &[(&str, &str)] = catalogue!("en": "common.ftl", "app.ftl", "live.ftl",
    "widgets.ftl", "patient-view.ftl", "patients.ftl", "sensors.ftl", "tests.ftl", "progress.ftl",
    "settings.ftl", "help.ftl", "music.ftl");
const DE_SOURCES: &[(&str, &str)] = catalogue!("de": "common.ftl", "app.ftl", "live.ftl",
    "widgets.ftl", "patient-view.ftl", "patients.ftl", "sensors.ftl", "tests.ftl", "progress.ftl",
    "settings.ftl", "help.ftl", "music.ftl");

thread_local! {
    static CURRENT: Cell<Language> = const { Cell::new(Language::English) };
}

/// Shows this thread's window in `language` from now on.
pub fn set_language(language: Language) {
    CURRENT.with(|c| c.set(language));
}

/// The language this thread's window is shown in.
pub fn language() -> Language {
    CURRENT.with(Cell::get)
}

/// A catalogue problem found when the program's own files were parsed (a translator's typo):
/// the file and what Fluent said. Shown by the tests; logged at run time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueProblem {
    /// The language.
    pub language: Language,
    /// The file, e.g. `live.ftl`.
    pub file: &'static str,
    /// What is wrong.
    pub detail: String,
}

struct Catalogues {
    bundles: Vec<FluentBundle<FluentResource>>,
    problems: Vec<CatalogueProblem>,
}

fn catalogues() -> &'static Catalogues {
    static CATALOGUES: OnceLock<Catalogues> = OnceLock::new();
    CATALOGUES.get_or_init(|| {
        let mut problems = Vec::new();
        let bundles = Language::ALL
            .iter()
            .map(|&language| build_bundle(language, &mut problems))
            .collect();
        for p in &problems {
            tracing::error!(
                "message catalogue {}/{}: {}",
                p.language.code(),
                p.file,
                p.detail
            );
        }
        Catalogues { bundles, problems }
    })
}

fn build_bundle(
    language: Language,
    problems: &mut Vec<CatalogueProblem>,
) -> FluentBundle<FluentResource> {
    let locale = language
        .code()
        .parse()
        .unwrap_or_else(|_| unic_langid::LanguageIdentifier::default());
    let mut bundle = FluentBundle::new_concurrent(vec![locale]);
    // Unicode isolation marks around every variable would show as boxes in egui's fonts.
    bundle.set_use_isolating(false);
    for &(file, source) in language.sources() {
        let resource = match FluentResource::try_new(source.to_string()) {
            Ok(r) => r,
            Err((partial, errors)) => {
                problems.extend(errors.iter().map(|e| CatalogueProblem {
                    language,
                    file,
                    detail: e.to_string(),
                }));
                partial
            }
        };
        if let Err(errors) = bundle.add_resource(resource) {
            problems.extend(errors.iter().map(|e| CatalogueProblem {
                language,
                file,
                detail: e.to_string(),
            }));
        }
    }
    bundle
}

/// What went wrong parsing the program's catalogues (empty when they are sound).
pub fn catalogue_problems() -> &'static [CatalogueProblem] {
    &catalogues().problems
}

/// Whether `language`'s catalogue has the message `id`.
pub fn has_message(language: Language, id: &str) -> bool {
    catalogues().bundles[language.index()].has_message(id)
}

/// Message `id` in this thread's language, with no variables.
pub fn tr(id: &str) -> String {
    tr_args(id, &[])
}

/// Message `id` in this thread's language, its variables given by name.
pub fn tr_args(id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
    format_in(language(), id, args)
}

/// Message `id` in `language` (tests and the language choice use it directly).
pub fn format_in(language: Language, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
    let (text, errors) = try_format_in(language, id, args);
    if !errors.is_empty() {
        report_once(language, id, &errors.join("; "));
    }
    text
}

/// Message `id` in `language` and every problem formatting it (a missing message or variable):
/// English's text stands in for a missing translation, the id for a message missing in English.
pub fn try_format_in(
    language: Language,
    id: &str,
    args: &[(&str, FluentValue<'_>)],
) -> (String, Vec<String>) {
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        fluent_args.set(*name, value.clone());
    }
    let fluent_args = (!args.is_empty()).then_some(&fluent_args);
    let mut problems = Vec::new();
    for lang in [language, Language::English] {
        let bundle = &catalogues().bundles[lang.index()];
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            problems.push(format!("no message `{id}` in {}", lang.code()));
            continue;
        };
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, fluent_args, &mut errors);
        problems.extend(
            errors
                .iter()
                .map(|e| format!("{id} in {}: {e}", lang.code())),
        );
        return (text.into_owned(), problems);
    }
    (id.to_string(), problems)
}

/// Logs a catalogue problem once per language and message, not at every frame.
fn report_once(language: Language, id: &str, detail: &str) {
    static REPORTED: Mutex<Option<HashSet<(Language, String)>>> = Mutex::new(None);
    let first = match REPORTED.lock() {
        Ok(mut set) => set
            .get_or_insert_with(HashSet::new)
            .insert((language, id.to_string())),
        Err(_) => true,
    };
    if first {
        tracing::warn!("message catalogue: {detail}");
    }
}

/// A message of the window's catalogue in the current language: `t!("patients-add")`, or with
/// variables `t!("live-phase-left", phase = name, seconds = 12)`.
#[macro_export]
macro_rules! t {
    ($id:literal) => {
        $crate::i18n::tr($id)
    };
    ($id:literal, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::i18n::tr_args(
            $id,
            &[$((stringify!($name), ::fluent_bundle::FluentValue::from($value))),+],
        )
    };
}

/// The prefixes of the ids looked up from a stored name rather than written in the code (the
/// catalogue test accepts ids with these prefixes that no `t!` names).
pub const DERIVED_ID_PREFIXES: &[&str] = &[
    "phase-",
    "phase-title-",
    "phase-short-",
    "measure-",
    "test-kind-",
    "sound-",
    "affected-side-",
    "placement-",
    "sensor-kind-",
    "status-",
    "ambulation-",
    "speed-change-",
    "threshold-name-",
    "threshold-meaning-",
    "overlay-",
];

/// A phase's name in a sentence ("matched cue").
pub fn phase_label(phase: entrain_cue::Phase) -> String {
    tr(&format!("phase-{}", phase.as_str()))
}

/// A phase's name as a title or a table cell ("Matched cue").
pub fn phase_title(phase: entrain_cue::Phase) -> String {
    tr(&format!("phase-title-{}", phase.as_str()))
}

/// A phase's short name for a narrow chart band ("Matched").
pub fn phase_short_title(phase: entrain_cue::Phase) -> String {
    tr(&format!("phase-short-{}", phase.as_str()))
}

/// A walk measure's label with its unit.
pub fn measure_label(measure: entrain_analysis::WalkMeasure) -> String {
    tr(&format!("measure-{}", measure.code()))
}

/// A clinical test's name and what it measures.
pub fn test_kind_title(kind: entrain_store::ClinicalTestKind) -> String {
    tr(&format!("test-kind-{}", kind.as_str()))
}

/// A cue sound's name.
pub fn sound_label(sound: entrain_audio::SoundId) -> String {
    tr(&format!("sound-{}", sound.name()))
}

/// An affected side's name.
pub fn affected_side_label(side: entrain_store::AffectedSide) -> String {
    tr(&format!("affected-side-{}", side.as_str()))
}

/// A sensor placement's name ("left foot").
pub fn placement_label(placement: entrain_gait::Placement) -> String {
    tr(&format!("placement-{}", placement.code()))
}

/// A sensor kind's name ("Movesense").
pub fn sensor_kind_label(kind: entrain_source::SensorKind) -> String {
    tr(&format!("sensor-kind-{}", kind.code()))
}

/// What sounds in a session with music, from its stored overlay name (`music`, `music+click`,
/// `click`: `entrain_engine::music::overlay_columns`); a name the catalogue does not know is
/// shown as it is.
pub fn overlay_label(name: &str) -> String {
    let id = format!("overlay-{}", name.replace('+', "-"));
    if has_message(language(), &id) || has_message(Language::English, &id) {
        tr(&id)
    } else {
        name.to_string()
    }
}

/// A session status's name ("completed").
pub fn status_label(status: entrain_store::SessionStatus) -> String {
    tr(&format!("status-{}", status.as_str()))
}

/// The thresholds' values as the messages quote them.
fn threshold_args() -> [(&'static str, FluentValue<'static>); 4] {
    use entrain_analysis::thresholds::*;
    [
        ("mcid_low", format!("{MCID_LOW_MPS:.2}").into()),
        ("mcid_high", format!("{MCID_HIGH_MPS:.2}").into()),
        ("household", format!("{HOUSEHOLD_LIMIT_MPS:.1}").into()),
        ("community", format!("{COMMUNITY_LIMIT_MPS:.1}").into()),
    ]
}

/// A walker's class by gait speed, with its limits ("limited community walker (0.4–0.8 m/s)").
pub fn ambulation_label(class: entrain_analysis::thresholds::AmbulationClass) -> String {
    tr_args(&format!("ambulation-{}", class.code()), &threshold_args())
}

/// What a change of gait speed means against the MCID band, with the band.
pub fn speed_change_label(change: entrain_analysis::thresholds::SpeedChange) -> String {
    tr_args(
        &format!("speed-change-{}", change.code()),
        &threshold_args(),
    )
}

/// A clinical threshold's name in the thresholds table.
pub fn threshold_name(t: &entrain_analysis::thresholds::Threshold) -> String {
    tr(&format!("threshold-name-{}", t.code))
}

/// What a clinical threshold means, in the thresholds table.
pub fn threshold_meaning(t: &entrain_analysis::thresholds::Threshold) -> String {
    tr(&format!("threshold-meaning-{}", t.code))
}
