//! Targets kept as an object literal in a code block (JSON, JSON5, JavaScript or TypeScript):
//! read with json5, which takes unquoted keys, single quotes, comments and trailing commas.
//! Objects with a name and an `rto`/`rpo` are components; objects under a priority key
//! (`tiers: { critical: { rto: '15m', services: [...] } }`) are tiers.

use std::time::Duration;

use serde_json::{Map, Value};

use super::outline::Code;
use super::{Draft, words};

/// Languages whose blocks may hold a literal.
#[must_use]
pub fn is_literal(lang: &str) -> bool {
    matches!(
        lang,
        "json" | "json5" | "jsonc" | "js" | "javascript" | "ts" | "typescript"
    )
}

/// The first `{...}` or `[...]` of the code, cut where its brackets close (strings and
/// comments skipped), so `export const DR: Plan = { ... } as const;` gives the object.
fn outermost(code: &str) -> Option<&str> {
    let bytes = code.as_bytes();
    let start = code.find(['{', '['])?;
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut i = start;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(_) if b == b'\\' => i += 1,
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None => match b {
                b'"' | b'\'' | b'`' => quote = Some(b),
                b'/' if bytes.get(i + 1) == Some(&b'/') => {
                    i = code[i..].find('\n').map_or(bytes.len(), |n| i + n);
                }
                b'/' if bytes.get(i + 1) == Some(&b'*') => {
                    i = code[i + 2..].find("*/").map_or(bytes.len(), |n| i + n + 3);
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(&code[start..=i]);
                    }
                }
                _ => {}
            },
        }
        i += 1;
    }
    None
}

/// A literal that speaks of recovery targets: read as targets, not shown as a procedure.
#[must_use]
pub fn holds_targets(code: &Code) -> bool {
    let lower = code.text.to_lowercase();
    is_literal(&code.lang)
        && ["rto", "rpo", "tiers", "recoverytime", "recovery_time"]
            .iter()
            .any(|w| lower.contains(w))
        // Comments that speak of an RTO hold no literal (`// RTO: < 5 minutes`).
        && outermost(&code.text).is_some()
}

/// Reads a code block's literal, if it speaks of recovery targets.
pub fn read(code: &Code, context: &str, draft: &mut Draft) {
    if !holds_targets(code) {
        return;
    }
    let Some(text) = outermost(&code.text) else {
        return;
    };
    let value: Value = match json5::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            let first = e.to_string();
            let first = first.lines().next().unwrap_or_default();
            draft.report.human(
                code.line,
                format!("the {} block under \"{context}\" names targets but is not a literal warroom can read ({first}); copy its targets into warroom.toml by hand", code.lang),
            );
            return;
        }
    };
    let before = draft.components.len();
    let tiers_before = draft.tiers.len();
    visit(&value, None, code.line, draft);
    draft.report.made(
        code.line,
        format!(
            "{} literal: {} components, {} tiers",
            code.lang,
            draft.components.len() - before,
            draft.tiers.len() - tiers_before
        ),
    );
}

fn key<'a>(map: &'a Map<String, Value>, names: &[&str]) -> Option<(&'a str, &'a Value)> {
    map.iter()
        .find(|(k, _)| {
            let k = k.to_lowercase().replace(['_', '-'], "");
            names.iter().any(|n| k == *n || k.starts_with(n))
        })
        .map(|(k, v)| (k.as_str(), v))
}

/// A target's value: `'15m'`, `"15 minutes"`, or a number in the unit its key names
/// (`rtoMinutes: 15`, `rpo_hours: 1`; minutes when the key names none).
fn target(key: &str, value: &Value) -> Option<Duration> {
    match value {
        Value::String(s) => words::duration(s),
        Value::Number(n) => {
            let n = n.as_f64()?;
            let k = key.to_lowercase();
            let secs = if k.contains("sec") {
                1.0
            } else if k.contains("hour") || k.ends_with('h') {
                3600.0
            } else if k.contains("day") {
                86_400.0
            } else {
                60.0
            };
            Some(Duration::from_secs((n * secs).round() as u64))
        }
        _ => None,
    }
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn visit(value: &Value, parent_key: Option<&str>, line: usize, draft: &mut Draft) {
    match value {
        Value::Array(items) => {
            for item in items {
                visit(item, parent_key, line, draft);
            }
        }
        Value::Object(map) => object(map, parent_key, line, draft),
        _ => {}
    }
}

fn object(map: &Map<String, Value>, parent_key: Option<&str>, line: usize, draft: &mut Draft) {
    let rto = key(map, &["rto", "recoverytime"]).and_then(|(k, v)| target(k, v));
    let rpo = key(map, &["rpo", "recoverypoint"]).and_then(|(k, v)| target(k, v));
    let name = key(
        map,
        &[
            "name",
            "service",
            "component",
            "application",
            "app",
            "system",
            "title",
            "id",
        ],
    )
    .and_then(|(_, v)| text(v));
    let tier_named = key(map, &["tier", "priority", "criticality", "class"])
        .and_then(|(_, v)| text(v))
        .and_then(|t| words::priority(&t));
    let parent_tier = parent_key.and_then(words::priority);
    if rto.is_some() || rpo.is_some() {
        match (name, parent_tier.clone()) {
            (Some(name), _) if words::priority(&name).is_none() || tier_named.is_some() => {
                let tier = tier_named.or(parent_tier.clone());
                if let Some((t, rank)) = &tier {
                    super::tiers::tier(draft, t, *rank);
                }
                super::components::component(draft, &name, tier.map(|t| t.0), (rto, rpo), line);
            }
            (Some(name), None) => {
                if let Some((t, rank)) = words::priority(&name) {
                    super::tiers::tier_targets(draft, &t, rank, rto, rpo);
                }
            }
            (_, Some((t, rank))) => super::tiers::tier_targets(draft, &t, rank, rto, rpo),
            (None, None) => {}
        }
    }
    for (k, v) in map {
        let members = matches!(v, Value::Array(a) if a.iter().all(Value::is_string));
        if members && let Some((t, _)) = parent_tier.clone() {
            if let Value::Array(list) = v {
                for name in list.iter().filter_map(Value::as_str) {
                    super::components::component(draft, name, Some(t.clone()), (None, None), line);
                }
            }
            continue;
        }
        visit(v, Some(k), line, draft);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_the_literal_out_of_typescript() {
        let ts = "// targets\nexport const DR: Plan = {\n  rto: '15m', // comment\n  note: \"a } b\",\n} as const;\n";
        let text = outermost(ts).unwrap();
        assert!(text.starts_with('{') && text.ends_with('}'), "{text}");
        let v: Value = json5::from_str(text).unwrap();
        assert_eq!(v["rto"], "15m");
    }

    #[test]
    fn numbers_take_the_unit_of_their_key() {
        assert_eq!(
            target("rtoMinutes", &Value::from(15)),
            Some(Duration::from_mins(15))
        );
        assert_eq!(
            target("rpo_hours", &Value::from(2)),
            Some(Duration::from_hours(2))
        );
        assert_eq!(
            target("rto", &Value::from("1 hour")),
            Some(Duration::from_hours(1))
        );
    }
}
