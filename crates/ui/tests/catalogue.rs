//! The window's message catalogues are complete: every id the code names is in English, every
//! language has every English message with the same variables, every stored name has its message,
//! and no screen shows an English sentence written in the code instead of the catalogue.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use entrain_ui::i18n::{self, Language};
use fluent_syntax::ast;

/// A message's variables, and those of each attribute, by message id.
type Shape = BTreeMap<String, BTreeSet<String>>;

fn variables_of_inline(e: &ast::InlineExpression<&str>, out: &mut BTreeSet<String>) {
    match e {
        ast::InlineExpression::VariableReference { id } => {
            out.insert(id.name.to_string());
        }
        ast::InlineExpression::FunctionReference { arguments, .. } => {
            for a in &arguments.positional {
                variables_of_inline(a, out);
            }
            for a in &arguments.named {
                variables_of_inline(&a.value, out);
            }
        }
        ast::InlineExpression::Placeable { expression } => variables_of_expression(expression, out),
        _ => {}
    }
}

fn variables_of_expression(e: &ast::Expression<&str>, out: &mut BTreeSet<String>) {
    match e {
        ast::Expression::Inline(i) => variables_of_inline(i, out),
        ast::Expression::Select { selector, variants } => {
            variables_of_inline(selector, out);
            for v in variants {
                variables_of_pattern(&v.value, out);
            }
        }
    }
}

fn variables_of_pattern(p: &ast::Pattern<&str>, out: &mut BTreeSet<String>) {
    for element in &p.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            variables_of_expression(expression, out);
        }
    }
}

/// Every message of `language` (and `id.attribute` for its attributes) with its variables.
fn shape(language: Language) -> Shape {
    let mut shape = Shape::new();
    for (file, source) in language.sources() {
        let resource = fluent_syntax::parser::parse(*source)
            .unwrap_or_else(|(_, errors)| panic!("{}/{file}: {errors:?}", language.code()));
        for entry in resource.body {
            if let ast::Entry::Message(m) = entry {
                let mut vars = BTreeSet::new();
                if let Some(v) = &m.value {
                    variables_of_pattern(v, &mut vars);
                }
                let id = m.id.name.to_string();
                assert!(
                    shape.insert(id.clone(), vars).is_none(),
                    "{}/{file}: `{id}` is defined twice",
                    language.code()
                );
                for a in &m.attributes {
                    let mut vars = BTreeSet::new();
                    variables_of_pattern(&a.value, &mut vars);
                    shape.insert(format!("{id}.{}", a.id.name), vars);
                }
            }
        }
    }
    shape
}

fn ui_sources() -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("directory entry").path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&path).expect("source file");
                out.push((path, text));
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut out);
    out
}

/// The ids the code names literally: `t!("id"` and `tr("id"`, the id on the next line too
/// (rustfmt breaks a long `t!(` call after its parenthesis).
fn ids_in_code() -> BTreeMap<String, PathBuf> {
    let mut ids = BTreeMap::new();
    for (path, text) in ui_sources() {
        let text = without_comment_lines(&text);
        for opener in ["t!(", "tr(", "tr_args("] {
            for (at, _) in text.match_indices(opener) {
                let after_identifier = text[..at]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_');
                if after_identifier {
                    continue; // `format!("`, `attr("`: not a lookup
                }
                let Some(rest) = text[at + opener.len()..].trim_start().strip_prefix('"') else {
                    continue; // `tr(&format!(…))`: an id built at run time
                };
                let id = &rest[..rest.find('"').expect("closing quote")];
                ids.insert(id.to_string(), path.clone());
            }
        }
    }
    ids
}

#[test]
fn the_catalogues_parse() {
    assert_eq!(i18n::catalogue_problems(), &[]);
}

#[test]
fn every_id_the_code_names_is_in_english() {
    let english = shape(Language::English);
    let missing: Vec<String> = ids_in_code()
        .into_iter()
        .filter(|(id, _)| !english.contains_key(id))
        .map(|(id, path)| format!("{id} ({})", path.display()))
        .collect();
    assert!(missing.is_empty(), "not in locales/en: {missing:#?}");
}

#[test]
fn every_english_message_is_used() {
    let used = ids_in_code();
    let unused: Vec<String> = shape(Language::English)
        .into_keys()
        .filter(|id| !id.contains('.'))
        .filter(|id| !used.contains_key(id))
        .filter(|id| !i18n::DERIVED_ID_PREFIXES.iter().any(|p| id.starts_with(p)))
        .filter(|id| id != "no-value")
        .collect();
    assert!(
        unused.is_empty(),
        "in locales/en but never used: {unused:#?}"
    );
}

