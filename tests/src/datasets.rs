//! The public data sets in `../shared/datasets` (next to the repository), for the tests that read
//! them: present, or absent with a note (outside CI) or an error naming the missing folder (under
//! CI, `CI=true`, where a data-set test must never pass without running).

use std::path::PathBuf;

/// A data-set folder that is missing under CI.
#[derive(Debug, thiserror::Error)]
#[error(
    "{} is missing: under CI (CI={ci}) the data-set tests must run, so the shared data sets must be there",
    path.display()
)]
pub struct MissingDataset {
    /// The folder looked for.
    pub path: PathBuf,
    /// The value of `CI`.
    pub ci: String,
}

/// The shared data sets' folder.
pub fn shared_datasets_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/datasets")
}

/// The data set `name` (e.g. `truong2019_ipol_gait`) in [`shared_datasets_dir`]: `Ok(Some)` when
/// present; when absent, `Ok(None)` after printing that the test is skipped, or [`MissingDataset`]
/// under CI.
pub fn shared_dataset(name: &str) -> Result<Option<PathBuf>, MissingDataset> {
    present_or_skipped(shared_datasets_dir().join(name), std::env::var("CI").ok())
}

/// `path` if it is a folder; otherwise a skip, or an error when `ci` says this is a CI run.
fn present_or_skipped(
    path: PathBuf,
    ci: Option<String>,
) -> Result<Option<PathBuf>, MissingDataset> {
    if path.is_dir() {
        return Ok(Some(path));
    }
    match ci {
        Some(ci) if ci.eq_ignore_ascii_case("true") || ci == "1" => {
            Err(MissingDataset { path, ci })
        }
        _ => {
            eprintln!("skipped: {} is not present", path.display());
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn a_missing_data_set_fails_under_ci_and_is_skipped_outside() {
        let missing = PathBuf::from("/nonexistent/entrain-no-such-data-set");
        let err = present_or_skipped(missing.clone(), Some("true".into())).unwrap_err();
        assert!(
            err.to_string()
                .contains("/nonexistent/entrain-no-such-data-set"),
            "{err}"
        );
        assert!(err.to_string().contains("CI=true"), "{err}");
        for ci in [None, Some("false".to_owned()), Some(String::new())] {
            assert_eq!(present_or_skipped(missing.clone(), ci).unwrap(), None);
        }
        let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        assert_eq!(
            present_or_skipped(here.clone(), Some("true".into())).unwrap(),
            Some(here)
        );
    }
}
