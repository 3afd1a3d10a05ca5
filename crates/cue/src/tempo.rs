//! Tempo ↔ beat interval conversions. One beat = one step, so beats/min = steps/min.

/// Nanoseconds per minute.
pub const NANOS_PER_MINUTE: f64 = 60.0e9;

/// Nanoseconds per second, as f64 for conversions from configured seconds.
pub const NANOS_PER_SEC_F64: f64 = 1.0e9;

/// The beat (= step) interval of a tempo in steps/min, rounded to the nanosecond. Non-positive or
/// non-finite tempi give `i64::MAX` (no next beat) rather than a division by zero.
pub fn spm_to_interval_nanos(tempo_spm: f64) -> i64 {
    if !(tempo_spm.is_finite() && tempo_spm > 0.0) {
        return i64::MAX;
    }
    (NANOS_PER_MINUTE / tempo_spm).round() as i64
}

/// The tempo, steps/min, of a beat (= step) interval. Non-positive intervals give 0.
pub fn interval_nanos_to_spm(interval_nanos: f64) -> f64 {
    if interval_nanos <= 0.0 {
        return 0.0;
    }
    NANOS_PER_MINUTE / interval_nanos
}

/// Seconds to nanoseconds, saturating.
pub fn secs_to_nanos(secs: f64) -> i64 {
    (secs * NANOS_PER_SEC_F64).round() as i64
}

/// Nanoseconds to seconds.
pub fn nanos_to_secs(nanos: i64) -> f64 {
    nanos as f64 / NANOS_PER_SEC_F64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eighty_steps_per_minute_is_750_ms() {
        assert_eq!(spm_to_interval_nanos(80.0), 750_000_000);
        assert!((interval_nanos_to_spm(750_000_000.0) - 80.0).abs() < 1e-12);
        assert_eq!(spm_to_interval_nanos(0.0), i64::MAX);
        assert_eq!(interval_nanos_to_spm(0.0), 0.0);
    }
}
