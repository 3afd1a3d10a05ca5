//! Replay of a recording as a [`SensorSource`]: the samples of every stream, merged in time order,
//! delivered as the session clock passes them (in real time or as fast as the engine polls).

use std::path::Path;

use super::raw::RawRecording;
use super::{Recording, SensorStream};
use entrain_source::{SensorId, SensorInfo, SensorSource, SourceError, SourceEvent};

/// A recording replayed on the session clock: sample time `t` of the recording is delivered at
/// session time `t + offset_nanos` (the recording starts when the session does, by default).
#[derive(Debug, Clone)]
pub struct ReplaySource {
    name: String,
    sample_rate_hz: f64,
    streams: Vec<SensorStream>,
    /// Index of the next sample per stream.
    next: Vec<usize>,
    offset_nanos: i64,
    finished: bool,
}

impl ReplaySource {
    /// Replays `streams` sampled at `sample_rate_hz`, named `name` in messages and sensor ids.
    pub fn new(name: impl Into<String>, sample_rate_hz: f64, streams: Vec<SensorStream>) -> Self {
        let offset_nanos = streams
            .iter()
            .filter_map(|s| s.samples.first().map(|x| x.time_nanos))
            .min()
            .map_or(0, |first| -first);
        let next = vec![0; streams.len()];
        ReplaySource {
            name: name.into(),
            sample_rate_hz,
            streams,
            next,
            offset_nanos,
            finished: false,
        }
    }

    /// Replays one trial of a public data set.
    pub fn from_recording(recording: &Recording) -> Self {
        Self::new(
            format!("replay:{}", recording.trial),
            recording.sample_rate_hz,
            recording.streams.clone(),
        )
    }

    /// Replays one of our own raw recordings.
    pub fn from_raw(raw: RawRecording) -> Self {
        Self::new(
            format!("replay:{}", raw.path.display()),
            raw.sample_rate_hz,
            raw.streams,
        )
    }

    /// Reads and replays the raw recording at `path`.
    pub fn open_raw(path: &Path) -> Result<Self, super::ReplayError> {
        super::raw::read_raw(path).map(Self::from_raw)
    }

    /// The session time at which the recording's first sample is delivered (and every sample
    /// shifted by the same amount). Default: its first sample at session time 0.
    pub fn set_start_nanos(&mut self, start_nanos: i64) {
        let first = self
            .streams
            .iter()
            .filter_map(|s| s.samples.first().map(|x| x.time_nanos))
            .min()
            .unwrap_or(0);
        self.offset_nanos = start_nanos - first;
    }

    /// The streams being replayed, on the recording's own clock.
    pub fn streams(&self) -> &[SensorStream] {
        &self.streams
    }

    /// Session time of the last sample.
    pub fn end_nanos(&self) -> i64 {
        self.streams
            .iter()
            .filter_map(|s| s.samples.last().map(|x| x.time_nanos))
            .max()
            .map_or(0, |t| t + self.offset_nanos)
    }
}

impl SensorSource for ReplaySource {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn sensors(&self) -> Vec<SensorInfo> {
        self.streams
            .iter()
            .map(|s| SensorInfo {
                id: SensorId(format!("{}:{}", self.name, s.placement.code())),
                name: format!("recorded {}", s.placement.code()),
                placement: s.placement,
                sample_rate_hz: self.sample_rate_hz,
            })
            .collect()
    }

    fn poll(&mut self, now_nanos: i64, out: &mut Vec<SourceEvent>) -> Result<(), SourceError> {
        if self.finished {
            return Ok(());
        }
        loop {
            // The stream whose next sample is earliest (ties: stream order).
            let mut best: Option<(usize, i64)> = None;
            for (s, stream) in self.streams.iter().enumerate() {
                if let Some(x) = stream.samples.get(self.next[s]) {
                    let t = x.time_nanos + self.offset_nanos;
                    if best.is_none_or(|(_, bt)| t < bt) {
                        best = Some((s, t));
                    }
                }
            }
            match best {
                Some((s, t)) if t <= now_nanos => {
                    let stream = &self.streams[s];
                    let mut sample = stream.samples[self.next[s]];
                    sample.time_nanos = t;
                    out.push(SourceEvent::Sample {
                        placement: stream.placement,
                        sample,
                    });
                    self.next[s] += 1;
                }
                Some(_) => return Ok(()),
                None => {
                    self.finished = true;
                    out.push(SourceEvent::Finished);
                    return Ok(());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use entrain_gait::{ImuSample, Placement, Side};

    #[test]
    fn merges_streams_in_time_order_and_finishes() {
        let stream = |side, start: i64| SensorStream {
            placement: Placement::Foot(side),
            samples: (0..10)
                .map(|i| ImuSample {
                    time_nanos: start + i * 10,
                    acc_mps2: [0.0; 3],
                    gyr_dps: [0.0; 3],
                })
                .collect(),
        };
        let mut source = ReplaySource::new(
            "t",
            1e8,
            vec![stream(Side::Left, 100), stream(Side::Right, 105)],
        );
        let mut out = Vec::new();
        source.poll(20, &mut out).unwrap();
        let times: Vec<i64> = out
            .iter()
            .filter_map(|e| match e {
                SourceEvent::Sample { sample, .. } => Some(sample.time_nanos),
                _ => None,
            })
            .collect();
        assert_eq!(times, vec![0, 5, 10, 15, 20]);
        out.clear();
        source.poll(1_000, &mut out).unwrap();
        assert_eq!(out.len(), 15 + 1);
        assert_eq!(out.last(), Some(&SourceEvent::Finished));
        out.clear();
        source.poll(2_000, &mut out).unwrap();
        assert!(out.is_empty());
    }
}
