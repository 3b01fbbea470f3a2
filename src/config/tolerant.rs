//! Reading a TOML file so that one run finds every mistake in it.
//!
//! Serde stops at the first field it cannot read. So the file is parsed once into a tree that
//! keeps every byte span (a syntax error stops here: nothing after it can be trusted), then read
//! again and again: each time a field fails, its error is kept and the entry is taken out of the
//! tree, until the rest reads. Spans point into the original text, so every message keeps its
//! `file:line:col`.
//!
//! A misspelt key close to a known one is renamed to it rather than taken out ("did you mean
//! `name`?"), so that the rest is read as if it were corrected and a required key misspelt does
//! not hide the file's other mistakes.
//!
//! Taking an unknown key out changes nothing else, and neither does taking out a bad value nested
//! inside a section. Taking out a whole section, or a table that lacks a required key, would make
//! the checks of meaning that follow report names as missing that are only unread; the file is
//! then not `whole`, and the caller skips those checks.

use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue, Deserializer};

use super::diag::{Diagnostic, Invalid, Source};

/// At most this many problems are collected from one file.
const MOST: usize = 100;

/// What was read of a file: the value with the unreadable parts left out.
pub struct Read<T> {
    pub value: T,
    /// Nothing but unknown keys and nested bad values was left out, so checks of meaning are sound.
    pub whole: bool,
}

/// Reads `src` as `T` and hands what was read to `check`, which adds the problems of meaning
/// (skipped when parts had to be left out); every problem is reported, in file order.
pub fn parse<'a, T: Deserialize<'a>, R>(
    src: &Source<'a>,
    check: impl FnOnce(T, &mut Vec<Diagnostic>) -> R,
) -> Result<R, Invalid> {
    let mut errors = Vec::new();
    let checked = match read::<T>(src, &mut errors) {
        Some(Read { value, whole: true }) => Some(check(value, &mut errors)),
        _ => None,
    };
    errors.sort_by_key(|d| (d.line, d.col));
    match checked {
        Some(checked) if errors.is_empty() => Ok(checked),
        _ => Err(Invalid(errors)),
    }
}

/// Reads `src` as `T`, adding every problem found to `errors` in file order; `None` when the
/// file cannot be read even with its bad parts left out (a syntax error, or a required top-level
/// key missing).
pub fn read<'a, T: Deserialize<'a>>(
    src: &Source<'a>,
    errors: &mut Vec<Diagnostic>,
) -> Option<Read<T>> {
    let mut found = Vec::new();
    let read = read_all(src, &mut found);
    found.sort_by_key(|d| (d.line, d.col));
    errors.append(&mut found);
    match read {
        Ok(read) => read,
        Err(TooMany) => {
            errors.push(src.at(
                0..0,
                format!("stopped after {MOST} problems; fix these and run validate again"),
            ));
            None
        }
    }
}

/// The file holds more than [`MOST`] problems.
struct TooMany;

fn read_all<'a, T: Deserialize<'a>>(
    src: &Source<'a>,
    errors: &mut Vec<Diagnostic>,
) -> Result<Option<Read<T>>, TooMany> {
    let tree = match DeTable::parse(src.text) {
        Ok(tree) => tree,
        Err(e) => {
            errors.push(src.from_toml(&e));
            return Ok(None);
        }
    };
    // The first reading takes the tree itself, so a valid file is read without a copy of it (the
    // tree of a config of 20,000 components is 40 MB). Only a file with problems is parsed again,
    // to be read a copy at a time as its bad parts are taken out.
    let mut error = match T::deserialize(Deserializer::from(tree)) {
        Ok(value) => return Ok(Some(Read { value, whole: true })),
        Err(error) => error,
    };
    let Ok(mut tree) = DeTable::parse(src.text) else {
        return Ok(None);
    };
    let mut whole = true;
    let mut taken: Vec<Taken> = Vec::new();
    for attempt in 1..=MOST {
        if attempt > 1 {
            error = match T::deserialize(Deserializer::from(tree.clone())) {
                Ok(value) => return Ok(Some(Read { value, whole })),
                Err(error) => error,
            };
        }
        let missing = missing_field(error.message());
        let span = error.span();
        let explained = missing.is_some_and(|key| {
            taken
                .iter()
                .any(|t| t.key == key && Some(&t.parent) == span.as_ref())
        });
        if !explained {
            errors.push(src.from_toml(&error));
        }
        let unknown = error.message().starts_with("unknown field");
        let meant = unknown
            .then(|| super::diag::suggestion(error.message()))
            .flatten();
        let Some(span) = span else {
            return Ok(None);
        };
        let Some(removed) = take_out(tree.span(), tree.get_mut(), &At { span, meant }, 0) else {
            return Ok(None);
        };
        whole &= missing.is_none() && (unknown || removed.depth > 0) && !removed.element;
        taken.push(removed);
    }
    Err(TooMany)
}

/// The key of serde's "missing field `x`" message.
fn missing_field(message: &str) -> Option<&str> {
    message.strip_prefix("missing field `")?.split('`').next()
}

/// What to take out: the entry at `span`; a misspelt key close to a known one (`meant`) is
/// instead renamed to it, so that the rest reads as if it were corrected.
struct At<'m> {
    span: Range<usize>,
    meant: Option<&'m str>,
}

/// An entry taken out of the tree.
struct Taken {
    /// Its key ("" for an element of an array).
    key: String,
    /// The span of the table it was in.
    parent: Range<usize>,
    /// How many tables deep it was (0: the top level).
    depth: usize,
    /// A whole element of an array (a `[[component]]`, say) went.
    element: bool,
}

