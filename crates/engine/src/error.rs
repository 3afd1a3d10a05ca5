//! What can stop a session from starting or running.

/// An engine error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// The protocol settings are invalid.
    #[error("protocol settings: {0}")]
    Config(#[from] entrain_cue::ConfigError),
    /// A detector could not be built for a sensor's sampling rate.
    #[error("sensor {placement}: cannot build its detector at {rate_hz} Hz: {detail}")]
    Detector {
        /// The sensor.
        placement: String,
        /// Its rate.
        rate_hz: f64,
        /// Why.
        detail: String,
    },
    /// The source has no sensor the engine can detect steps from.
    #[error("sensor source {source_name}: no foot or lower-back sensor to detect steps from")]
    NoSensors {
        /// The source.
        source_name: String,
    },
    /// The sensor source failed as a whole.
    #[error(transparent)]
    Source(#[from] entrain_source::SourceError),
    /// The record could not be opened or written.
    #[error(transparent)]
    Store(#[from] entrain_store::StoreError),
    /// A thread of the engine ended abnormally.
    #[error("engine thread `{0}` panicked")]
    Thread(&'static str),
}