#[test]
fn every_language_has_every_english_message_with_the_same_variables() {
    let english = shape(Language::English);
    for language in Language::ALL {
        let other = shape(language);
        let missing: Vec<&String> = english.keys().filter(|k| !other.contains_key(*k)).collect();
        let extra: Vec<&String> = other.keys().filter(|k| !english.contains_key(*k)).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{}: missing {missing:#?}, not in English {extra:#?}",
            language.code()
        );
        for (id, vars) in &english {
            assert_eq!(
                &other[id],
                vars,
                "{}: `{id}` uses other variables than English",
                language.code()
            );
        }
    }
}

#[test]
fn a_translation_is_not_left_in_english() {
    // A message equal to English is a forgotten translation, unless it is a name or a unit that
    // reads the same in both.
    const SAME_IN_GERMAN: &[&str] = &[
        "no-value",
        // The tests' English names are used in German clinics.
        "test-kind-tug",
        "test-kind-fac",
        // Numbers with units (bpm, s), and a title with its tempo.
        "music-confirm",
        "music-length",
        "music-tempo",
        "session-music-library",
        "music-playlist-name",
        // Product names, and a row of names only.
        "sensor-kind-movesense",
        "sensor-kind-polar-verity-sense",
        "sensors-remembered-row",
        // "Patient" is German too.
        "app-patient",
        // "Phase: …" and "Tempo" are the German words too.
        "live-phase",
        "live-tempo",
    ];
    let mut untranslated = Vec::new();
    for (file, source) in Language::German.sources() {
        let english_source = Language::English
            .sources()
            .iter()
            .find(|(f, _)| f == file)
            .map(|(_, s)| *s)
            .unwrap_or_else(|| panic!("de/{file} has no English file"));
        let values = |src: &'static str| -> BTreeMap<String, String> {
            let resource = fluent_syntax::parser::parse(src).expect("parses");
            resource
                .body
                .iter()
                .filter_map(|e| match e {
                    ast::Entry::Message(m) => Some((
                        m.id.name.to_string(),
                        format!("{:?}{:?}", m.value, m.attributes),
                    )),
                    _ => None,
                })
                .collect()
        };
        let en = values(english_source);
        for (id, de) in values(source) {
            if en.get(&id) == Some(&de) && !SAME_IN_GERMAN.contains(&id.as_str()) {
                untranslated.push(format!("{file}: {id}"));
            }
        }
    }
    assert!(untranslated.is_empty(), "still English: {untranslated:#?}");
}

#[test]
fn every_stored_name_has_its_message_in_every_language() {
    let mut ids = Vec::new();
    for p in entrain_cue::Phase::ALL {
        for prefix in ["phase-", "phase-title-", "phase-short-"] {
            ids.push(format!("{prefix}{}", p.as_str()));
        }
    }
    ids.extend(
        entrain_analysis::WalkMeasure::ALL
            .iter()
            .map(|m| format!("measure-{}", m.code())),
    );
    ids.extend(
        entrain_store::ClinicalTestKind::ALL
            .iter()
            .map(|k| format!("test-kind-{}", k.as_str())),
    );
    ids.extend(
        entrain_audio::SoundId::ALL
            .iter()
            .map(|s| format!("sound-{}", s.name())),
    );
    use entrain_store::{AffectedSide, SessionStatus};
    ids.extend(
        [
            AffectedSide::Left,
            AffectedSide::Right,
            AffectedSide::Both,
            AffectedSide::None,
        ]
        .iter()
        .map(|s| format!("affected-side-{}", s.as_str())),
    );
    use entrain_gait::{Placement, Side};
    ids.extend(
        [
            Placement::Foot(Side::Left),
            Placement::Foot(Side::Right),
            Placement::LowerBack,
        ]
        .iter()
        .map(|p| format!("placement-{}", p.code())),
    );
    use entrain_source::SensorKind;
    ids.extend(
        SensorKind::ALL
            .into_iter()
            .chain([SensorKind::Rsc {
                cadence_is_strides: true,
            }])
            .map(|k| format!("sensor-kind-{}", k.code())),
    );
    ids.extend(
        [
            SessionStatus::Running,
            SessionStatus::Completed,
            SessionStatus::Stopped,
            SessionStatus::Interrupted,
            SessionStatus::Failed,
        ]
        .iter()
        .map(|s| format!("status-{}", s.as_str())),
    );
    use entrain_analysis::thresholds::{AmbulationClass, SpeedChange, THRESHOLDS};
    for c in [
        AmbulationClass::Household,
        AmbulationClass::LimitedCommunity,
        AmbulationClass::Community,
    ] {
        ids.push(format!("ambulation-{}", c.code()));
    }
    for c in [
        SpeedChange::ImportantImprovement,
        SpeedChange::ImprovementWithinBand,
        SpeedChange::ImportantDecline,
        SpeedChange::BelowMcid,
    ] {
        ids.push(format!("speed-change-{}", c.code()));
    }
    for t in THRESHOLDS {
        ids.push(format!("threshold-name-{}", t.code));
        ids.push(format!("threshold-meaning-{}", t.code));
    }
    use entrain_audio::Overlay;
    for overlay in [
        Overlay::MusicOnly,
        Overlay::MusicWithClick {
            click_level: 0.5,
            offbeat_level: 0.5,
        },
        Overlay::ClickOnly,
    ] {
        let (name, _) = entrain_engine::music::overlay_columns(overlay);
        ids.push(format!("overlay-{}", name.replace('+', "-")));
    }
    for language in Language::ALL {
        let missing: Vec<&String> = ids
            .iter()
            .filter(|id| !i18n::has_message(language, id))
            .collect();
        assert!(missing.is_empty(), "{}: {missing:#?}", language.code());
    }
}

