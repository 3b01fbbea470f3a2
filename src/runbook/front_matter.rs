//! A runbook's front matter: TOML between `+++` lines, YAML between `---` lines, or none; and
//! the id a runbook without one takes from its file name.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::phase::Automation;
use crate::config::{Diagnostic, Invalid, Source, diag};
use crate::domain::Severity;

/// warroom's keys of a runbook's front matter; other keys (Hugo's `weight`, `aliases`, ...) are
/// left to the tools that write them.
const FRONT_MATTER_KEYS: [&str; 10] = [
    "id",
    "title",
    "components",
    "severities",
    "tags",
    "summary",
    "description",
    "expect",
    "automation",
    "steps",
];

#[derive(Debug, Default, Deserialize)]
pub(super) struct FrontMatter {
    pub(super) id: Option<toml::Spanned<String>>,
    pub(super) title: Option<String>,
    /// Hugo's and Docusaurus's word for the summary.
    #[serde(default)]
    pub(super) description: String,
    #[serde(default)]
    pub(super) components: Vec<toml::Spanned<String>>,
    #[serde(default)]
    pub(super) severities: Vec<Severity>,
    #[serde(default)]
    pub(super) tags: Vec<String>,
    #[serde(default)]
    pub(super) summary: String,
    /// Step title → expectation, e.g. `"Promote the replica" = "db up within 2m"`.
    #[serde(default)]
    pub(super) expect: BTreeMap<String, toml::Spanned<String>>,
    /// `automatic`, `partial` or `manual`: how the whole procedure is done.
    pub(super) automation: Option<Automation>,
    /// Where the steps are: `h2`, `h3`, `list` or `whole` (default: found from the text).
    pub(super) steps: Option<super::walk::StepsFrom>,
}

/// The front matter between `fence` lines at the top of `text`, and where the body starts.
fn split_front_matter<'t>(text: &'t str, fence: &str) -> Option<(&'t str, usize)> {
    let first = text.split_inclusive('\n').next()?;
    if first.trim_end() != fence {
        return None;
    }
    let rest = &text[first.len()..];
    let mut at = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == fence {
            let body_start = text.len() - rest.len() + at + line.len();
            return Some((&rest[..at], body_start));
        }
        at += line.len();
    }
    None
}

/// YAML front matter (as Hugo, Jekyll, Docusaurus and `MkDocs` write it) as TOML text, so one
/// reader checks warroom's keys in either syntax. Keys without a value are left out.
fn yaml_as_toml(yaml: &str) -> Result<String, String> {
    let value: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(yaml).map_err(|e| format!("the YAML front matter: {e}"))?;
    let serde_yaml_ng::Value::Mapping(map) = value else {
        return Ok(String::new());
    };
    let mut table = toml::Table::new();
    for (key, value) in map {
        let (Some(key), Some(value)) = (yaml_key(&key), yaml_value(value)) else {
            continue;
        };
        table.insert(key, value);
    }
    toml::to_string(&table).map_err(|e| format!("the YAML front matter: {e}"))
}

fn yaml_key(key: &serde_yaml_ng::Value) -> Option<String> {
    match key {
        serde_yaml_ng::Value::String(s) => Some(s.clone()),
        serde_yaml_ng::Value::Number(n) => Some(n.to_string()),
        serde_yaml_ng::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A YAML value as TOML: nulls left out, other scalars as themselves.
fn yaml_value(value: serde_yaml_ng::Value) -> Option<toml::Value> {
    use serde_yaml_ng::Value as Y;
    Some(match value {
        Y::Null => return None,
        Y::Bool(b) => toml::Value::Boolean(b),
        Y::Number(n) => n.as_i64().map_or_else(
            || toml::Value::Float(n.as_f64().unwrap_or_default()),
            toml::Value::Integer,
        ),
        Y::String(s) => toml::Value::String(s),
        Y::Sequence(items) => {
            toml::Value::Array(items.into_iter().filter_map(yaml_value).collect())
        }
        Y::Mapping(map) => toml::Value::Table(
            map.into_iter()
                .filter_map(|(k, v)| Some((yaml_key(&k)?, yaml_value(v)?)))
                .collect(),
        ),
        Y::Tagged(tagged) => return yaml_value(tagged.value),
    })
}

/// The line of the YAML front matter (1-based, in `text`, before the fence) that holds the key
/// the converted TOML has at `toml_line`.
fn yaml_line(text: &str, toml: &str, toml_line: usize) -> usize {
    let key = toml
        .lines()
        .nth(toml_line.saturating_sub(1))
        .and_then(|l| l.split('=').next())
        .map(|k| k.trim().trim_matches('"'))
        .unwrap_or_default();
    text.lines()
        .skip(1)
        .position(|l| l.starts_with(key) && l[key.len()..].trim_start().starts_with(':'))
        .map_or(1, |i| i + 1)
}

/// A runbook's id from its file name: `KubePodCrashLooping.md` → `kubepodcrashlooping`.
pub(super) fn id_from_name(name: &str) -> String {
    let stem = std::path::Path::new(name)
        .file_stem()
        .map(|s| s.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let mut id = String::new();
    for c in stem.chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            id.push(c);
        } else if !id.ends_with('-') {
            id.push('-');
        }
    }
    let id = id.trim_matches('-').to_owned();
    if id.is_empty() {
        "runbook".to_owned()
    } else {
        id
    }
}

/// Unknown front matter keys that look like a misspelt warroom key are errors; the rest are
/// other tools' and are left alone.
fn misspelt_keys(front: &Source, errors: &mut Vec<Diagnostic>) {
    let Ok(table) = front.text.parse::<toml::Table>() else {
        return;
    };
    for key in table.keys() {
        let hint = diag::hint(key, FRONT_MATTER_KEYS.into_iter());
        if !FRONT_MATTER_KEYS.contains(&key.as_str()) && !hint.is_empty() {
            let at = front.text.find(key.as_str()).unwrap_or(0);
            errors.push(front.at(at..at + key.len(), format!("unknown field `{key}`{hint}")));
        }
    }
}

/// The front matter (`+++` TOML, `---` YAML, or none), where the body starts, and the problems
/// found in it.
pub(super) fn front_matter(
    name: &str,
    text: &str,
) -> Result<(FrontMatter, usize, Vec<Diagnostic>), Invalid> {
    let src = Source::new(name, text);
    let (front, body_start, yaml) = match split_front_matter(text, "+++") {
        Some((front, start)) => (Some(front.to_owned()), start, false),
        None => match split_front_matter(text, "---") {
            Some((front, start)) => {
                let toml = yaml_as_toml(front).map_err(|e| Invalid(vec![src.at(0..0, e)]))?;
                (Some(toml), start, true)
            }
            None => (None, 0, false),
        },
    };
    let mut errors = Vec::new();
    let meta = match &front {
        None => FrontMatter::default(),
        Some(front) => {
            let front_src = Source::new(name, front);
            if !yaml {
                misspelt_keys(&front_src, &mut errors);
            }
            let meta = crate::config::tolerant::read::<FrontMatter>(&front_src, &mut errors);
            for d in &mut errors {
                if yaml {
                    d.line = yaml_line(text, front, d.line);
                    d.col = 1;
                }
                d.line += 1;
            }
            let Some(crate::config::tolerant::Read {
                value: meta,
                whole: true,
            }) = meta
            else {
                return Err(Invalid(errors));
            };
            meta
        }
    };
    Ok((meta, body_start, errors))
}