/// Takes out of `table` the innermost entry whose key or value is at `span`, or the array element
/// that is. The search goes through the whole tree: the span of a `[[component]]` is only its
/// header, so it does not contain the entries under it.
fn take_out(
    table_span: Range<usize>,
    table: &mut DeTable<'_>,
    at: &At,
    depth: usize,
) -> Option<Taken> {
    let mut found = None;
    for (key, value) in table.iter_mut() {
        if let Some(inner) = take_out_of_value(value, at, depth + 1) {
            return Some(inner);
        }
        if key.span() == at.span || value.span() == at.span {
            found = Some(key.get_ref().to_string());
            break;
        }
    }
    let key = found?;
    let (old, value) = table.remove_entry(key.as_str())?;
    if let Some(meant) = at.meant.filter(|m| !table.contains_key(*m)) {
        table.insert(Spanned::new(old.span(), meant.to_owned().into()), value);
    }
    Some(Taken {
        key,
        parent: table_span,
        depth,
        element: false,
    })
}

/// Looks inside a table or an array value for what is at `span`.
fn take_out_of_value(value: &mut Spanned<DeValue<'_>>, at: &At, depth: usize) -> Option<Taken> {
    let outer = value.span();
    match value.get_mut() {
        DeValue::Table(table) => take_out(outer, table, at, depth),
        DeValue::Array(items) => {
            for item in items.as_mut() {
                if let Some(inner) = take_out_of_value(item, at, depth) {
                    return Some(inner);
                }
            }
            let index = items.iter().position(|item| item.span() == at.span)?;
            let kept = std::mem::replace(items, toml::de::DeArray::new());
            *items = kept
                .into_iter()
                .enumerate()
                .filter_map(|(i, item)| (i != index).then_some(item))
                .collect();
            Some(Taken {
                key: String::new(),
                parent: outer,
                depth,
                element: true,
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        name: String,
        #[serde(default)]
        item: Vec<Item>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Item {
        id: String,
        size: Option<u32>,
    }

    fn problems(text: &str) -> (Vec<String>, Option<bool>) {
        let (lines, read) = problems_and_value(text);
        (lines, read.map(|r| r.whole))
    }

    fn problems_and_value(text: &str) -> (Vec<String>, Option<Read<File>>) {
        let src = Source::new("f.toml", text);
        let mut errors = Vec::new();
        let read = read::<File>(&src, &mut errors);
        (errors.iter().map(ToString::to_string).collect(), read)
    }

    #[test]
    fn every_unknown_key_and_bad_value_is_reported_and_the_rest_is_read() {
        let text = "name = \"x\"\nnmae = 1\n[[item]]\nid = \"a\"\nsize = \"big\"\nsise = 2\n\
                    [[item]]\nid = \"b\"\ncolour = \"red\"\n";
        let (lines, read) = problems_and_value(text);
        assert_eq!(lines.len(), 4, "{lines:#?}");
        assert!(
            lines[0].starts_with("f.toml:2:1: unknown field `nmae`"),
            "{lines:#?}"
        );
        assert!(
            lines[1].starts_with("f.toml:5:8: invalid type"),
            "{lines:#?}"
        );
        assert!(
            lines[2].starts_with("f.toml:6:1: unknown field `sise`"),
            "{lines:#?}"
        );
        assert!(
            lines[3].starts_with("f.toml:9:1: unknown field `colour`"),
            "{lines:#?}"
        );
        let read = read.expect("the rest reads");
        assert!(read.whole);
        assert_eq!(read.value.name, "x");
        let items: Vec<(&str, Option<u32>)> = read
            .value
            .item
            .iter()
            .map(|i| (i.id.as_str(), i.size))
            .collect();
        assert_eq!(items, [("a", None), ("b", None)]);
    }

    #[test]
    fn a_misspelt_required_key_reads_as_the_key_it_is_close_to() {
        let (lines, read) = problems_and_value("nmae = \"x\"\n[[item]]\nidd = \"a\"\n");
        assert_eq!(lines.len(), 2, "{lines:#?}");
        assert!(lines[0].contains("did you mean `name`?"), "{lines:#?}");
        assert!(lines[1].contains("did you mean `id`?"), "{lines:#?}");
        let read = read.expect("read as corrected");
        assert!(read.whole, "the checks of meaning still run");
        assert_eq!(
            (read.value.name.as_str(), read.value.item[0].id.as_str()),
            ("x", "a")
        );
    }

    #[test]
    fn a_missing_required_key_is_reported_once_and_the_file_is_not_whole() {
        let (lines, whole) = problems("name = \"x\"\n[[item]]\nid = 3\n[[item]]\nid = \"b\"\n");
        assert_eq!(lines.len(), 1, "{lines:#?}");
        assert!(
            lines[0].starts_with("f.toml:3:6: invalid type"),
            "{lines:#?}"
        );
        assert_eq!(whole, Some(false));
    }

    #[test]
    fn a_syntax_error_stops_at_once() {
        let (lines, whole) = problems("name = \"x\"\nnmae = \n[[item]]\nid = 3\n");
        assert_eq!(lines.len(), 1, "{lines:#?}");
        assert_eq!(whole, None);
    }

    #[test]
    fn many_problems_are_bounded() {
        let text: String = std::iter::once("name = \"x\"\n".to_owned())
            .chain((0..300).map(|i| format!("k{i} = 1\n")))
            .collect();
        let (lines, whole) = problems(&text);
        assert_eq!(lines.len(), MOST + 1);
        assert!(lines[MOST].contains("stopped after"));
        assert_eq!(whole, None);
    }
}
