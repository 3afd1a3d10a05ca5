//! The help behind each screen's "?" button: what the screen is for, its main steps and, on the
//! live screen, the keyboard shortcuts. Every text is in the catalogue's `help.ftl`, so a
//! translator finds them in one place.

use crate::app::Screen;
use crate::t;

/// The live screen's keyboard shortcuts, as the screen and its help list them.
pub fn live_shortcuts() -> String {
    t!("help-live-shortcuts")
}

/// The help window's title for `screen`: "Help: Patients".
pub fn title(screen: Screen) -> String {
    t!("help-title", screen = screen.name())
}

/// The help for `screen`, one paragraph per entry.
pub fn text(screen: Screen) -> Vec<String> {
    match screen {
        Screen::Patients => vec![
            t!("help-patients-about"),
            t!("help-patients-add"),
            t!("help-patients-open"),
            t!("help-patients-search"),
        ],
        Screen::Sensors => vec![
            t!("help-sensors-about"),
            t!("help-sensors-choose"),
            t!("help-sensors-go"),
            t!("help-sensors-state"),
        ],
        Screen::Live => vec![
            t!("help-live-about"),
            t!("help-live-start"),
            t!("help-live-steer"),
            t!("help-live-stop"),
            t!("help-live-music"),
            t!("help-live-keys"),
        ],
        Screen::Tests => vec![
            t!("help-tests-about"),
            t!("help-tests-ten"),
            t!("help-tests-six-tug"),
            t!("help-tests-fac"),
            t!("help-tests-stored"),
        ],
        Screen::Progress => vec![
            t!("help-progress-about"),
            t!("help-progress-table"),
            t!("help-progress-reports"),
        ],
        Screen::Music => vec![
            t!("help-music-about"),
            t!("help-music-import"),
            t!("help-music-tempo"),
            t!("help-music-patient"),
            t!("help-music-session"),
        ],
        Screen::PatientView => vec![t!("help-patient-view-about"), t!("help-patient-view-turn")],
        Screen::Settings => vec![
            t!("help-settings-about"),
            t!("help-settings-save"),
            t!("help-settings-folder"),
        ],
    }
}
