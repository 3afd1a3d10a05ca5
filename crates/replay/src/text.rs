//! Reading delimited text tables (plain or gzip) without a per-field allocation.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::error::{ReplayError, shorten};

/// A whole text file in memory, decompressed if its name ends in `.gz`.
pub(crate) struct TextFile {
    pub(crate) path: PathBuf,
    pub(crate) text: String,
}

/// Reads a file's bytes, naming it in the error.
pub(crate) fn read_bytes(path: &Path) -> Result<Vec<u8>, ReplayError> {
    std::fs::read(path).map_err(|source| ReplayError::Io {
        path: path.to_owned(),
        source,
    })
}

impl TextFile {
    /// Reads `path`, gunzipping it if it ends in `.gz`.
    pub(crate) fn read(path: &Path) -> Result<Self, ReplayError> {
        let raw = read_bytes(path)?;
        let bytes = if path.extension().is_some_and(|e| e == "gz") {
            // Raw text is 3 to 4 times the compressed size: reserve once.
            let mut out = Vec::with_capacity(raw.len().saturating_mul(4));
            let mut decoder = flate2::read::GzDecoder::new(raw.as_slice());
            if let Err(source) = decoder.read_to_end(&mut out) {
                let line = out.iter().filter(|&&b| b == b'\n').count() + 1;
                return Err(ReplayError::Gzip {
                    path: path.to_owned(),
                    line,
                    source,
                });
            }
            out
        } else {
            raw
        };
        let text = String::from_utf8(bytes).map_err(|e| {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let before = &bytes[..valid];
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            let line_start = before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1);
            ReplayError::Encoding {
                path: path.to_owned(),
                line,
                column: valid - line_start + 1,
            }
        })?;
        Ok(TextFile {
            path: path.to_owned(),
            text,
        })
    }

    /// The lines with their 1-based numbers, `\r` stripped, without the empty piece after a
    /// final newline.
    pub(crate) fn lines(&self) -> impl Iterator<Item = (usize, &str)> {
        let text = self.text.strip_suffix('\n').unwrap_or(&self.text);
        let empty = text.is_empty();
        text.split('\n')
            .filter(move |_| !empty)
            .enumerate()
            .map(|(i, l)| (i + 1, l.strip_suffix('\r').unwrap_or(l)))
    }

    /// A header-line mismatch error.
    pub(crate) fn header_error(&self, line: usize, expected: &str, found: &str) -> ReplayError {
        ReplayError::Header {
            path: self.path.clone(),
            line,
            expected: expected.to_owned(),
            found: shorten(found),
        }
    }

    /// The error for a table without data rows after header line `line`.
    pub(crate) fn empty_error(&self, line: usize) -> ReplayError {
        ReplayError::Empty {
            path: self.path.clone(),
            line,
        }
    }

    /// Splits `line` on `sep` into `out` (cleared first), requiring exactly `expected` fields.
    pub(crate) fn split<'a>(
        &self,
        line_no: usize,
        line: &'a str,
        sep: char,
        expected: usize,
        out: &mut Vec<&'a str>,
    ) -> Result<(), ReplayError> {
        out.clear();
        out.extend(line.split(sep));
        if out.len() == expected {
            Ok(())
        } else {
            Err(ReplayError::FieldCount {
                path: self.path.clone(),
                line: line_no,
                expected,
                found: out.len(),
            })
        }
    }

    /// A value error for column `column` at `line`.
    pub(crate) fn value_error(
        &self,
        line: usize,
        column: &str,
        expected: impl Into<String>,
        found: &str,
    ) -> ReplayError {
        ReplayError::Value {
            path: self.path.clone(),
            line,
            column: column.to_owned(),
            expected: expected.into(),
            found: shorten(found),
        }
    }

    /// Parses a finite number.
    pub(crate) fn f64_at(
        &self,
        line: usize,
        column: &str,
        field: &str,
    ) -> Result<f64, ReplayError> {
        parse_f64(field)
            .filter(|v| v.is_finite())
            .ok_or_else(|| self.value_error(line, column, "a finite number", field))
    }

    /// Parses a number that is finite as `f32` too (a sample is stored as `f32`: 1e300 would
    /// become +inf in the record).
    pub(crate) fn f32_at(
        &self,
        line: usize,
        column: &str,
        field: &str,
    ) -> Result<f32, ReplayError> {
        let v = self.f64_at(line, column, field)? as f32;
        if v.is_finite() {
            Ok(v)
        } else {
            Err(self.value_error(line, column, "a number within ±3.4e38", field))
        }
    }

    /// Parses a non-negative whole number written as an integer or as `12.0`.
    pub(crate) fn index_at(
        &self,
        line: usize,
        column: &str,
        field: &str,
    ) -> Result<usize, ReplayError> {
        match parse_f64(field) {
            Some(v) if v >= 0.0 && v.fract() == 0.0 && v < 9.0e15 => Ok(v as usize),
            _ => Err(self.value_error(line, column, "a non-negative whole number", field)),
        }
    }
}

