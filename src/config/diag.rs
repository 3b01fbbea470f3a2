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
    /// The source line it points at, when the file's text is at hand.
    pub excerpt: Option<Excerpt>,
}

/// The line of source a diagnostic points at and the byte range to underline in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excerpt {
    pub text: String,
    pub underline: Range<usize>,
}

impl Diagnostic {
    /// A diagnostic at a place, without a source excerpt.
    #[must_use]
    pub fn new(file: &str, line: usize, col: usize, message: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            line,
            col,
            message: message.into(),
            excerpt: None,
        }
    }

    /// The location line, then the source line with a caret under the bad part
    /// (control characters shown escaped).
    #[must_use]
    pub fn render(&self) -> String {
        let head = crate::sanitize::sanitize(&self.to_string()).into_owned();
        let Some(excerpt) = &self.excerpt else {
            return head;
        };
        let (line, underline) = excerpt.sanitized();
        let report = [
            annotate_snippets::Group::with_level(annotate_snippets::Level::ERROR).element(
                annotate_snippets::Snippet::source(line.as_str())
                    .line_start(self.line)
                    .annotation(annotate_snippets::AnnotationKind::Primary.span(underline)),
            ),
        ];
        let snippet = annotate_snippets::Renderer::plain().render(&report);
        format!("{head}\n{snippet}")
    }
}

impl Excerpt {
    /// The line and underline range after sanitising, so that the caret stays under the same text.
    fn sanitized(&self) -> (String, Range<usize>) {
        let clean = |s: &str| crate::sanitize::one_line(s);
        let start = self.underline.start.min(self.text.len());
        let end = self.underline.end.clamp(start, self.text.len());
        let (before, bad) = (clean(&self.text[..start]), clean(&self.text[start..end]));
        let line = format!("{before}{bad}{}", clean(&self.text[end..]));
        let underline = before.len()..before.len() + bad.len().max(1);
        (line, underline)
    }
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
            write!(f, "{}", d.render())?;
        }
        Ok(())
    }
}

/// A source file being checked, which turns byte spans into diagnostics.
pub struct Source<'a> {
    pub name: &'a str,
    pub text: &'a str,
    /// Where each line starts, found once at the first diagnostic: a line number is then a
    /// binary search, however many diagnostics a big file has.
    lines: std::cell::OnceCell<Vec<usize>>,
}

impl<'a> Source<'a> {
    /// The file `name` holding `text`.
    #[must_use]
    pub fn new(name: &'a str, text: &'a str) -> Self {
        Self {
            name,
            text,
            lines: std::cell::OnceCell::new(),
        }
    }

    /// The line (from 1) holding byte `at`, and where that line starts.
    fn line_of(&self, at: usize) -> (usize, usize) {
        let starts = self.lines.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        let line = starts.partition_point(|&start| start <= at);
        (line, starts[line - 1])
    }
}

impl Source<'_> {
    /// The folder of the config file, which relative paths in it start from (none for text that
    /// names no folder).
    #[must_use]
    pub fn dir(&self) -> Option<std::path::PathBuf> {
        std::path::Path::new(self.name)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(std::path::Path::to_path_buf)
    }

    /// `path` as the config means it: relative to the config file's folder.
    #[must_use]
    pub fn resolve(&self, path: &std::path::Path) -> std::path::PathBuf {
        match self.dir() {
            Some(dir) => dir.join(path),
            None => path.to_path_buf(),
        }
    }

    /// A diagnostic at the start of `span`, with the line it starts on and `span` underlined
    /// (up to that line's end).
    #[must_use]
    pub fn at(&self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        let start = floor_char_boundary(self.text, span.start);
        let (line, line_start) = self.line_of(start);
        let col = self.text[line_start..start].chars().count() + 1;
        let line_end = self.text[start..]
            .find('\n')
            .map_or(self.text.len(), |i| start + i);
        let end = floor_char_boundary(self.text, span.end.clamp(start, line_end));
        let text = self.text[line_start..line_end].trim_end_matches('\r');
        Diagnostic {
            excerpt: Some(Excerpt {
                text: text.to_owned(),
                underline: start - line_start..(end - line_start).min(text.len()),
            }),
            ..Diagnostic::new(self.name, line, col, message)
        }
    }

    /// Turns a TOML parse or type error into a diagnostic, with a suggestion where one is close.
    #[must_use]
    pub fn from_toml(&self, error: &toml::de::Error) -> Diagnostic {
        let message = with_suggestion(error.message().trim());
        self.at(error.span().unwrap_or(0..0), message)
    }
}

/// The largest char boundary of `text` at or before `at`.
fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Adds "did you mean `x`?" to serde's "unknown field/variant `y`, expected one of …" messages.
#[must_use]
pub fn with_suggestion(message: &str) -> String {
    match suggestion(message) {
        Some(best) => format!("{message}; did you mean `{best}`?"),
        None => message.to_owned(),
    }
}

/// The expected name closest to the unknown one in serde's "unknown field/variant" message.
#[must_use]
pub fn suggestion(message: &str) -> Option<&str> {
    if !message.starts_with("unknown") {
        return None;
    }
    let quoted: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    let (bad, candidates) = quoted.split_first()?;
    closest(bad, candidates.iter().copied())
}

/// `unknown heading attribute `x`; did you mean `y`? (one of: a, b)`.
#[must_use]
pub fn unknown<S: AsRef<str>>(what: &str, bad: &str, names: &[S]) -> String {
    let names: Vec<&str> = names.iter().map(AsRef::as_ref).collect();
    let hint = hint(bad, names.iter().copied());
    format!(
        "unknown {what} `{bad}`{hint} (one of: {})",
        names.join(", ")
    )
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
        let src = Source::new("w.toml", "a = 1\nbb = 2\n");
        let d = src.at(8..9, "bad");
        assert_eq!(d.to_string(), "w.toml:2:3: bad");
    }
}
