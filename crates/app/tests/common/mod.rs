//! What the tests of the real `entrain` binary share.
#![allow(dead_code)]

/// A line `entrain session` prints per step, `step   12.345 s left (...)` → (nanos, side).
pub fn parse_step(line: &str) -> Option<(i64, String)> {
    let rest = line.strip_prefix("step ")?;
    let mut parts = rest.split_whitespace();
    let secs: f64 = parts.next()?.parse().ok()?;
    let _unit = parts.next()?;
    let side = parts.next()?.to_string();
    Some(((secs * 1e9).round() as i64, side))
}
