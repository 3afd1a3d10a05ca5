//! The language chosen on the Settings screen: saved with the other settings by their Save, the
//! window then reads in it (navigation, the Settings screen, its help), a new window on the same
//! data folder opens in it, and English comes back the same way.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use egui_kittest::Harness;
use entrain_ui::i18n::{self, Language};
use entrain_ui::{EntrainApp, Settings};

use common::*;

/// The navigation's names of the screens, by message id.
const SCREENS: [&str; 7] = [
    "app-screen-patients",
    "app-screen-sensors",
    "app-screen-live",
    "app-screen-tests",
    "app-screen-progress",
    "app-screen-patient-view",
    "app-screen-settings",
];

/// The navigation and the Settings screen (on screen now) read in `language`, and not in `other`.
fn reads_in(h: &Harness<'_, EntrainApp>, language: Language, other: Language, when: &str) {
    for id in SCREENS
        .iter()
        .chain(&["settings-heading", "settings-language", "settings-save"])
    {
        let (shown, not_shown) = (text_in(language, id), text_in(other, id));
        assert_ne!(shown, not_shown, "{id} reads the same in both");
        assert!(has_label(h, &shown), "{when}: no {shown:?} ({id})");
        assert!(
            !has_label(h, &not_shown),
            "{when}: {not_shown:?} ({id}) still shown"
        );
    }
}

#[test]
fn deutsch_chosen_in_settings_is_saved_shown_and_kept_and_english_comes_back() {
    let (en, de) = (Language::English, Language::German);
    let dir = tempfile::tempdir().unwrap();
    let mut h = ready(Settings::demo(dir.path().to_path_buf()));
    click(&mut h, &text_in(en, "app-screen-settings"));
    reads_in(&h, en, de, "a fresh window");

    // Chosen but not saved: the window stays English.
    for language in Language::ALL {
        assert!(
            has_label(&h, language.native_name()),
            "{language:?} offered"
        );
    }
    click(&mut h, de.native_name());
    h.run_steps(2);
    reads_in(&h, en, de, "Deutsch chosen, not saved");

    click(&mut h, &text_in(en, "settings-save"));
    h.run_steps(2);
    reads_in(&h, de, en, "Deutsch saved");
    assert!(has_text_containing(&h, &text_in(de, "settings-saved")));
    assert_eq!(Settings::load(dir.path()).unwrap().language, de);
    // The Settings screen's help too.
    click(&mut h, "?");
    h.run_steps(2);
    let help_title = i18n::format_in(
        de,
        "help-title",
        &[("screen", text_in(de, "app-screen-settings").into())],
    );
    assert!(has_label(&h, &help_title), "no {help_title:?}");
    assert!(has_text_containing(&h, &text_in(de, "help-settings-save")));
    drop(h);

    // A new window on the same data folder opens in German.
    let mut h = ready(Settings::load(dir.path()).unwrap());
    h.run_steps(2);
    for id in SCREENS {
        assert!(
            has_label(&h, &text_in(de, id)),
            "new window: no {id} in German"
        );
    }
    click(&mut h, &text_in(de, "app-screen-settings"));
    reads_in(&h, de, en, "a new window");

    // And back to English.
    save_language(&mut h, en);
    reads_in(&h, en, de, "English saved");
    assert_eq!(Settings::load(dir.path()).unwrap().language, en);
}
