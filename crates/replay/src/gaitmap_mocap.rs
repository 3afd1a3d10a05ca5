//! gaitmap's `mocap_sample.csv`: marker trajectories (mm, 100 Hz) on the clock of
//! `imu_sample.csv`. Each reference stride's length is the horizontal distance the heel marker
//! (`L_FCC` / `R_FCC`) travelled between the stride's two initial contacts.

use entrain_eval::ReferenceStride;
use entrain_gait::Side;

use super::text::TextFile;
use super::{ReplayError, fractional_index_nanos};

/// The motion capture's frame rate, Hz.
const MOCAP_RATE_HZ: f64 = 100.0;

/// Heel marker positions of both feet, m, one row per mocap frame.
pub(crate) struct Heels {
    left: Vec<[f64; 2]>,
    right: Vec<[f64; 2]>,
}

impl Heels {
    /// Reads the `L_FCC` and `R_FCC` columns (x, y) of a two-row header (`marker` × `axis`).
    pub(crate) fn read(file: &TextFile) -> Result<Heels, ReplayError> {
        let mut lines = file.lines();
        let (_, markers) = lines
            .next()
            .ok_or_else(|| file.header_error(1, "a row of marker names", ""))?;
        let (_, axes) = lines
            .next()
            .ok_or_else(|| file.header_error(2, "a row of axes (x, y, z)", ""))?;
        let markers: Vec<&str> = markers.split(',').map(str::trim).collect();
        let axes: Vec<&str> = axes.split(',').map(str::trim).collect();
        let column = |marker: &str, axis: &str, line: usize| {
            markers
                .iter()
                .zip(&axes)
                .position(|(m, a)| *m == marker && *a == axis)
                .ok_or_else(|| {
                    file.header_error(
                        line,
                        &format!("a column for marker {marker}, axis {axis}"),
                        &markers.join(","),
                    )
                })
        };
        let cols = [
            (column("L_FCC", "x", 1)?, column("L_FCC", "y", 1)?),
            (column("R_FCC", "x", 1)?, column("R_FCC", "y", 1)?),
        ];
        let mut heels = Heels {
            left: Vec::new(),
            right: Vec::new(),
        };
        let mut fields = Vec::with_capacity(markers.len());
        for (no, line) in lines {
            file.split(no, line, ',', markers.len(), &mut fields)?;
            for (i, (x, y)) in cols.iter().enumerate() {
                let point = [
                    file.f64_at(no, "x", fields[*x])? / 1000.0,
                    file.f64_at(no, "y", fields[*y])? / 1000.0,
                ];
                if i == 0 {
                    heels.left.push(point);
                } else {
                    heels.right.push(point);
                }
            }
        }
        if heels.left.is_empty() {
            return Err(file.empty_error(2));
        }
        Ok(heels)
    }

    /// The heel of `side` at IMU sample index `imu_index` (of a recording at `imu_rate_hz`),
    /// interpolated between mocap frames; `None` past the capture.
    fn at(&self, side: Side, imu_index: f64, imu_rate_hz: f64) -> Option<[f64; 2]> {
        let track = match side {
            Side::Left => &self.left,
            Side::Right => &self.right,
        };
        let frame = imu_index * MOCAP_RATE_HZ / imu_rate_hz;
        let i = frame.floor() as usize;
        let (a, b) = (track.get(i)?, track.get(i + 1).unwrap_or(track.get(i)?));
        let w = frame - frame.floor();
        Some([a[0] + (b[0] - a[0]) * w, a[1] + (b[1] - a[1]) * w])
    }

    /// The reference stride of `side` from the contact at IMU index `from` to the one at `to`.
    pub(crate) fn stride(
        &self,
        side: Side,
        from: f64,
        to: f64,
        imu_rate_hz: f64,
    ) -> Option<ReferenceStride> {
        let (a, b) = (
            self.at(side, from, imu_rate_hz)?,
            self.at(side, to, imu_rate_hz)?,
        );
        Some(ReferenceStride {
            side,
            start_nanos: fractional_index_nanos(from, imu_rate_hz),
            end_nanos: fractional_index_nanos(to, imu_rate_hz),
            length_m: (b[0] - a[0]).hypot(b[1] - a[1]),
        })
    }
}
