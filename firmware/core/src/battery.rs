//! Battery state of charge from the cell voltage of a single-cell LiPo (3.7 V nominal).
//!
//! The open-circuit discharge curve of a LiPo cell is flat between about 3.7 and 3.9 V and steep at
//! both ends, so a linear map from voltage is badly wrong; a piecewise-linear table of typical
//! open-circuit points is used instead. The voltage measured under load (radio bursts) dips by tens
//! of millivolts, so readings are low-pass filtered first (an exponential moving average in
//! millivolts, integer arithmetic), and the reported percentage only moves by whole steps with a
//! hysteresis so it does not flicker between two values in the flat part of the curve.
//!
//! The figures are typical, not a fuel gauge: good to about ±10 % of capacity, enough for "charge
//! before the next session".

/// (millivolts, percent) points of a typical LiPo open-circuit discharge curve, ascending.
pub const LIPO_CURVE: [(u16, u8); 11] = [
    (3300, 0),
    (3500, 3),
    (3600, 8),
    (3680, 15),
    (3740, 25),
    (3790, 40),
    (3840, 55),
    (3900, 68),
    (3980, 80),
    (4080, 92),
    (4180, 100),
];

/// Battery percentage for a cell voltage, by linear interpolation in [`LIPO_CURVE`], clamped.
pub fn percent_from_millivolts(millivolts: u16) -> u8 {
    let (first_mv, first_pct) = LIPO_CURVE[0];
    if millivolts <= first_mv {
        return first_pct;
    }
    for pair in LIPO_CURVE.windows(2) {
        let ((lo_mv, lo_pct), (hi_mv, hi_pct)) = (pair[0], pair[1]);
        if millivolts <= hi_mv {
            let span_mv = u32::from(hi_mv - lo_mv);
            let into_mv = u32::from(millivolts - lo_mv);
            let span_pct = u32::from(hi_pct - lo_pct);
            // Rounded to the nearest percent.
            let pct = u32::from(lo_pct) + (into_mv * span_pct + span_mv / 2) / span_mv;
            return pct.min(100) as u8;
        }
    }
    100
}

/// Filter and hysteresis settings of a [`BatteryEstimator`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatteryConfig {
    /// EMA weight of a new reading, in 1/256 (16 = 1/16: a time constant of 16 readings, 16 s
    /// when sampled once a second).
    pub alpha_256: u16,
    /// The reported percentage changes only when the estimate moves at least this many percent
    /// away from it.
    pub hysteresis_percent: u8,
    /// Below this percentage the sensor reports low battery.
    pub low_percent: u8,
}

impl Default for BatteryConfig {
    fn default() -> Self {
        BatteryConfig {
            alpha_256: 16,
            hysteresis_percent: 2,
            low_percent: 15,
        }
    }
}

/// Turns raw cell-voltage readings into a steady battery percentage.
#[derive(Debug, Clone)]
pub struct BatteryEstimator {
    config: BatteryConfig,
    /// Filtered voltage in millivolts × 256 (fixed point), once a reading has arrived.
    filtered_mv_256: Option<u32>,
    reported_percent: Option<u8>,
}

impl BatteryEstimator {
    /// An estimator that has seen no reading yet.
    pub fn new(config: BatteryConfig) -> BatteryEstimator {
        BatteryEstimator {
            config,
            filtered_mv_256: None,
            reported_percent: None,
        }
    }

    /// Takes one cell-voltage reading (millivolts); returns the percentage to report now.
    ///
    /// The first reading initialises the filter directly, so a sensor switched on reports its
    /// charge at once rather than rising from zero. A reading of 0 mV (no battery, or a failed
    /// ADC conversion) is ignored.
    pub fn update(&mut self, millivolts: u16) -> Option<u8> {
        if millivolts == 0 {
            return self.reported_percent;
        }
        let reading = u32::from(millivolts) << 8;
        let alpha = u32::from(self.config.alpha_256.clamp(1, 256));
        let filtered = match self.filtered_mv_256 {
            None => reading,
            Some(previous) => (previous * (256 - alpha) + reading * alpha + 128) / 256,
        };
        self.filtered_mv_256 = Some(filtered);
        let estimate =
            percent_from_millivolts(((filtered + 128) >> 8).min(u32::from(u16::MAX)) as u16);
        let reported = match self.reported_percent {
            Some(current) if estimate.abs_diff(current) < self.config.hysteresis_percent => current,
            _ => estimate,
        };
        self.reported_percent = Some(reported);
        Some(reported)
    }

