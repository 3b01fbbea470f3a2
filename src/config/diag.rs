//! Diagnostics that point at `file:line:col` and quote the bad value.

use std::fmt;
use std::ops::Range;

/// One problem found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: String,
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.col, self.message
        )
    }
}

/// Every problem found in one or more files; the process exits 2 on it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Invalid(pub Vec<Diagnostic>);

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}", crate::sanitize::sanitize(&d.to_string()))?;
        }
        Ok(())
    }
}

/// A source file being checked, which turns byte spans into diagnostics.
pub struct Source<'a> {
    pub name: &'a str,
    pub text: &'a str,
}

impl Source<'_> {
    /// A diagnostic at the start of `span`.
    #[must_use]
    pub fn at(&self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        let before = &self.text[..span.start.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Diagnostic {
            file: self.name.to_owned(),
            line,
            col,
            message: message.into(),
        }
    }

    /// Turns a TOML parse or type error into a diagnostic, with a suggestion where one is close.
    #[must_use]
    pub fn from_toml(&self, error: &toml::de::Error) -> Diagnostic {
        let message = with_suggestion(error.message().trim());
        self.at(error.span().unwrap_or(0..0), message)
    }
}

/// Adds "did you mean `x`?" to serde's "unknown field/variant `y`, expected one of …" messages.
#[must_use]
pub fn with_suggestion(message: &str) -> String {
    let quoted: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    let Some((bad, candidates)) = quoted.split_first() else {
        return message.to_owned();
    };
    if !message.starts_with("unknown") {
        return message.to_owned();
    }
    format!("{message}{}", hint(bad, candidates.iter().copied()))
}

/// `"; did you mean `x`?"` when a candidate is close to `word`, else nothing.
pub fn hint<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> String {
    closest(word, candidates)
        .map(|best| format!("; did you mean `{best}`?"))
        .unwrap_or_default()
}

/// The candidate closest to `word`, if any is close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names() {
        let msg =
            "unknown variant `critcal`, expected one of `critical`, `high`, `standard`, `low`";
        assert!(with_suggestion(msg).ends_with("did you mean `critical`?"));
        let far = "unknown field `zzz`, expected `name`";
        assert_eq!(with_suggestion(far), far);
    }

    #[test]
    fn spans_become_lines_and_columns() {
        let src = Source {
            name: "w.toml",
            text: "a = 1\nbb = 2\n",
        };
        let d = src.at(8..9, "bad");
        assert_eq!(d.to_string(), "w.toml:2:3: bad");
    }
}
