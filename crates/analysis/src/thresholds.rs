//! The clinical thresholds the measures are read against, each defined once
//! (`docs/CLINICAL.md#clinical-thresholds`): the gait-speed MCID band, the ambulation classes by
//! gait speed, and the entrainment categories of the resultant vector length R.

/// Gait-speed minimal clinically important difference, lower end (inpatients), m/s.
pub const MCID_LOW_MPS: f64 = 0.13;
/// Gait-speed minimal clinically important difference, upper end (subacute stroke), m/s.
pub const MCID_HIGH_MPS: f64 = 0.16;
/// Below this gait speed: household walker; above: limited community walker, m/s.
pub const HOUSEHOLD_LIMIT_MPS: f64 = 0.4;
/// From this gait speed: community walker, m/s.
pub const COMMUNITY_LIMIT_MPS: f64 = 0.8;
/// R above this: strong entrainment.
pub const STRONG_ENTRAINMENT_R: f64 = 0.7;
/// R from this up to [`STRONG_ENTRAINMENT_R`]: moderate entrainment; below: weak.
pub const MODERATE_ENTRAINMENT_R: f64 = 0.4;

/// One threshold as a clinician reads it in the thresholds table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Threshold {
    /// Its stable name (`mcid_inpatients`, ...), for message catalogues.
    pub code: &'static str,
    /// What it is.
    pub name: &'static str,
    /// Its value.
    pub value: f64,
    /// Its unit (`m/s`, or empty for a ratio).
    pub unit: &'static str,
    /// What it means.
    pub meaning: &'static str,
}

/// Every threshold, in the order the reports list them.
pub const THRESHOLDS: [Threshold; 6] = [
    Threshold {
        code: "mcid_inpatients",
        name: "gait-speed MCID, inpatients",
        value: MCID_LOW_MPS,
        unit: "m/s",
        meaning: "smallest change of gait speed that matters to an inpatient",
    },
    Threshold {
        code: "mcid_subacute",
        name: "gait-speed MCID, subacute",
        value: MCID_HIGH_MPS,
        unit: "m/s",
        meaning: "smallest change of gait speed that matters in subacute stroke",
    },
    Threshold {
        code: "household_below",
        name: "household walker below",
        value: HOUSEHOLD_LIMIT_MPS,
        unit: "m/s",
        meaning: "below: household walker; above: limited community walker",
    },
    Threshold {
        code: "community_from",
        name: "community walker from",
        value: COMMUNITY_LIMIT_MPS,
        unit: "m/s",
        meaning: "from here: community walker",
    },
    Threshold {
        code: "strong_entrainment_above",
        name: "strong entrainment above",
        value: STRONG_ENTRAINMENT_R,
        unit: "",
        meaning: "resultant vector length R of the steps against the beats",
    },
    Threshold {
        code: "moderate_entrainment_from",
        name: "moderate entrainment from",
        value: MODERATE_ENTRAINMENT_R,
        unit: "",
        meaning: "R from here up to the strong threshold; below: weak",
    },
];

/// One line for the reports' footers: the gait-speed thresholds.
pub fn gait_speed_thresholds_text() -> String {
    format!(
        "Gait speed thresholds (docs/CLINICAL.md): MCID {MCID_LOW_MPS:.2} m/s (inpatient) to \
         {MCID_HIGH_MPS:.2} m/s (subacute); household < {HOUSEHOLD_LIMIT_MPS:.1} m/s, limited \
         community {HOUSEHOLD_LIMIT_MPS:.1}-{COMMUNITY_LIMIT_MPS:.1}, community >= \
         {COMMUNITY_LIMIT_MPS:.1}."
    )
}

/// What a change of gait speed means against the MCID band.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpeedChange {
    /// At least [`MCID_HIGH_MPS`] faster.
    ImportantImprovement,
    /// Faster by [`MCID_LOW_MPS`] to [`MCID_HIGH_MPS`].
    ImprovementWithinBand,
    /// At least [`MCID_LOW_MPS`] slower.
    ImportantDecline,
    /// Less than [`MCID_LOW_MPS`] either way.
    BelowMcid,
}

impl SpeedChange {
    /// The change from `first_mps` to `last_mps`.
    pub fn of(first_mps: f64, last_mps: f64) -> SpeedChange {
        let d = last_mps - first_mps;
        if d >= MCID_HIGH_MPS {
            SpeedChange::ImportantImprovement
        } else if d >= MCID_LOW_MPS {
            SpeedChange::ImprovementWithinBand
        } else if d <= -MCID_LOW_MPS {
            SpeedChange::ImportantDecline
        } else {
            SpeedChange::BelowMcid
        }
    }

