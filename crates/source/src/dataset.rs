//! The public data-set layouts `entrain-replay` reads, by name (so a [`crate::SourceSpec`] can
//! name one without the readers).

use std::fmt;
use std::str::FromStr;

/// One of the public data-set layouts `entrain-replay` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dataset {
    /// Truong et al. 2019 (IPOL 265): two foot IMUs, healthy, orthopedic and neurological
    /// patients, every footstep annotated as a [heel-off, foot-flat] window.
    Truong,
    /// Voisard et al. 2023 (IPOL 497): feet and lower back, healthy, [toe-off, heel-strike] per
    /// swing phase.
    Voisard,
    /// Mobilise-D TVS example from mobgap: lower back, INDIP reference ICs and cadence.
    Mobgap,
    /// gaitmap example data: foot IMUs at 204.8 / 102.4 Hz with motion-capture events.
    Gaitmap,
}

impl Dataset {
    /// All four, in a fixed order.
    pub const ALL: [Dataset; 4] = [
        Dataset::Truong,
        Dataset::Voisard,
        Dataset::Mobgap,
        Dataset::Gaitmap,
    ];

    /// The lower-case name used by [`FromStr`] and [`fmt::Display`].
    pub fn name(self) -> &'static str {
        match self {
            Dataset::Truong => "truong",
            Dataset::Voisard => "voisard",
            Dataset::Mobgap => "mobgap",
            Dataset::Gaitmap => "gaitmap",
        }
    }
}

impl fmt::Display for Dataset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is not one of `truong`, `voisard`, `mobgap`, `gaitmap`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown data set `{0}`: expected one of truong, voisard, mobgap, gaitmap")]
pub struct UnknownDataset(pub String);

impl FromStr for Dataset {
    type Err = UnknownDataset;

    /// Parses the lower-case name (ASCII case is ignored).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Dataset::ALL
            .into_iter()
            .find(|d| d.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownDataset(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn dataset_names_round_trip() {
        for d in Dataset::ALL {
            assert_eq!(d.to_string().parse::<Dataset>().unwrap(), d);
        }
        assert_eq!("Truong".parse::<Dataset>().unwrap(), Dataset::Truong);
        let err = "physionet".parse::<Dataset>().unwrap_err();
        assert!(err.to_string().contains("physionet"));
    }
}
