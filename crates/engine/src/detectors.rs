//! The step detector of each sensor, chosen by where it is worn.

use entrain_gait::Placement;
use entrain_gait::StreamingDetector;
use entrain_gait::detect::{
    FootDetector, FootDetectorConfig, LowerBackDetector, LowerBackDetectorConfig,
};
use entrain_source::SensorInfo;

use crate::error::EngineError;

/// A sensor's detector, whichever its placement (one per sensor for the whole session, so the
/// box and the dynamic call cost nothing that matters).
pub(crate) type Detector = Box<dyn StreamingDetector + Send>;

/// The detector for a sensor at its placement and sample rate.
pub(crate) fn build_detector(info: &SensorInfo) -> Result<Detector, EngineError> {
    let fail = |detail: String| EngineError::Detector {
        placement: info.placement.label().into(),
        rate_hz: info.sample_rate_hz,
        detail,
    };
    Ok(match info.placement {
        Placement::Foot(side) => Box::new(
            FootDetector::new(Some(side), FootDetectorConfig::new(info.sample_rate_hz))
                .map_err(|e| fail(e.to_string()))?,
        ),
        Placement::LowerBack => Box::new(
            LowerBackDetector::new(LowerBackDetectorConfig::new(info.sample_rate_hz))
                .map_err(|e| fail(e.to_string()))?,
        ),
    })
}