#[test]
fn every_message_formats_with_its_variables_in_every_language() {
    let english = shape(Language::English);
    for language in Language::ALL {
        for (id, vars) in english.iter().filter(|(id, _)| !id.contains('.')) {
            let args: Vec<(&str, fluent_bundle::FluentValue)> = vars
                .iter()
                .map(|v| (v.as_str(), fluent_bundle::FluentValue::from(2)))
                .collect();
            let (text, problems) = i18n::try_format_in(language, id, &args);
            assert!(
                problems.is_empty(),
                "{}: {id}: {problems:?}",
                language.code()
            );
            assert!(
                !text.trim().is_empty(),
                "{}: {id} is empty",
                language.code()
            );
        }
    }
}

#[test]
fn a_missing_translation_falls_back_to_english_and_says_so() {
    let (text, problems) = i18n::try_format_in(Language::German, "no-such-message", &[]);
    assert_eq!(text, "no-such-message");
    assert_eq!(problems.len(), 2, "{problems:?}");
}

/// Literals the screens may show as they are: they are no words of any language (units, symbols,
/// codes) or name something that is never translated.
const NOT_WORDS: &[&str] = &[
    // The fallback fonts' descriptions, for the log only (theme.rs).
    "symbols, Greek, Cyrillic (fonts-dejavu-core)",
    "Chinese and Japanese (fonts-noto-cjk or fonts-droid-fallback)",
    "Korean (fonts-noto-cjk or fonts-nanum)",
    // The record's thread's name (worker.rs).
    "entrain-ui-store",
    // Units after a number (minutes and seconds), the same in every language.
    "{} min {:02} s",
    // The record's names of a session's source (`SourceChoice::label`).
    "sim:{}",
    "replay:{}",
    "ble",
    // How an engine notice of a tempo change reads, matched (`history::is_tempo_change`).
    "] tempo ",
    " steps/min",
    // Background threads' names.
    "entrain-ui-start",
    "entrain-ui-join",
    // A found sensor's signal strength, in its unit.
    "{r} dBm",
    // Folder and file names in the data folder (progress.rs, settings.rs).
    "reports",
    "session-{id}.pdf",
    "progress-{code}.pdf",
    "session-{id}.fhir.json",
    "settings.json",
    "entrain-data",
];

/// Call openers whose string literals are not shown to the clinician.
const NOT_SHOWN: &[&str] = &[
    "t!(",
    "tr(",
    "tr_args(",
    "tracing::",
    "debug!(",
    "info!(",
    "warn!(",
    "error!(",
    "#[error(",
    "Id::new(",
    "Id::unique(",
    "id_salt(",
    "expect(",
    "include_str!(",
    "concat!(",
    "#[serde(",
    "assert!(",
    "assert_eq!(",
    "panic!(",
    "unreachable!(",
    "debug_assert!(",
    "Plot::new(",
    // A thread's name.
    ".name(",
    // egui's ids of areas, panels and modals.
    "Id::unique(",
    "Panel::top(",
    "Panel::bottom(",
    "Panel::left(",
    "Panel::right(",
    "Area::new(",
    // Debug output.
    "debug_struct(",
    ".field(",
    // A viewport's id.
    "ViewportId::from_hash_of(",
    // A background job's thread name.
    "Pending::spawn(",
    // egui's ids of a grid and a combo box.
    "Grid::new(",
    "from_id_salt(",
    // The sensors screen's stored source kind ("ble", "virtual").
    "store_assignment(",
];

