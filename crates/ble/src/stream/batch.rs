//! The samples of sensors decoded by a [`driver`] (Movesense, Polar): the loss accounting,
//! clock mapping and emission the stream shares with Entrain's own packets.

use entrain_gait::ImuSample;
use entrain_source::SourceEvent;

use super::{Channel, Decoder, SensorStream};
use crate::driver::Batch;
use crate::link::Continuity;

impl SensorStream {
    /// Maps one sample onto the session clock and appends it, after the gap that precedes it
    /// (`lost_before` samples); returns its session time (`None`: no clock fit yet).
    ///
    /// With `slew_period_nanos`, a refit of the mapping is taken in gradually: each sample lies
    /// within a quarter period of where the sensor's own spacing puts it after the previous one.
    /// Sensors that send large batches (a Verity Sense frame holds 30 to over 100 samples) get a
    /// refit only every batch, and a step of a few ms between two samples would otherwise look
    /// to the detectors' gap filler like a lost sample or a restart.
    pub(super) fn emit_sample(
        &mut self,
        lost_before: u64,
        sensor_nanos: i64,
        acc_mps2: [f32; 3],
        gyr_dps: [f32; 3],
        slew_period_nanos: Option<i64>,
        out: &mut Vec<SourceEvent>,
    ) -> Option<i64> {
        let mut time_nanos = self.clock.map(sensor_nanos)?;
        if let (Some(last), Some(period)) = (self.last_sample_nanos, slew_period_nanos) {
            let periods = i64::try_from(lost_before)
                .unwrap_or(i64::MAX)
                .saturating_add(1);
            let expected = last.saturating_add(periods.saturating_mul(period));
            time_nanos = time_nanos.clamp(expected - period / 4, expected + period / 4);
        }
        if let Some(last) = self.last_sample_nanos {
            if lost_before > 0 {
                out.push(SourceEvent::Gap {
                    placement: self.placement,
                    lost_samples: lost_before,
                    from_nanos: last,
                    to_nanos: time_nanos.max(last + 1),
                });
            }
            // Refits move the mapping by fractions of a millisecond; times must still increase.
            time_nanos = time_nanos.max(last + 1);
        }
        self.last_sample_nanos = Some(time_nanos);
        self.stats.samples += 1;
        out.push(SourceEvent::Sample {
            placement: self.placement,
            sample: ImuSample {
                time_nanos,
                acc_mps2,
                gyr_dps,
            },
        });
        Some(time_nanos)
    }

    /// A notification of a kind decoded by its driver (Movesense, Polar).
    pub(super) fn on_driver(
        &mut self,
        channel: Channel,
        bytes: &[u8],
        arrival_nanos: i64,
        out: &mut Vec<SourceEvent>,
    ) -> Result<(), String> {
        let batches = match (&mut self.decoder, channel) {
            (Decoder::Movesense(d), Channel::MovesenseData) => {
                d.on_notification(bytes)?.into_iter().collect()
            }
            (Decoder::Polar(d), Channel::PolarControl) => return d.on_control(bytes),
            (Decoder::Polar(d), Channel::PolarData) => d.on_data(bytes)?,
            _ => return Err(format!("not expected from a {:?} sensor", self.kind)),
        };
        self.count_data_packet(arrival_nanos, out);
        for batch in batches {
            self.deliver(batch, arrival_nanos, out);
        }
        Ok(())
    }

    /// Loss accounting, clock mapping and emission of a driver's samples, shared by every kind
    /// that sends no packets of Entrain's format.
    fn deliver(&mut self, batch: Batch, arrival_nanos: i64, out: &mut Vec<SourceEvent>) {
        let mut first_index = batch.first_index;
        // The tracker counts at most 255 samples per packet.
        for chunk in batch.samples.chunks(usize::from(u8::MAX)) {
            let (Some(first), Some(last)) = (chunk.first(), chunk.last()) else {
                continue;
            };
            let count = chunk.len() as u8;
            let seq = batch.seq.unwrap_or(self.next_seq);
            self.next_seq = seq.wrapping_add(1);
            let continuity = self.tracker.on_packet(
                seq,
                first_index,
                count,
                first.sensor_nanos,
                batch.period_nanos,
            );
            first_index = first_index.wrapping_add(u32::from(count));
            let lost = match continuity {
                Continuity::Stale => continue,
                Continuity::Restart { lost_samples: 0 } => {
                    // The clock went backwards: the sensor restarted. Map afresh.
                    self.clock.reset();
                    0
                }
                Continuity::Gap { lost_samples, .. } | Continuity::Restart { lost_samples } => {
                    lost_samples
                }
                Continuity::First | Continuity::Contiguous => 0,
            };
            // The notification cannot leave before its last sample is taken.
            self.clock.observe(last.sensor_nanos, arrival_nanos);
            for (i, s) in chunk.iter().enumerate() {
                let lost_before = if i == 0 { lost } else { 0 };
                self.emit_sample(
                    lost_before,
                    s.sensor_nanos,
                    s.acc_mps2,
                    s.gyr_dps,
                    Some(batch.period_nanos),
                    out,
                );
            }
        }
    }
}
