//! PMD time: nanoseconds since 2000-01-01T00:00:00 ("the Polar epoch"; online_measurement.pdf
//! §4.1, and the SDK's `documentation/TimeSystemExplained.md`), and the time of each sample in a
//! frame.
//!
//! The clock is the device's own: it runs from a default after the battery ran out (the H10
//! example: 2019-01-01, 599 616 000 000 000 000 ns) until the host sets it, and a host that sets
//! it to *local* time gets local-time stamps. So the timestamps order samples and measure their
//! spacing reliably, but their absolute value is only as right as the last time set; Entrain maps
//! them onto its session clock like any sensor clock.
//!
//! A frame's timestamp is that of its **last** sample (the documents' example annotations: "last
//! sample timestamp"). The documents do not spell out the earlier samples' times; the rule used
//! here is the evident one, that they precede it at the sample period of the rate the
//! measurement was started with.

/// The Polar epoch (2000-01-01T00:00:00Z) in Unix time, ns (`TimeSystemExplained.md`:
/// 946 684 800 000 000 000).
pub const POLAR_EPOCH_UNIX_NANOS: u64 = 946_684_800_000_000_000;

/// A PMD time as Unix time, ns (`None` past the year 2554).
pub fn unix_time_nanos(polar_time_nanos: u64) -> Option<u64> {
    polar_time_nanos.checked_add(POLAR_EPOCH_UNIX_NANOS)
}

/// The time of sample `index` (0-based) of `count` in a frame stamped `frame_time_nanos`, at
/// `sample_rate_hz`: the last sample has the frame's time, each earlier one a sample period
/// before the next. Computed from the frame time for each sample (not by accumulating a rounded
/// period), rounded to the nearest ns. `None` if `index` is not below `count`, the rate is 0, or
/// the time would fall before the epoch.
pub fn sample_time_nanos(
    frame_time_nanos: u64,
    index: usize,
    count: usize,
    sample_rate_hz: u16,
) -> Option<u64> {
    if index >= count || sample_rate_hz == 0 {
        return None;
    }
    let periods_before_last = (count - 1 - index) as u128;
    let rate = u128::from(sample_rate_hz);
    let offset = (periods_before_last * 1_000_000_000 + rate / 2) / rate;
    frame_time_nanos.checked_sub(u64::try_from(offset).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documents_examples() {
        // TimeSystemExplained.md: the H10's default time 2019-01-01T00:00:00 is
        // 599 616 000 000 000 000 ns, which in Unix time is 1 546 300 800 s. (Its other example,
        // "2022-11-12T08:00:00 … is 724060800000000000", is 2022-12-11T08:00:00: day and month
        // swapped, so it is not used.)
        assert_eq!(
            unix_time_nanos(599_616_000_000_000_000),
            Some(1_546_300_800_000_000_000)
        );
        assert_eq!(unix_time_nanos(u64::MAX), None);
    }

    #[test]
    fn samples_precede_the_frame_time_at_the_period() {
        let t = 540_368_444_604_181_604; // the delta frame example's timestamp
        assert_eq!(sample_time_nanos(t, 29, 30, 52), Some(t));
        // 52 Hz: 19 230 769.23… ns per sample.
        assert_eq!(sample_time_nanos(t, 28, 30, 52), Some(t - 19_230_769));
        assert_eq!(sample_time_nanos(t, 0, 30, 52), Some(t - 557_692_308));
        assert_eq!(sample_time_nanos(t, 0, 53, 52), Some(t - 1_000_000_000));
        assert_eq!(sample_time_nanos(t, 30, 30, 52), None);
        assert_eq!(sample_time_nanos(t, 0, 30, 0), None);
        assert_eq!(sample_time_nanos(5, 0, 2, 1), None);
    }
}