    /// Its stable name (`important_improvement`, ...), for message catalogues.
    pub fn code(self) -> &'static str {
        match self {
            SpeedChange::ImportantImprovement => "important_improvement",
            SpeedChange::ImprovementWithinBand => "improvement_within_band",
            SpeedChange::ImportantDecline => "important_decline",
            SpeedChange::BelowMcid => "below_mcid",
        }
    }
}

/// What a change of gait speed from `first_mps` to `last_mps` means against the MCID band.
pub fn speed_change_verdict(first_mps: f64, last_mps: f64) -> String {
    match SpeedChange::of(first_mps, last_mps) {
        SpeedChange::ImportantImprovement => {
            format!("clinically important improvement (>= {MCID_HIGH_MPS:.2} m/s)")
        }
        SpeedChange::ImprovementWithinBand => {
            format!("improvement within the MCID band ({MCID_LOW_MPS:.2}–{MCID_HIGH_MPS:.2} m/s)")
        }
        SpeedChange::ImportantDecline => "clinically important decline".into(),
        SpeedChange::BelowMcid => format!("change smaller than the MCID ({MCID_LOW_MPS:.2} m/s)"),
    }
}

/// A walker's class by gait speed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmbulationClass {
    /// Below [`HOUSEHOLD_LIMIT_MPS`].
    Household,
    /// From [`HOUSEHOLD_LIMIT_MPS`] to [`COMMUNITY_LIMIT_MPS`].
    LimitedCommunity,
    /// From [`COMMUNITY_LIMIT_MPS`].
    Community,
}

impl AmbulationClass {
    /// The class of `speed_mps`.
    pub fn of(speed_mps: f64) -> AmbulationClass {
        if speed_mps < HOUSEHOLD_LIMIT_MPS {
            AmbulationClass::Household
        } else if speed_mps < COMMUNITY_LIMIT_MPS {
            AmbulationClass::LimitedCommunity
        } else {
            AmbulationClass::Community
        }
    }

    /// Its stable name (`household`, `limited_community`, `community`), for message catalogues.
    pub fn code(self) -> &'static str {
        match self {
            AmbulationClass::Household => "household",
            AmbulationClass::LimitedCommunity => "limited_community",
            AmbulationClass::Community => "community",
        }
    }
}

/// The ambulation class of a gait speed: household, limited community or community walker.
pub fn ambulation_class(speed_mps: f64) -> String {
    match AmbulationClass::of(speed_mps) {
        AmbulationClass::Household => format!("household walker (< {HOUSEHOLD_LIMIT_MPS:.1} m/s)"),
        AmbulationClass::LimitedCommunity => format!(
            "limited community walker ({HOUSEHOLD_LIMIT_MPS:.1}–{COMMUNITY_LIMIT_MPS:.1} m/s)"
        ),
        AmbulationClass::Community => format!("community walker (>= {COMMUNITY_LIMIT_MPS:.1} m/s)"),
    }
}

/// The entrainment category of a resultant vector length R: strong, moderate or weak.
pub fn entrainment_label(r: f64) -> &'static str {
    if r > STRONG_ENTRAINMENT_R {
        "strong"
    } else if r >= MODERATE_ENTRAINMENT_R {
        "moderate"
    } else {
        "weak"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gait_speed_changes_read_against_the_mcid_band() {
        assert!(speed_change_verdict(0.5, 0.67).starts_with("clinically important improvement"));
        assert!(speed_change_verdict(0.5, 0.64).contains("MCID band (0.13–0.16 m/s)"));
        assert!(speed_change_verdict(0.5, 0.55).starts_with("change smaller"));
        assert_eq!(
            speed_change_verdict(0.6, 0.45),
            "clinically important decline"
        );
    }

    #[test]
    fn ambulation_classes_and_entrainment_categories() {
        assert!(ambulation_class(0.3).starts_with("household"));
        assert!(ambulation_class(0.5).starts_with("limited"));
        assert!(ambulation_class(0.8).starts_with("community"));
        assert_eq!(entrainment_label(0.71), "strong");
        assert_eq!(entrainment_label(0.7), "moderate");
        assert_eq!(entrainment_label(0.4), "moderate");
        assert_eq!(entrainment_label(0.39), "weak");
    }

    #[test]
    fn the_footer_text_names_the_constants() {
        assert_eq!(
            gait_speed_thresholds_text(),
            "Gait speed thresholds (docs/CLINICAL.md): MCID 0.13 m/s (inpatient) to 0.16 m/s \
             (subacute); household < 0.4 m/s, limited community 0.4-0.8, community >= 0.8."
        );
    }
}
