//! entrain-ui: the clinician's screens and widgets (egui, egui_plot).
//!
//! - [`clinical`]: the ward's gait tests (10 m walk, 6 min walk, TUG, FAC) as pure state machines.
//! - [`history`]: the live plots' data, accumulated from the engine's events.
//! - [`app`]: the window's shell ([`EntrainApp`]), drawn into any `egui::Ui`: navigation,
//!   shortcuts, the one message area, closing, the record and the selected patient; `screens/`:
//!   one file per screen, each with its own state; [`widgets`]: big numbers,
//!   visual beat, gauge, histogram, plots; [`live`]: a running engine session as the UI
//!   holds it; [`worker`]: the record and the radio off the UI thread; [`settings`]; [`theme`]:
//!   text sizes, colours, button heights and fallback fonts, in one place.
//! - The Progress screen shows what `entrain-analysis` measures of each stored session, the same
//!   numbers the reports print.
#![forbid(unsafe_code)]

pub mod app;
pub mod clinical;
pub mod help;
pub mod history;
pub mod i18n;
pub mod live;
mod screens;
pub mod settings;
pub mod theme;
pub mod widgets;
pub mod worker;

pub use app::{EntrainApp, Screen};
pub use screens::{INFO_SECS, MAX_SHOWN};
pub use settings::Settings;