/// `text` with its comment lines blanked.
fn without_comment_lines(text: &str) -> String {
    text.lines()
        .map(|l| match l.trim_start().starts_with("//") {
            true => "",
            false => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `text` without the argument lists of the calls in [`NOT_SHOWN`], comments and test modules.
fn shown_code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]") {
        Some(at) => &text[..at],
        None => text,
    };
    let without_comments = without_comment_lines(text);
    let mut out = String::new();
    let mut rest = without_comments.as_str();
    let mut prev = ' ';
    'outer: while !rest.is_empty() {
        // `t!(` must not match the end of `format!(`.
        let at_word_start = !(prev.is_alphanumeric() || prev == '_');
        for opener in NOT_SHOWN.iter().filter(|_| at_word_start) {
            if rest.starts_with(opener) {
                let mut depth = 0i32;
                let mut in_string = false;
                let mut escaped = false;
                for (i, c) in rest.char_indices() {
                    match (in_string, escaped, c) {
                        (true, true, _) => escaped = false,
                        (true, false, '\\') => escaped = true,
                        (true, false, '"') => in_string = false,
                        (false, _, '"') => in_string = true,
                        (false, _, '(' | '[') => depth += 1,
                        (false, _, ')' | ']') => {
                            depth -= 1;
                            if depth == 0 {
                                rest = &rest[i + 1..];
                                continue 'outer;
                            }
                        }
                        _ => {}
                    }
                }
                rest = "";
                continue 'outer;
            }
        }
        let c = rest.chars().next().expect("not empty");
        prev = c;
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// The string literals of `code` (plain "…" ones; raw strings are not used for words).
fn literals(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = code.chars().peekable();
    let mut prev = ' ';
    while let Some(c) = chars.next() {
        if c == '\'' && prev != '\\' {
            // A char literal such as '"' must not open a string.
            let lookahead: String = chars.clone().take(3).collect();
            if lookahead.starts_with("\"'") || lookahead.starts_with("\\\"'") {
                for _ in 0..lookahead.find('\'').map_or(0, |i| i + 1) {
                    chars.next();
                }
            }
        } else if c == '"' {
            let mut s = String::new();
            let mut escaped = false;
            for d in chars.by_ref() {
                match (escaped, d) {
                    (true, _) => {
                        escaped = false;
                        s.push(d);
                    }
                    (false, '\\') => escaped = true,
                    (false, '"') => break,
                    (false, _) => s.push(d),
                }
            }
            out.push(s);
        }
        prev = c;
    }
    out
}

/// Whether `literal` reads as words: three letters in a row outside a `{…}` format placeholder.
fn has_words(literal: &str) -> bool {
    let mut depth = 0;
    let mut run = 0;
    for c in literal.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            c if depth == 0 && c.is_alphabetic() => {
                run += 1;
                if run >= 3 {
                    return true;
                }
                continue;
            }
            _ => {}
        }
        run = 0;
    }
    false
}

#[test]
fn no_screen_shows_words_written_in_the_code() {
    let mut found = Vec::new();
    for (path, text) in ui_sources() {
        let name = path.file_name().expect("file name").to_string_lossy();
        if name == "i18n.rs" {
            continue;
        }
        for literal in literals(&shown_code(&text)) {
            let is_path = literal.starts_with('/');
            if has_words(&literal) && !is_path && !NOT_WORDS.contains(&literal.as_str()) {
                found.push(format!(
                    "{}: {literal:?}",
                    path.strip_prefix(env!("CARGO_MANIFEST_DIR"))
                        .unwrap_or(&path)
                        .display()
                ));
            }
        }
    }
    assert!(
        found.is_empty(),
        "{} literals with words outside the catalogue: {found:#?}",
        found.len()
    );
}

#[test]
fn the_word_finder_finds_words_and_skips_what_is_not_shown() {
    let code = r#"
        ui.label("Start session");
        ui.label(format!("{cadence_spm:.1}"));
        ui.label(format!("Steps: {n}"));
        tracing::warn!("a log line {x}", x = f("inner"));
        ui.label(t!("live-start"));
        let c = '"'; ui.button("Stop");
        // ui.label("a comment")
    "#;
    let shown: Vec<String> = literals(&shown_code(code))
        .into_iter()
        .filter(|l| has_words(l))
        .collect();
    assert_eq!(shown, ["Start session", "Steps: {n}", "Stop"]);
}

#[test]
fn the_window_words_the_thresholds_in_english_as_the_reports_do() {
    use entrain_analysis::thresholds::*;
    i18n::set_language(Language::English);
    for speed_mps in [0.2, 0.5, 1.1] {
        assert_eq!(
            i18n::ambulation_label(AmbulationClass::of(speed_mps)),
            ambulation_class(speed_mps)
        );
    }
    for (first, last) in [(0.5, 0.7), (0.5, 0.64), (0.5, 0.3), (0.5, 0.55)] {
        assert_eq!(
            i18n::speed_change_label(SpeedChange::of(first, last)),
            speed_change_verdict(first, last)
        );
    }
    for t in THRESHOLDS {
        assert_eq!(i18n::threshold_name(&t), t.name);
        assert_eq!(i18n::threshold_meaning(&t), t.meaning);
    }
}
