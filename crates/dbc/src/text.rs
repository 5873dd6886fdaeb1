//! Text that came from someone else (a DBC client, a node, a name typed or
//! pasted) made safe to keep, log and show: bounded in size, one line, no
//! control characters, no bidirectional overrides that could make a value
//! read as something else on screen.

/// The bidirectional formatting characters (embeddings, overrides, isolates,
/// LRM/RLM, ALM): invisible, and able to reorder what is shown around them.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Drop the bidirectional formatting characters from `s`.
pub fn strip_bidi(s: &str) -> String {
    s.chars().filter(|c| !is_bidi_control(*c)).collect()
}

/// Marks a value that was cut at the cap.
pub const CUT: char = '…';

/// `raw` as one clean line of at most `max_bytes` bytes: whitespace of any
/// kind (newlines, tabs) becomes a space, other control characters and
/// bidirectional controls are dropped, and a longer value is cut at a
/// character boundary and ends in [`CUT`]. The one sanitizer for remote
/// strings (see `compute::types::remote_text`).
pub fn sanitize(raw: &str, max_bytes: usize) -> String {
    let mut out = String::with_capacity(raw.len().min(max_bytes));
    let room = max_bytes.saturating_sub(CUT.len_utf8());
    let mut cut_at: Option<usize> = None;
    for c in raw.chars() {
        let c = if c.is_whitespace() { ' ' } else { c };
        if c.is_control() || is_bidi_control(c) {
            continue;
        }
        if cut_at.is_none() && out.len() + c.len_utf8() > room {
            cut_at = Some(out.len());
        }
        if out.len() + c.len_utf8() > max_bytes {
            // Over the cap: keep what fits before the marker, then stop.
            out.truncate(cut_at.unwrap_or(out.len()));
            if max_bytes >= CUT.len_utf8() {
                out.push(CUT);
            }
            return out;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_without_controls_or_bidi() {
        assert_eq!(sanitize("a\nb\tc\r\0d\u{7}e", 100), "a b c de");
        assert_eq!(sanitize("evil\u{202E}txt.exe", 100), "eviltxt.exe");
        assert_eq!(sanitize("\u{2066}x\u{2069}\u{200E}\u{200F}", 100), "x");
        assert_eq!(sanitize("ordinary text, 中文 ok", 100), "ordinary text, 中文 ok");
        assert_eq!(strip_bidi("Acc\u{202E}ount"), "Account");
    }

    #[test]
    fn cut_at_the_cap_on_a_char_boundary() {
        assert_eq!(sanitize("abcdef", 6), "abcdef", "exactly the cap is kept whole");
        let cut = sanitize("abcdefg", 6);
        assert_eq!(cut, "abc…");
        assert!(cut.len() <= 6);
        let cjk = sanitize(&"中".repeat(10), 10);
        assert!(cjk.len() <= 10 && cjk.ends_with(CUT), "{cjk}");
        assert_eq!(sanitize("abc", 0), "");
        let huge = "x".repeat(5 << 20);
        assert_eq!(sanitize(&huge, 4096).len(), 4096);
    }
}
