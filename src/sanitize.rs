//! The one sanitiser every untrusted string passes through before it reaches a terminal or an export.

use std::borrow::Cow;
use std::fmt::Write as _;

const TAB_WIDTH: usize = 4;

/// True for characters that must never reach a terminal as themselves.
#[must_use]
pub fn is_hazard(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{ad}' | '\u{61c}' | '\u{180e}'
        | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}'
        | '\u{2060}'..='\u{206f}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}')
}

/// Makes untrusted text safe to print: control characters, escape sequences and bidi or
/// zero-width format characters are shown as visible `\x1b` / `\u{202e}` escapes, tabs become
/// spaces, newlines stay. The result is stable: sanitising it again changes nothing.
#[must_use]
pub fn sanitize(text: &str) -> Cow<'_, str> {
    let printable_ascii = |b: &u8| (b' '..=b'~').contains(b) || *b == b'\n';
    if text.as_bytes().iter().all(printable_ascii)
        || !text.chars().any(|c| c == '\t' || is_hazard(c))
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut column = 0;
    for c in text.chars() {
        match c {
            '\n' => {
                out.push('\n');
                column = 0;
                continue;
            }
            '\t' => {
                let pad = TAB_WIDTH - column % TAB_WIDTH;
                out.extend(std::iter::repeat_n(' ', pad));
                column += pad;
                continue;
            }
            c if is_hazard(c) && (c as u32) < 0x100 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if is_hazard(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
        column += 1;
    }
    Cow::Owned(out)
}

/// Sanitises raw bytes that may not be UTF-8 (process output, HTTP bodies).
#[must_use]
pub fn sanitize_bytes(bytes: &[u8]) -> String {
    sanitize(&String::from_utf8_lossy(bytes)).into_owned()
}

/// Sanitises text for display as an owned string (newlines kept).
#[must_use]
pub fn sanitize_text(text: &str) -> String {
    sanitize(text).into_owned()
}

/// Sanitises text for a single screen line: newlines are shown as `⏎`.
#[must_use]
pub fn one_line(text: &str) -> String {
    sanitize(text).replace('\n', " ⏎ ")
}

/// The display width of `one_line(text)`, without building it when nothing needs escaping.
#[must_use]
pub fn one_line_width(text: &str) -> usize {
    use unicode_width::UnicodeWidthStr;
    match sanitize(text) {
        Cow::Borrowed(plain) if !plain.contains('\n') => plain.width(),
        _ => one_line(text).width(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn payloads_are_escaped_visibly() {
        let cases: &[(&str, &str)] = &[
            ("plain text", "plain text"),
            ("\u{1b}[31mred\u{1b}[0m", "\\x1b[31mred\\x1b[0m"),
            ("\u{1b}]52;c;aGVsbG8=\u{7}", "\\x1b]52;c;aGVsbG8=\\x07"),
            (
                "\u{1b}]8;;http://x\u{1b}\\link\u{1b}]8;;\u{1b}\\",
                "\\x1b]8;;http://x\\x1b\\link\\x1b]8;;\\x1b\\",
            ),
            ("\u{1b}]0;title\u{7}", "\\x1b]0;title\\x07"),
            ("\u{1b}P1$r\u{1b}\\", "\\x1bP1$r\\x1b\\"),
            ("\u{1b}c", "\\x1bc"),
            ("\u{9b}31m", "\\x9b31m"),
            ("a\u{85}b", "a\\x85b"),
            ("over\rwrite", "over\\x0dwrite"),
            ("back\u{8}space", "back\\x08space"),
            ("nul\u{0}byte", "nul\\x00byte"),
            ("del\u{7f}", "del\\x7f"),
            ("\u{202e}evil", "\\u{202e}evil"),
            ("\u{2066}isolate", "\\u{2066}isolate"),
            ("zero\u{200b}width", "zero\\u{200b}width"),
            ("a\tb", "a   b"),
            ("line\nnext", "line\nnext"),
            ("火事 🔥", "火事 🔥"),
        ];
        for (input, expected) in cases {
            assert_eq!(sanitize(input), *expected, "input {input:?}");
        }
    }

    #[test]
    fn raw_c1_byte_and_invalid_utf8_become_visible() {
        assert_eq!(sanitize_bytes(b"ok\x9b31m\xff"), "ok\u{fffd}31m\u{fffd}");
        assert_eq!(sanitize_bytes(b"\x1b[2J"), "\\x1b[2J");
    }

    #[test]
    fn one_line_marks_newlines() {
        assert_eq!(one_line("a\nb"), "a ⏎ b");
    }

    proptest! {
        #[test]
        fn output_has_no_control_characters(input in any::<String>()) {
            let out = sanitize(&input);
            prop_assert!(out.chars().all(|c| c == '\n' || !is_hazard(c) && c != '\t'));
        }

        #[test]
        fn one_line_width_is_the_width_of_one_line(input in any::<String>()) {
            use unicode_width::UnicodeWidthStr;
            prop_assert_eq!(one_line_width(&input), one_line(&input).width());
        }

        #[test]
        fn sanitising_is_idempotent(input in any::<String>()) {
            let once = sanitize(&input).into_owned();
            prop_assert_eq!(sanitize(&once), once.clone());
        }

        #[test]
        fn bytes_never_leak_escapes(input in proptest::collection::vec(any::<u8>(), 0..64)) {
            let out = sanitize_bytes(&input);
            let clean = !out.contains('\u{1b}') && !out.contains('\u{9b}');
            prop_assert!(clean, "escape leaked: {:?}", out);
        }
    }
}