    /// The filtered cell voltage, millivolts.
    pub fn filtered_millivolts(&self) -> Option<u16> {
        self.filtered_mv_256
            .map(|f| ((f + 128) >> 8).min(u32::from(u16::MAX)) as u16)
    }

    /// The percentage reported last.
    pub fn percent(&self) -> Option<u8> {
        self.reported_percent
    }

    /// Whether the battery is low (below [`BatteryConfig::low_percent`]).
    pub fn is_low(&self) -> bool {
        self.reported_percent
            .is_some_and(|p| p < self.config.low_percent)
    }
}

/// Cell voltage from an nRF52 SAADC reading of a resistor divider: `raw` is the signed 12-bit (or
/// lower) result, `full_scale_mv` what the ADC's full count means at the pin (internal 0.6 V
/// reference with gain 1/6 gives 3600 mV), `resolution_bits` the resolution, and the divider
/// ratio `divider_num / divider_den` (a 1 MΩ / 1 MΩ divider halves the voltage: 2 / 1).
/// Negative readings (noise around 0 V) give 0.
pub fn millivolts_from_adc(
    raw: i16,
    full_scale_mv: u32,
    resolution_bits: u8,
    divider_num: u32,
    divider_den: u32,
) -> u16 {
    if raw <= 0 || divider_den == 0 || resolution_bits == 0 || resolution_bits > 16 {
        return 0;
    }
    let counts = 1u64 << resolution_bits;
    let mv = u64::from(raw as u16) * u64::from(full_scale_mv) * u64::from(divider_num)
        / (counts * u64::from(divider_den));
    mv.min(u64::from(u16::MAX)) as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curve_points_and_interpolation() {
        assert_eq!(percent_from_millivolts(0), 0);
        assert_eq!(percent_from_millivolts(3300), 0);
        assert_eq!(percent_from_millivolts(4180), 100);
        assert_eq!(percent_from_millivolts(4300), 100);
        assert_eq!(percent_from_millivolts(3790), 40);
        // Halfway between 3790 (40 %) and 3840 (55 %).
        assert_eq!(percent_from_millivolts(3815), 48);
        // Monotonic over the whole range.
        let mut last = 0;
        for mv in 3000..4400 {
            let p = percent_from_millivolts(mv);
            assert!(p >= last, "{mv} mV gave {p} after {last}");
            last = p;
        }
    }

    #[test]
    fn first_reading_is_reported_at_once_and_noise_is_filtered() {
        let mut est = BatteryEstimator::new(BatteryConfig::default());
        assert_eq!(est.percent(), None);
        assert_eq!(est.update(3900), Some(68));
        // A 60 mV dip during a radio burst moves the filtered voltage by only ~4 mV.
        assert_eq!(est.update(3840), Some(68));
        assert!(est.filtered_millivolts().unwrap() >= 3895);
        // Zero readings are ignored.
        assert_eq!(est.update(0), Some(68));
        assert_eq!(est.filtered_millivolts(), Some(3896));
    }

    #[test]
    fn hysteresis_stops_flicker_but_follows_a_real_discharge() {
        let mut est = BatteryEstimator::new(BatteryConfig::default());
        est.update(3820);
        let start = est.percent().unwrap();
        // Alternating readings around the start value never change the report.
        for i in 0..200 {
            let mv = if i % 2 == 0 { 3826 } else { 3814 };
            assert_eq!(est.update(mv), Some(start));
        }
        // A real discharge to 3600 mV is followed down to 8 %, monotonically.
        let mut last = start;
        for _ in 0..400 {
            let p = est.update(3600).unwrap();
            assert!(p <= last);
            last = p;
        }
        assert!(last <= 9, "ended at {last}");
        assert!(est.is_low());
    }

    #[test]
    fn adc_conversion() {
        // 12-bit, 3600 mV full scale, halved by the divider: 2048 counts = 1800 mV at the pin.
        assert_eq!(millivolts_from_adc(2048, 3600, 12, 2, 1), 3600);
        assert_eq!(millivolts_from_adc(-3, 3600, 12, 2, 1), 0);
        assert_eq!(millivolts_from_adc(100, 3600, 12, 2, 0), 0);
        assert_eq!(millivolts_from_adc(4095, 3600, 12, 1, 1), 3599);
    }
}
