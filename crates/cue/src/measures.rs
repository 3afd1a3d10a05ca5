//! Gait measures of an uncued block (baseline and re-test): the metrics of `entrain_gait::metrics`,
//! under the names the RAS session uses.

pub use entrain_gait::metrics::{GaitMetrics as GaitMeasures, MIN_STEPS_PER_FOOT, MetricsConfig};

/// One initial contact (heel strike), as the detector reports it.
pub type StepEvent = entrain_gait::metrics::FootEvent;
