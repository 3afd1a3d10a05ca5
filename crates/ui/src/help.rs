//! The help behind each screen's "?" button: what the screen is for, its main steps and, on the
//! live screen, the keyboard shortcuts. Every text is here, so a translator finds them in one
//! place.

use crate::app::Screen;

/// The live screen's keyboard shortcuts (a macro, so the help text can include it as written).
macro_rules! live_shortcuts {
    () => {
        "Space start/pause, Up/Down tempo, N next phase, M mark, Esc stop (in the patient view: back to the live screen)."
    };
}

/// The live screen's keyboard shortcuts, as the screen and its help list them.
pub const LIVE_SHORTCUTS: &str = live_shortcuts!();

/// The help window's title for `screen`: "Help: Patients".
pub fn title(screen: Screen) -> String {
    format!("Help: {}", screen.name())
}

/// The help for `screen`, one paragraph per entry.
pub fn text(screen: Screen) -> &'static [&'static str] {
    match screen {
        Screen::Patients => &[
            "The list of patients. Each patient has a pseudonymous code: never type a name.",
            "1. Add patient, type the code (and, if known, the year of birth, the affected side \
             and the diagnosis date), then Save patient.",
            "2. Open a patient to work with them: the other screens then show and store this \
             patient's sessions and tests. Edit changes a patient's details.",
            "Search finds a patient by part of the code.",
        ],
        Screen::Sensors => &[
            "Where the steps come from in the next session.",
            "1. Scan for sensors and assign each one found to the left foot, the right foot or \
             the lower back; or choose the virtual patient (a simulated walker, for trying \
             things out) or a recorded walk (a raw CSV file).",
            "2. Go to session opens the live session with the chosen source.",
            "While a session runs, each sensor's state, samples lost and battery show here.",
        ],
        Screen::Live => &[
            "The session as it happens: the phase, cadence, the beat's tempo, step times, \
             symmetry, variability and how well the steps follow the beat.",
            "1. Start: the patient walks without a cue first (baseline); the cue then starts at \
             their own cadence and rises in small steps.",
            "2. Pause, Next phase and Tempo + / - steer it; Mark event notes a moment (a \
             stumble, a rest) in the record.",
            "3. Stop ends the session after you confirm; it is kept in the record either way.",
            concat!("Keys: ", live_shortcuts!()),
        ],
        Screen::Tests => &[
            "The standard clinical gait tests, timed by your clicks and stored for the open \
             patient.",
            "10 m walk: click as the patient crosses the 2 m line and the 8 m line (the middle \
             6 m are timed); up to three trials, their mean is the gait speed.",
            "6 minute walk: give the lap length, start, click Lap at each lap, then give the \
             last partial lap. Timed Up and Go: Go, then Seated.",
            "FAC: a whole category from 0 to 5, as listed.",
            "Stored results are listed below; Delete result removes a wrong one after you \
             confirm.",
        ],
        Screen::Progress => &[
            "The open patient's sessions and tests across time, with the same numbers the \
             reports print.",
            "The table lists each session; click a session to compare its baseline with its \
             re-test. The charts show cadence, symmetry, variability, entrainment, TUG, FAC and \
             gait speed against the minimal clinically important change.",
            "Progress report, Report and FHIR write files into the data folder's reports \
             folder.",
        ],
        Screen::PatientView => &[
            "The calm display for the patient: the beat, the step count and a word of \
             encouragement.",
            "Turn the screen to the patient, or use Patient window to put this view on a second \
             screen. Back to clinician view returns to your screens.",
        ],
        Screen::Settings => &[
            "This computer's settings: the sound, the data folder and the protocol's defaults.",
            "Change a value, then Save settings. A value that contradicts another is shown in \
             red at its field and nothing is saved until it is changed.",
            "A new data folder opens the record kept there.",
        ],
    }
}
