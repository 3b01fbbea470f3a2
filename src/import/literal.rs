//! A plan kept as object literals in a code block (JSON, JSON5, JavaScript, TypeScript or
//! YAML): JavaScript-like literals are read with json5 (unquoted keys, single quotes, comments,
//! trailing commas), `interface` and `type` declarations skipped, each `const x = {...}` read
//! under its name. Objects with a name and an `rto`/`rpo` are components; objects naming a
//! tier are tiers, and their lists of applications its components; `procedures: {id: {steps}}`
//! and `scenarios: [{name, procedures}]` are runbooks.

use std::time::Duration;

use serde_json::{Map, Value};

use super::outline::Code;
use super::{Draft, words};

/// Languages whose blocks may hold a literal.
#[must_use]
pub fn is_literal(lang: &str) -> bool {
    matches!(
        lang,
        "json" | "json5" | "jsonc" | "js" | "javascript" | "ts" | "typescript" | "yaml" | "yml"
    )
}

fn is_yaml(lang: &str) -> bool {
    matches!(lang, "yaml" | "yml")
}

/// The value literals of JavaScript-like code, each with the name it is assigned to: a bare
/// JSON value, `export const DR: Plan = {...} as const;`, `module.exports = [...]`. The
/// bodies of `interface` and `type` declarations are types, not values, and are skipped.
/// Strings and comments are skipped; brackets are matched in one pass.
fn literals(code: &str) -> Vec<(Option<String>, &str)> {
    let bytes = code.as_bytes();
    let mut found = Vec::new();
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut start = None;
    // Where the statement at depth 0 began: what precedes a bracket says what it is.
    let mut statement = 0usize;
    let mut i = 0;
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
                    continue;
                }
                b'/' if bytes.get(i + 1) == Some(&b'*') => {
                    i = code[i + 2..].find("*/").map_or(bytes.len(), |n| i + n + 3);
                    continue;
                }
                b';' | b'\n' if depth == 0 => statement = i + 1,
                b'{' | b'[' => {
                    if depth == 0 {
                        start = Some(i);
                    }
                    depth += 1;
                }
                b'}' | b']' if depth > 0 => {
                    depth -= 1;
                    if depth == 0
                        && let Some(at) = start.take()
                    {
                        // A type's brackets (`Tier[]`, `interface X {…}`) leave the
                        // statement open: `const tiers: Tier[] = [...]` is still `tiers`.
                        let name = match opening(&code[statement..at]) {
                            Opening::Named(name) => Some(Some(name)),
                            Opening::Bare => Some(None),
                            Opening::Other => None,
                        };
                        if let Some(name) = name {
                            found.push((name, &code[at..=i]));
                            statement = i + 1;
                        }
                    }
                }
                _ => {}
            },
        }
        i += 1;
    }
    found
}

/// What a bracket starts, told by the text before it.
enum Opening {
    /// A value assigned to a name: `const tiers =` → `tiers`.
    Named(String),
    /// A value with no name: bare JSON, `export default`, a call's argument.
    Bare,
    /// No value: a type (`interface Tier`, `type Plan =`, `Tier[]`) or a function's body.
    Other,
}

fn opening(before: &str) -> Opening {
    let before = before.trim();
    let first = before.split_whitespace().find(|w| *w != "export");
    if matches!(
        first,
        Some("interface" | "type" | "enum" | "class" | "function")
    ) {
        return Opening::Other;
    }
    if before.is_empty() || before.ends_with("default") || before.ends_with('(') {
        return Opening::Bare;
    }
    // `export const DR_TIERS: Tier[] =` → `DR_TIERS`; `module.exports =` → `exports`.
    let Some(lhs) = before.strip_suffix('=') else {
        return Opening::Other;
    };
    let lhs = lhs.split(':').next().unwrap_or_default();
    lhs.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .rfind(|w| !w.is_empty())
        .map_or(Opening::Bare, |name| Opening::Named(name.to_owned()))
}

const MAX_NESTING: usize = 64;

