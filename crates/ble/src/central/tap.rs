//! [`TapListener`]: streams every sensor a scan found and says which one the clinician tapped
//! ([`crate::tap`]), so a foot is chosen by touching its sensor, not by reading an address.

// The parent's types (`BleSource`, `BleConfig`, `Assignment`, `BleError`).
use super::*;
use crate::tap::{TapDecision, TapDetector};

/// What a [`TapListener`] heard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TapEvent {
    /// This sensor, and no other, was tapped.
    Tapped(SensorId),
    /// These sensors moved at once: the tap is not taken, the clinician taps again.
    Ambiguous(Vec<SensorId>),
    /// A sensor is streaming (each time it connects).
    Streaming(SensorId),
    /// A sensor's link was lost (it reconnects on its own).
    Lost(SensorId),
}

/// Streams candidate sensors and reports taps, until dropped.
pub struct TapListener {
    source: BleSource,
    ids: Vec<SensorId>,
    detector: TapDetector,
}

impl std::fmt::Debug for TapListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TapListener")
            .field("sensors", &self.ids)
            .finish()
    }
}

impl TapListener {
    /// Connects to every candidate that streams motion (RSC pods send only cadence and cannot be
    /// told apart by a tap: an error names them) and starts listening.
    pub fn start(candidates: &[(SensorId, SensorKind)]) -> Result<Self, BleError> {
        if let Some((id, _)) = candidates
            .iter()
            .find(|(_, kind)| matches!(kind, SensorKind::Rsc { .. }))
        {
            return Err(BleError::Config(format!(
                "sensor {id} is a foot pod: it sends no motion to tap, choose its foot by name"
            )));
        }
        let assignments = candidates
            .iter()
            .map(|(id, kind)| Assignment {
                id: id.clone(),
                // Events are told apart by sensor, not by placement, here.
                placement: Placement::LowerBack,
                kind: *kind,
            })
            .collect();
        let config = BleConfig::new(assignments);
        config.check_addresses()?;
        Ok(Self {
            source: BleSource::launch(config, Instant::now())?,
            ids: candidates.iter().map(|(id, _)| id.clone()).collect(),
            detector: TapDetector::new(candidates.len()),
        })
    }

    /// What happened since the last call. Never blocks.
    pub fn poll(&mut self) -> Result<Vec<TapEvent>, BleError> {
        let now_nanos = self.source.now_nanos();
        let mut heard = Vec::new();
        let detector = &mut self.detector;
        let ids = &self.ids;
        self.source
            .poll_each(now_nanos, |sensor, event| match event {
                SourceEvent::Sample { sample, .. } => detector.push(sensor, sample),
                SourceEvent::Link { state, .. } => {
                    let Some(id) = ids.get(sensor).cloned() else {
                        return;
                    };
                    match state {
                        LinkState::Connected => heard.push(TapEvent::Streaming(id)),
                        LinkState::Lost { .. } => heard.push(TapEvent::Lost(id)),
                        LinkState::Reconnecting => {}
                    }
                }
                _ => {}
            })
            .map_err(|e| BleError::Stack(e.to_string()))?;
        while let Some(decision) = self.detector.decide(now_nanos) {
            heard.push(match decision {
                TapDecision::Tapped { sensor, .. } => TapEvent::Tapped(self.ids[sensor].clone()),
                TapDecision::Ambiguous { sensors } => {
                    TapEvent::Ambiguous(sensors.into_iter().map(|i| self.ids[i].clone()).collect())
                }
            });
        }
        Ok(heard)
    }
}
