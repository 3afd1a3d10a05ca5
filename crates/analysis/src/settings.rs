//! The protocol settings of a session, read back from the stored settings JSON.
//!
//! The engine stores its settings as a JSON object; the protocol itself is a nested JSON object
//! (serde's form of `entrain_cue::ProtocolConfig`) or, in sessions recorded before 2026-11-24,
//! the Rust `Debug` text of it
//! (`ProtocolConfig { baseline: Secs(30.0), progression: ProgressionConfig { .. }, .. }`).
//! Both are flattened into `key.subkey = value` pairs, so the report can pick the settings a
//! clinician cares about and show whatever else is there without guessing at a schema.

use std::collections::BTreeMap;

use serde_json::Value;

/// Flattened settings: `protocol.progression.step_percent` → `5.0`.
pub type Settings = BTreeMap<String, String>;

/// Flattens the stored settings JSON. Text that is not JSON is kept whole under `settings`.
pub fn parse_settings(settings_json: &str) -> Settings {
    let mut out = Settings::new();
    match serde_json::from_str::<Value>(settings_json) {
        Ok(value) => flatten_json("", &value, &mut out),
        Err(_) => {
            if !settings_json.trim().is_empty() {
                out.insert("settings".into(), settings_json.trim().to_string());
            }
        }
    }
    out
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

fn flatten_json(prefix: &str, value: &Value, out: &mut Settings) {
    match value {
        Value::Object(map) if is_enum_variant(map) => {
            out.insert(prefix.to_string(), pretty_json_variant(map));
        }
        Value::Object(map) => {
            for (k, v) in map {
                flatten_json(&join(prefix, k), v, out);
            }
        }
        Value::Number(n) => {
            let text = n.as_f64().map_or_else(|| n.to_string(), pretty_number);
            out.insert(prefix.to_string(), text);
        }
        Value::String(s) => {
            if !flatten_debug(prefix, s, out) {
                out.insert(prefix.to_string(), s.clone());
            }
        }
        Value::Null => {
            out.insert(prefix.to_string(), "none".into());
        }
        other => {
            out.insert(prefix.to_string(), other.to_string());
        }
    }
}

/// serde's form of an enum variant with data: one key, the variant's name (`{"Secs": 30.0}`,
/// `{"PhaseCorrection": {"alpha": 0.3}}`), where a settings struct has snake_case field names.
fn is_enum_variant(map: &serde_json::Map<String, Value>) -> bool {
    map.len() == 1
        && map
            .keys()
            .all(|k| k.starts_with(|c: char| c.is_ascii_uppercase()))
}

/// `{"Secs": 30.0}` → `30 s`, `{"PhaseCorrection": {"alpha": 0.3}}` →
/// `PhaseCorrection (alpha 0.3)`: the same text as from the `Debug` form.
fn pretty_json_variant(map: &serde_json::Map<String, Value>) -> String {
    let Some((name, data)) = map.iter().next() else {
        return String::new();
    };
    let scalar = |v: &Value| match v {
        Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), pretty_number),
        Value::Null => "none".into(),
        Value::String(s) => s.clone(),
        Value::Object(inner) if is_enum_variant(inner) => pretty_json_variant(inner),
        other => other.to_string(),
    };
    match (name.as_str(), data) {
        ("Secs", v) => format!("{} s", scalar(v)),
        ("Steps", v) => format!("{} steps", scalar(v)),
        (_, Value::Object(fields)) => {
            let fields: Vec<String> = fields
                .iter()
                .map(|(k, v)| format!("{k} {}", scalar(v)))
                .collect();
            format!("{name} ({})", fields.join(", "))
        }
        (_, v) => format!("{name} {}", scalar(v)),
    }
}

/// A whole number without decimals, anything else as Rust prints it.
fn pretty_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e9 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}

