//! The window in German shows no English: a whole session (patient, virtual sensors, start, walk,
//! stop) is driven in German, and on every screen and at the session's end no text read through
//! AccessKit contains a phrase of the English catalogue that German words differently. This
//! catches what the source check in `catalogue.rs` cannot: English names reaching the screen from
//! other crates (a phase, a measure, a sensor's placement) or a message built in the wrong language.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::NodeT;
use entrain_engine::EngineCommand;
use entrain_ui::i18n::Language;
use entrain_ui::{EntrainApp, Screen, Settings};
use fluent_syntax::ast;

use common::*;

/// The plain-text runs (between variables) of every message of `language`.
fn phrases(language: Language) -> BTreeSet<String> {
    fn of_pattern(p: &ast::Pattern<&str>, out: &mut BTreeSet<String>) {
        for e in &p.elements {
            match e {
                ast::PatternElement::TextElement { value } => {
                    out.insert(value.trim().to_string());
                }
                ast::PatternElement::Placeable {
                    expression: ast::Expression::Select { variants, .. },
                } => {
                    for v in variants {
                        of_pattern(&v.value, out);
                    }
                }
                ast::PatternElement::Placeable { .. } => {}
            }
        }
    }
    let mut out = BTreeSet::new();
    for (_, source) in language.sources() {
        let resource = fluent_syntax::parser::parse(*source).unwrap();
        for entry in resource.body {
            if let ast::Entry::Message(ast::Message { value: Some(v), .. }) = entry {
                of_pattern(&v, &mut out);
            }
        }
    }
    out
}

/// English phrases a German window must not show: those of two words or more that no German
/// message contains.
fn english_only_phrases() -> Vec<String> {
    let german = phrases(Language::German);
    phrases(Language::English)
        .into_iter()
        .filter(|p| p.split_whitespace().filter(|w| w.len() > 1).count() >= 2)
        .filter(|p| !german.iter().any(|g| g.contains(p.as_str())))
        .collect()
}

/// Every text on screen, as AccessKit reads it.
fn texts_on_screen(h: &Harness<'_, EntrainApp>) -> Vec<String> {
    h.root()
        .children_recursive()
        .filter_map(|n| n.accesskit_node().label())
        .collect()
}

fn assert_no_english(h: &Harness<'_, EntrainApp>, english: &[String], where_: &str) {
    let found: Vec<String> = texts_on_screen(h)
        .into_iter()
        .filter_map(|t| {
            english
                .iter()
                .find(|p| t.contains(p.as_str()))
                .map(|p| format!("{t:?} (English: {p:?})"))
        })
        .collect();
    assert!(
        found.is_empty(),
        "{where_}: English in the German window: {found:#?}"
    );
}

#[test]
fn a_whole_session_in_german_shows_no_english() {
    let english = english_only_phrases();
    assert!(
        english.len() > 100,
        "too few English phrases to check against: {}",
        english.len()
    );
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings {
        language: Language::German,
        ..Settings::demo(dir.path().to_path_buf())
    };
    let mut h = ready(settings);
    h.state_mut().queue_demo("DE-01");
    wait_until(&mut h, "the patient", Duration::from_secs(10), |h| {
        h.state().selected_patient_id().is_some()
    });
    h.state_mut().set_auto_start(true);
    h.state_mut().start_session();
    wait_until(&mut h, "a few steps", Duration::from_secs(60), |h| {
        h.state()
            .live()
            .is_some_and(|l| l.is_started() && l.snapshot.steps_total > 12)
    });
    for screen in Screen::ALL {
        h.state_mut().show(screen);
        h.run_steps(3);
        assert_no_english(&h, &english, &format!("{screen:?}"));
    }
    h.state_mut().show(Screen::Live);
    h.state().live().unwrap().command(EngineCommand::Stop);
    wait_until(&mut h, "the session's end", Duration::from_secs(30), |h| {
        h.state().session_settled()
    });
    h.run_steps(3);
    assert_no_english(&h, &english, "the session's end");
}
