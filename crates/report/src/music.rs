//! The music a session was cued by, as the session PDF and the FHIR bundle say it: one line per
//! stored segment (`entrain_store::MusicSegmentRow`). The report is in English only, as the rest
//! of this crate.

use std::path::Path;

use entrain_store::MusicSegmentRow;

const NANOS_PER_MIN: f64 = 60e9;

/// The segments the session PDF lists on page 1; more are counted on a line of their own (all
/// are in the CSV/JSON export and the FHIR bundle).
pub(crate) const PDF_ROWS: usize = 4;

/// The table's header (one place for the PDF and its tests).
pub(crate) const HEADER: [&str; 6] = [
    "Track",
    "Own tempo (bpm)",
    "Played (steps/min)",
    "Stretch % (played / own)",
    "Overlay",
    "min",
];

/// What a segment's track is called outside the record: the built-in's name, or only the file's
/// name (a folder may name the patient or the clinician, as in the de-identified export).
pub(crate) fn track_name(m: &MusicSegmentRow) -> String {
    Path::new(&m.track)
        .file_name()
        .map_or_else(|| m.track.clone(), |n| n.to_string_lossy().into_owned())
}

/// `98.0–104.0`, or `104.0` when both ends print the same.
pub(crate) fn range(lo: f64, hi: f64, decimals: usize) -> String {
    let (a, b) = (format!("{lo:.decimals$}"), format!("{hi:.decimals$}"));
    if a == b { a } else { format!("{a}–{b}") }
}

/// `music`, `music+click 30 %` (the click's level) or `click`.
pub(crate) fn overlay_text(m: &MusicSegmentRow) -> String {
    if m.overlay == "music+click" {
        format!("music+click {:.0} %", m.click_level * 100.0)
    } else {
        m.overlay.clone()
    }
}

/// Start–end, minutes of session time.
pub(crate) fn span_min(m: &MusicSegmentRow) -> String {
    format!(
        "{:.1}–{:.1}",
        m.start_nanos as f64 / NANOS_PER_MIN,
        m.end_nanos as f64 / NANOS_PER_MIN
    )
}

/// The track as the table and the chart name it: its title, and the built-in's or file's name
/// when it differs.
pub(crate) fn track_label(m: &MusicSegmentRow) -> String {
    let name = track_name(m);
    if name == m.title {
        name
    } else {
        format!("{} ({name})", m.title)
    }
}

/// One row of the table under the tempo curve, in [`HEADER`]'s order.
pub(crate) fn row(m: &MusicSegmentRow) -> Vec<String> {
    vec![
        track_label(m),
        format!("{:.1}", m.track_tempo_bpm),
        range(m.played_min_bpm, m.played_max_bpm, 1),
        range(m.stretch_min * 100.0, m.stretch_max * 100.0, 1),
        overlay_text(m),
        span_min(m),
    ]
}

/// The segment in one sentence (the FHIR `Observation.note`).
pub(crate) fn sentence(m: &MusicSegmentRow) -> String {
    format!(
        "Music {} from {} min: its own tempo {:.1} bpm, played at {} steps/min (stretch {} % of its own tempo), overlay {}.",
        track_label(m),
        span_min(m),
        m.track_tempo_bpm,
        range(m.played_min_bpm, m.played_max_bpm, 1),
        range(m.stretch_min * 100.0, m.stretch_max * 100.0, 1),
        overlay_text(m)
    )
}

/// The line under the table when not every segment is listed.
pub(crate) fn more_line(segments: usize) -> Option<String> {
    (segments > PDF_ROWS).then(|| {
        let more = segments - PDF_ROWS;
        let noun = if more == 1 { "segment" } else { "segments" };
        format!("{more} more music {noun}: every segment is in the export (CSV/JSON, FHIR).")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(track: &str, overlay: &str) -> MusicSegmentRow {
        MusicSegmentRow {
            start_nanos: 30_000_000_000,
            end_nanos: 270_000_000_000,
            track: track.into(),
            title: "Ann's walk".into(),
            track_tempo_bpm: 100.0,
            played_min_bpm: 98.0,
            played_max_bpm: 106.5,
            stretch_min: 0.98,
            stretch_max: 1.065,
            overlay: overlay.into(),
            click_level: 0.3,
        }
    }

    #[test]
    fn a_row_names_the_file_not_its_folder_and_prints_every_range() {
        let m = segment("/home/ann.smith/Music/Ann's walk.flac", "music+click");
        assert_eq!(
            row(&m),
            [
                "Ann's walk (Ann's walk.flac)",
                "100.0",
                "98.0–106.5",
                "98.0–106.5",
                "music+click 30 %",
                "0.5–4.5"
            ]
        );
        assert!(!sentence(&m).contains("ann.smith"), "{}", sentence(&m));
        let built_in = MusicSegmentRow {
            title: "march-4-4".into(),
            played_max_bpm: 98.0,
            stretch_max: 0.98,
            ..segment("march-4-4", "music")
        };
        let r = row(&built_in);
        assert_eq!((r[0].as_str(), r[2].as_str()), ("march-4-4", "98.0"));
        assert_eq!(r[4], "music");
    }

    #[test]
    fn only_rows_beyond_the_page_are_counted() {
        assert_eq!(more_line(PDF_ROWS), None);
        assert_eq!(
            more_line(PDF_ROWS + 1).as_deref(),
            Some("1 more music segment: every segment is in the export (CSV/JSON, FHIR).")
        );
        assert!(
            more_line(PDF_ROWS + 3)
                .unwrap()
                .starts_with("3 more music segments")
        );
    }
}