/// How deep a literal's brackets nest (brackets inside strings counted too: an upper bound).
fn nesting(text: &str) -> usize {
    let mut depth = 0usize;
    let mut deepest = 0;
    for b in text.bytes() {
        match b {
            b'{' | b'[' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// The code's values, parsed: YAML whole, JavaScript-like literal by literal (each wrapped
/// in its name, `{"tiers": [...]}`), or the first error met.
fn values(code: &Code) -> Result<Vec<Value>, String> {
    if is_yaml(&code.lang) {
        return serde_yaml_ng::from_str::<Value>(&code.text)
            .map(|v| vec![v])
            .map_err(|e| e.to_string());
    }
    literals(&code.text)
        .into_iter()
        .map(|(name, text)| {
            // The parser recurses: a literal nested deeper than any plan is refused, not
            // allowed to exhaust the stack.
            if nesting(text) > MAX_NESTING {
                return Err(format!("nested more than {MAX_NESTING} deep"));
            }
            let value: Value = json5::from_str(text).map_err(|e| e.to_string())?;
            Ok(match name {
                Some(name) => Value::Object(Map::from_iter([(name, value)])),
                None => value,
            })
        })
        .collect()
}

/// Keys a literal of a plan holds.
const PLAN_KEYS: [&str; 7] = [
    "rto",
    "rpo",
    "tiers",
    "recoverytime",
    "recovery_time",
    "scenarios",
    "procedures",
];

/// A literal that speaks of recovery targets, tiers, scenarios or procedures: read as the
/// plan, not shown as a procedure's code. Comments that mention an RTO hold no literal.
#[must_use]
pub fn holds_targets(code: &Code) -> bool {
    let lower = code.text.to_lowercase();
    is_literal(&code.lang)
        && PLAN_KEYS.iter().any(|w| lower.contains(w))
        && (is_yaml(&code.lang) || !literals(&code.text).is_empty())
}

/// Reads a code block's literals, if they speak of the plan.
pub fn read(code: &Code, context: &str, draft: &mut Draft) {
    if !holds_targets(code) {
        return;
    }
    let values = match values(code) {
        Ok(values) => values,
        Err(e) => {
            let first = e.lines().next().unwrap_or_default().to_owned();
            draft.report.human(
                code.line,
                format!("the {} block under \"{context}\" names targets but is not a literal warroom can read ({first}); copy its targets into warroom.toml by hand", code.lang),
            );
            return;
        }
    };
    let before = (
        draft.components.len(),
        draft.tiers.len(),
        draft.runbooks.len(),
    );
    for value in &values {
        visit(value, None, code.line, draft);
    }
    // Scenarios name procedures of another literal of the block: read them together.
    super::literal_runbooks::read(&Value::Array(values), code.line, draft);
    draft.report.made(
        code.line,
        format!(
            "{} literal: {} components, {} tiers, {} runbooks",
            code.lang,
            draft.components.len() - before.0,
            draft.tiers.len() - before.1,
            draft.runbooks.len() - before.2
        ),
    );
}

/// The first of `names` (in their order of preference) the map has a key for: the key is
/// the name or starts with it, `_` and `-` aside (`rto_minutes`, `recoveryTime`).
fn key<'a>(map: &'a Map<String, Value>, names: &[&str]) -> Option<(&'a str, &'a Value)> {
    names.iter().find_map(|n| {
        map.iter()
            .find(|(k, _)| {
                let k = k.to_lowercase().replace(['_', '-'], "");
                k == *n || k.starts_with(n)
            })
            .map(|(k, v)| (k.as_str(), v))
    })
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

/// Keys whose list of names are a tier's components.
const MEMBERS: [&str; 6] = [
    "application",
    "service",
    "component",
    "system",
    "app",
    "workload",
];

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
    // A tier written as an object (`{ name: 'Tier 0', rto, applications: [...] }`): its lists
    // of names are its components.
    let own_tier = name
        .as_deref()
        .filter(|_| tier_named.is_none())
        .and_then(words::priority);
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
    if let Some((t, rank)) = &own_tier
        && rto.is_none()
        && rpo.is_none()
    {
        super::tiers::tier(draft, t, *rank);
    }
    let tier_of_members = own_tier.or_else(|| parent_tier.clone());
    for (k, v) in map {
        let members = matches!(v, Value::Array(a) if !a.is_empty() && a.iter().all(Value::is_string))
            && MEMBERS.iter().any(|m| k.to_lowercase().contains(m));
        if members && let Some((t, _)) = tier_of_members.clone() {
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
        let found = literals(ts);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0.as_deref(), Some("DR"));
        let text = found[0].1;
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

    #[test]
    fn types_are_skipped_and_each_typed_const_is_read_under_its_name() {
        let ts = "interface Tier { name: string; apps: string[] }\n\
            type Plan = { tiers: Tier[] };\n\
            export const DR_TIERS: Tier[] = [{ name: 'Tier 0', apps: ['api'], },];\n\
            function f() { return [1]; }\n";
        let found: Vec<(Option<String>, &str)> = literals(ts);
        assert_eq!(
            found,
            [(
                Some("DR_TIERS".into()),
                "[{ name: 'Tier 0', apps: ['api'], },]"
            )],
            "an interface's and a type's bodies and a function's body are no values"
        );
    }

    #[test]
    fn tiers_with_applications_scenarios_and_procedures_make_a_kit() {
        let plan = "# Payments DR\n\n```typescript\n\
            interface Tier { name: string; rto: string }\n\
            export const tiers: Tier[] = [\n\
              { name: 'Tier 0', rto: '15 minutes', rpo: '0', applications: ['payments-api', 'ledger'] },\n\
              { name: 'Tier 1', rto: '1 hour', rpo: '15 minutes', applications: ['checkout'] },\n];\n\
            export const scenarios = [{ name: 'Region outage', procedures: ['failover'] }];\n\
            export const procedures = { failover: { steps: ['Freeze deploys', { name: 'Flip DNS', command: 'dnsctl flip' }] } };\n\
            ```\n";
        let (kit, config) = crate::import::imported(plan);
        assert!(
            config.contains("[[tiers]]\nname = \"tier-0\"\nrto = \"15m\"\nrpo = \"0s\""),
            "{config}"
        );
        assert!(
            config.contains("name = \"ledger\"\ntier = \"tier-0\"")
                && config.contains("name = \"checkout\"\ntier = \"tier-1\""),
            "{config}"
        );
        let steps = crate::import::runbook_steps(&kit, "runbooks/region-outage.md");
        assert_eq!(
            steps,
            [("Freeze deploys".to_owned(), 0), ("Flip DNS".to_owned(), 1)]
        );
        assert!(
            !kit.files.iter().any(|(p, _)| p == "runbooks/failover.md"),
            "a procedure a scenario names is in the scenario's runbook"
        );
    }

    #[test]
    fn a_yaml_block_of_the_plan_is_read_and_a_manifest_is_not() {
        let plan = "# Orders\n\n```yaml\ntiers:\n  - name: Critical\n    rto: 30m\n    rpo: 5m\n\
            \x20   services: [orders-api]\n```\n\n## Deploy\n\n```yaml\nkind: ConfigMap\n```\n";
        let (_, config) = crate::import::imported(plan);
        assert!(
            config.contains("name = \"orders-api\"\ntier = \"critical\""),
            "{config}"
        );
    }

    #[test]
    fn a_literal_nested_too_deep_is_refused_not_parsed() {
        let deep = format!("const tiers = {}{};", "[".repeat(5000), "]".repeat(5000));
        let plan = format!("# Shop\n\n```ts\n{deep}\n```\n\n## Restore\n\n1. Restore\n");
        let (kit, _) = crate::import::imported(&plan);
        assert!(
            kit.report
                .human
                .iter()
                .any(|e| e.text.contains("nested more than 64 deep")),
            "{:?}",
            kit.report.human
        );
    }
}
