//! Text for the PDF's built-in fonts: WinAnsi encoding and Helvetica's advance widths.
//!
//! The reports use the PDF base-14 fonts Helvetica and Helvetica-Bold, which every PDF reader
//! carries, so no font file is needed. They cover WinAnsi (Latin-1 plus a few typographic
//! characters); anything else is written as a close ASCII spelling (`≥` as `>=`) or `?`.

/// Helvetica advance widths, 1/1000 em, for the printable ASCII characters 0x20..=0x7E (Adobe's
/// core-font metrics).
const HELVETICA_ASCII: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278,
    278, // ' '..'/'
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, // '0'..'9'
    278, 278, 584, 584, 584, 556, 1015, // ':'..'@'
    667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, // 'A'..'M'
    722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, // 'N'..'Z'
    278, 278, 278, 469, 556, 333, // '['..'`'
    556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, // 'a'..'m'
    556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, // 'n'..'z'
    334, 260, 334, 584, // '{'..'~'
];

/// Helvetica-Bold advance widths for 0x20..=0x7E.
const HELVETICA_BOLD_ASCII: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278,
    278, // ' '..'/'
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, // '0'..'9'
    333, 333, 584, 584, 584, 611, 975, // ':'..'@'
    722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, // 'A'..'M'
    722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, // 'N'..'Z'
    333, 278, 333, 584, 556, 333, // '['..'`'
    556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, // 'a'..'m'
    611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, // 'n'..'z'
    389, 280, 389, 584, // '{'..'~'
];

/// The two faces the reports use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    /// Helvetica.
    Regular,
    /// Helvetica-Bold.
    Bold,
}

/// One character as WinAnsi bytes (several for an ASCII spelling of a character WinAnsi lacks).
fn push_win_ansi(c: char, out: &mut Vec<u8>) {
    let code = c as u32;
    let byte = match c {
        ' '..='~' => Some(code as u8),
        '\u{A0}'..='\u{FF}' => Some(code as u8),
        '€' => Some(0x80),
        '‚' => Some(0x82),
        '„' => Some(0x84),
        '…' => Some(0x85),
        '‰' => Some(0x89),
        '‘' => Some(0x91),
        '’' => Some(0x92),
        '“' => Some(0x93),
        '”' => Some(0x94),
        '•' => Some(0x95),
        '–' => Some(0x96),
        '—' => Some(0x97),
        '™' => Some(0x99),
        '\t' | '\n' | '\r' => Some(b' '),
        _ => None,
    };
    if let Some(b) = byte {
        out.push(b);
        return;
    }
    let spelled: &[u8] = match c {
        '≥' => b">=",
        '≤' => b"<=",
        '→' => b"->",
        '←' => b"<-",
        '−' => b"-",
        '≈' => b"~",
        'α' => b"alpha",
        'β' => b"beta",
        'Δ' => b"delta ",
        _ => b"?",
    };
    out.extend_from_slice(spelled);
}

/// `text` in WinAnsi encoding, as a PDF string of the base-14 fonts wants it.
pub fn win_ansi(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        push_win_ansi(c, &mut out);
    }
    out
}

/// Advance width of one WinAnsi byte, 1/1000 em.
fn byte_width(b: u8, face: Face) -> u16 {
    let table = match face {
        Face::Regular => &HELVETICA_ASCII,
        Face::Bold => &HELVETICA_BOLD_ASCII,
    };
    match b {
        0x20..=0x7E => table[usize::from(b - 0x20)],
        0x96 => 556,         // en dash
        0x97 | 0x89 => 1000, // em dash, per mille
        0xB0 => 400,         // degree
        0xB1 | 0xD7 => 584,  // plus-minus, multiplication
        0xB5 => 556,         // micro
        _ => 556,
    }
}

/// Width of `text` set in `face` at `size_pt`, points.
pub fn text_width_pt(text: &str, face: Face, size_pt: f32) -> f32 {
    let units: u32 = win_ansi(text)
        .iter()
        .map(|&b| u32::from(byte_width(b, face)))
        .sum();
    units as f32 * size_pt / 1000.0
}

/// Splits `text` into lines no wider than `max_width_pt` (words longer than a line are cut).
pub fn wrap(text: &str, face: Face, size_pt: f32, max_width_pt: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if text_width_pt(&candidate, face, size_pt) <= max_width_pt {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // A word wider than the line on its own: cut it.
            let mut piece = String::new();
            for c in word.chars() {
                piece.push(c);
                if text_width_pt(&piece, face, size_pt) > max_width_pt && piece.chars().count() > 1
                {
                    piece.pop();
                    lines.push(std::mem::take(&mut piece));
                    piece.push(c);
                }
            }
            line = piece;
        }
        lines.push(line);
    }
    lines
}

/// `text` shortened with an ellipsis to fit `max_width_pt`.
pub fn ellipsize(text: &str, face: Face, size_pt: f32, max_width_pt: f32) -> String {
    if text_width_pt(text, face, size_pt) <= max_width_pt {
        return text.to_string();
    }
    let mut out: String = text.to_string();
    while !out.is_empty() && text_width_pt(&format!("{out}…"), face, size_pt) > max_width_pt {
        out.pop();
    }
    format!("{}…", out.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_latin1_and_spells_the_rest() {
        assert_eq!(
            win_ansi("Cadence ≥ 0.8 m/s"),
            b"Cadence >= 0.8 m/s".to_vec()
        );
        assert_eq!(
            win_ansi("Müller ±2°"),
            vec![b'M', 0xFC, b'l', b'l', b'e', b'r', b' ', 0xB1, b'2', 0xB0]
        );
        assert_eq!(win_ansi("a–b"), vec![b'a', 0x96, b'b']);
        assert_eq!(win_ansi("步"), b"?".to_vec());
    }

    #[test]
    fn widths_follow_the_font_metrics() {
        // "Hello": H 722 + e 556 + l 222 + l 222 + o 556 = 2278 units.
        assert!((text_width_pt("Hello", Face::Regular, 10.0) - 22.78).abs() < 1e-4);
        assert!(
            text_width_pt("Hello", Face::Bold, 10.0) > text_width_pt("Hello", Face::Regular, 10.0)
        );
    }

    #[test]
    fn wraps_within_the_width() {
        let text = "the patient walked with the cue and kept the tempo during fading";
        let lines = wrap(text, Face::Regular, 9.0, 100.0);
        assert!(lines.len() > 2);
        for l in &lines {
            assert!(text_width_pt(l, Face::Regular, 9.0) <= 100.0, "{l}");
        }
        assert_eq!(lines.join(" "), text);
        let short = ellipsize(text, Face::Regular, 9.0, 60.0);
        assert!(short.ends_with('…') && text_width_pt(&short, Face::Regular, 9.0) <= 60.0);
    }
}