/// Position of `name` in a header, or a header error.
pub(crate) fn column_of(
    file: &TextFile,
    line: usize,
    header: &[&str],
    name: &str,
) -> Result<usize, ReplayError> {
    header.iter().position(|h| h.trim() == name).ok_or_else(|| {
        file.header_error(line, &format!("a column named `{name}`"), &header.join(","))
    })
}

const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Parses a decimal number such as `-4.688373e-02`, `12`, `0.5` or `.5`.
///
/// A fast path for the common short forms (at most 15 significant digits, small exponents)
/// where the result is exact to the last bit; anything else goes to the standard library's
/// correctly rounded parser. `None` for anything that is not a decimal number (including
/// `nan` and `inf`, which the fast path does not accept and the fallback rejects below).
pub(crate) fn parse_f64(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let mut i = 0;
    let neg = match b.first() {
        Some(b'-') => {
            i = 1;
            true
        }
        Some(b'+') => {
            i = 1;
            false
        }
        _ => false,
    };
    let mut mantissa: u64 = 0;
    let mut digits = 0u32;
    let mut int_digits = 0u32;
    let mut frac_digits: i32 = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        mantissa = mantissa
            .wrapping_mul(10)
            .wrapping_add(u64::from(b[i] - b'0'));
        if mantissa != 0 {
            digits += 1;
        }
        int_digits += 1;
        i += 1;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            mantissa = mantissa
                .wrapping_mul(10)
                .wrapping_add(u64::from(b[i] - b'0'));
            if mantissa != 0 {
                digits += 1;
            }
            frac_digits += 1;
            i += 1;
        }
    }
    if int_digits == 0 && frac_digits == 0 {
        return None;
    }
    let mut exp: i32 = 0;
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        let eneg = match b.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            if exp < 10_000 {
                exp = exp * 10 + i32::from(b[i] - b'0');
            }
            i += 1;
        }
        if i == start {
            return None;
        }
        if eneg {
            exp = -exp;
        }
    }
    if i != b.len() {
        return None;
    }
    let total_exp = exp - frac_digits;
    if digits <= 15 && (-22..=22).contains(&total_exp) {
        // Both the mantissa (< 2^53) and 10^|e| (<= 10^22) are exact in f64, so one
        // multiplication or division rounds correctly.
        let m = mantissa as f64;
        let v = if total_exp >= 0 {
            m * POW10[total_exp as usize]
        } else {
            m / POW10[(-total_exp) as usize]
        };
        return Some(if neg { -v } else { v });
    }
    // Validated as a plain decimal above, so the standard parser cannot see `nan`/`inf`.
    s.parse::<f64>().ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn a_sample_too_large_for_f32_is_refused_naming_where() {
        let file = TextFile {
            path: PathBuf::from("trial.csv"),
            text: String::new(),
        };
        assert_eq!(file.f32_at(3, "AccX", "2.5").unwrap(), 2.5);
        let e = file.f32_at(7, "AccX", "1e300").unwrap_err().to_string();
        assert!(
            e.contains("trial.csv") && e.contains('7') && e.contains("AccX"),
            "{e}"
        );
        assert!(e.contains("1e300"), "{e}");
    }

    #[test]
    fn parses_like_std() {
        for s in [
            "4.688373e-02",
            "-8.125000e-02",
            "-0.000000e+00",
            "0",
            "12",
            "494.0",
            ".5",
            "5.",
            "+3.25",
            "0.8808107066241624",
            "-2.398646095075656",
            "1e300",
            "123456789012345678901234",
            "1.7976931348623157e308",
            "2.5E-3",
        ] {
            let ours = parse_f64(s).unwrap();
            let std: f64 = s.parse().unwrap();
            assert_eq!(ours.to_bits(), std.to_bits(), "{s}");
        }
        for s in [
            "", "-", ".", "e5", "1e", "1e+", "abc", "nan", "NaN", "inf", "-inf", "1.2.3", "1,5",
            " 1", "1 ", "0x10",
        ] {
            assert_eq!(parse_f64(s), None, "{s:?}");
        }
    }

    #[test]
    fn lines_are_numbered_and_stripped() {
        let f = TextFile {
            path: PathBuf::from("x.csv"),
            text: "a\r\nb\n\nc\n".to_owned(),
        };
        let lines: Vec<_> = f.lines().collect();
        assert_eq!(lines, vec![(1, "a"), (2, "b"), (3, ""), (4, "c")]);
        let empty = TextFile {
            path: PathBuf::from("x.csv"),
            text: String::new(),
        };
        assert_eq!(empty.lines().count(), 0);
    }
}