/// Splits `s` at top-level occurrences of `sep` (outside brackets and quotes).
fn split_top(s: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut in_quotes = false;
    let mut start = 0;
    let mut prev = '\0';
    for (i, c) in s.char_indices() {
        match c {
            '"' if prev != '\\' => in_quotes = !in_quotes,
            '{' | '(' | '[' if !in_quotes => depth += 1,
            '}' | ')' | ']' if !in_quotes => depth -= 1,
            c if c == sep && depth == 0 && !in_quotes => {
                parts.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
        prev = c;
    }
    parts.push(&s[start..]);
    parts
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

/// `Name { a: 1, b: 2 }` → `("Name", "a: 1, b: 2")`.
fn struct_body(s: &str) -> Option<(&str, &str)> {
    let s = s.trim();
    let open = s.find('{')?;
    let name = s[..open].trim();
    if name.is_empty()
        || !name.chars().all(|c| c.is_alphanumeric() || c == '_')
        || !s.ends_with('}')
    {
        return None;
    }
    Some((name, s[open + 1..s.len() - 1].trim()))
}

/// Flattens the `Debug` text of a configuration struct; `false` if `s` is not one.
fn flatten_debug(prefix: &str, s: &str, out: &mut Settings) -> bool {
    let Some((_, body)) = struct_body(s) else {
        return false;
    };
    for field in split_top(body, ',') {
        let Some((key, value)) = field.split_once(':') else {
            continue;
        };
        let key = join(prefix, key.trim());
        let value = value.trim();
        match struct_body(value) {
            // Nested configuration structs become their own keys; enum variants stay one value.
            Some((name, _)) if name.ends_with("Config") || name.ends_with("Schedule") => {
                flatten_debug(&key, value, out);
            }
            _ => {
                out.insert(key, pretty_debug_value(value));
            }
        }
    }
    true
}

/// `Secs(30.0)` → `30 s`, `Some(1.5)` → `1.5`, `None` → `none`,
/// `PhaseCorrection { alpha: 0.3 }` → `PhaseCorrection (alpha 0.3)`.
fn pretty_debug_value(v: &str) -> String {
    let v = v.trim();
    if v == "None" {
        return "none".into();
    }
    if let Some((name, body)) = struct_body(v) {
        let fields: Vec<String> = split_top(body, ',')
            .into_iter()
            .map(|f| match f.split_once(':') {
                Some((k, val)) => format!("{} {}", k.trim(), pretty_debug_value(val)),
                None => f.to_string(),
            })
            .collect();
        return format!("{name} ({})", fields.join(", "));
    }
    if let Some(open) = v.find('(')
        && v.ends_with(')')
    {
        let name = &v[..open];
        let inner = pretty_debug_value(&v[open + 1..v.len() - 1]);
        return match name {
            "Some" => inner,
            "Secs" => format!("{inner} s"),
            "Steps" => format!("{inner} steps"),
            _ => format!("{name} {inner}"),
        };
    }
    match v.parse::<f64>() {
        Ok(x) => pretty_number(x),
        Err(_) => v.trim_matches('"').to_string(),
    }
}

/// Looks a setting up under `protocol.<key>` or `<key>`.
pub fn get<'a>(settings: &'a Settings, key: &str) -> Option<&'a str> {
    settings
        .get(&format!("protocol.{key}"))
        .or_else(|| settings.get(key))
        .map(String::as_str)
}

/// The settings a clinician reads first, with their labels, in order (only those present).
pub fn key_settings(settings: &Settings) -> Vec<(&'static str, String)> {
    const KEYS: [(&str, &str); 14] = [
        ("baseline", "Baseline (no cue)"),
        ("matched_tempo_spm", "Matched tempo (steps/min)"),
        ("matched_offset_spm", "Matched offset (steps/min)"),
        ("adaptation", "Tempo adaptation"),
        ("progression.step_percent", "Tempo step (%)"),
        ("progression.max_increase_percent", "Max. increase (%)"),
        ("gate.min_resultant_length", "Entrainment gate: R at least"),
        (
            "safety.ceiling_above_baseline_percent",
            "Ceiling above baseline (%)",
        ),
        ("safety.ceiling_spm", "Ceiling (steps/min)"),
        (
            "safety.max_change_per_beat_spm",
            "Max. change per beat (steps/min)",
        ),
        (
            "safety.no_step_timeout_secs",
            "Auto-pause after no steps (s)",
        ),
        ("functional_secs", "Functional walking (s)"),
        ("fading_secs", "Fading (s)"),
        ("retest", "Re-test (no cue)"),
    ];
    KEYS.iter()
        .filter_map(|(key, label)| {
            let v = get(settings, key)?;
            let v = match (*key, v) {
                ("matched_tempo_spm", "none") => "baseline cadence".to_string(),
                ("safety.ceiling_spm", "none") => return None,
                _ => v.to_string(),
            };
            Some((*label, v))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flattens_the_debug_text_of_the_protocol() {
        let json = r#"{"protocol":"ProtocolConfig { baseline: Secs(30.0), matched_tempo_spm: None, progression: ProgressionConfig { step_percent: 5.0, max_increase_percent: 10.0 }, adaptation: PhaseCorrection { alpha: 0.3 }, paretic_side: Some(Left) }","sensor_gap_nanos":500000000,"audio":false}"#;
        let s = parse_settings(json);
        assert_eq!(get(&s, "baseline"), Some("30 s"));
        assert_eq!(get(&s, "progression.step_percent"), Some("5"));
        assert_eq!(get(&s, "adaptation"), Some("PhaseCorrection (alpha 0.3)"));
        assert_eq!(get(&s, "paretic_side"), Some("Left"));
        assert_eq!(get(&s, "sensor_gap_nanos"), Some("500000000"));
        assert_eq!(get(&s, "audio"), Some("false"));
        let key = key_settings(&s);
        assert_eq!(key[0], ("Baseline (no cue)", "30 s".to_string()));
        assert!(key.contains(&("Matched tempo (steps/min)", "baseline cadence".to_string())));
    }

    #[test]
    fn the_json_and_the_debug_form_of_a_protocol_read_the_same() {
        use entrain_cue::config::UncuedLength;
        use entrain_cue::{AdaptationMode, FadeSchedule, ProtocolConfig};
        let mut protocol = ProtocolConfig {
            baseline: UncuedLength::Steps(40),
            matched_tempo_spm: Some(96.5),
            adaptation: AdaptationMode::PhasePeriodCorrection {
                alpha: 0.25,
                beta: 0.1,
                max_period_deviation_percent: 5.0,
            },
            fade: FadeSchedule::Volume { from: 1.0, to: 0.2 },
            paretic_side: Some(entrain_gait::Side::Left),
            ..ProtocolConfig::default()
        };
        protocol.safety.ceiling_spm = Some(125.0);
        let from_json = parse_settings(
            &serde_json::json!({ "protocol": serde_json::to_value(&protocol).unwrap() })
                .to_string(),
        );
        let from_debug =
            parse_settings(&serde_json::json!({ "protocol": format!("{protocol:?}") }).to_string());
        assert_eq!(from_json, from_debug);
        assert_eq!(get(&from_json, "baseline"), Some("40 steps"));
        assert_eq!(
            get(&from_json, "adaptation"),
            Some("PhasePeriodCorrection (alpha 0.25, beta 0.1, max_period_deviation_percent 5)")
        );
        assert_eq!(get(&from_json, "safety.ceiling_spm"), Some("125"));
        assert_eq!(get(&from_json, "fade"), Some("Volume (from 1, to 0.2)"));
        assert_eq!(key_settings(&from_json), key_settings(&from_debug));
        // The record can be read back into the configuration itself.
        let back: ProtocolConfig =
            serde_json::from_value(serde_json::to_value(&protocol).unwrap()).unwrap();
        assert_eq!(back, protocol);
    }

    #[test]
    fn nested_json_and_junk() {
        let s = parse_settings(r#"{"protocol":{"fading_secs":60,"safety":{"ceiling_spm":null}}}"#);
        assert_eq!(get(&s, "fading_secs"), Some("60"));
        assert_eq!(get(&s, "safety.ceiling_spm"), Some("none"));
        let junk = parse_settings("not json {");
        assert_eq!(junk.get("settings").map(String::as_str), Some("not json {"));
        assert!(parse_settings("").is_empty());
    }
}
