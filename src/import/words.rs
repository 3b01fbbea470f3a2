//! How plans write durations, frequencies, priorities and severities, read into values.

use std::time::Duration;

use crate::domain::Severity;

/// Seconds in one of a duration's units, by the ways plans write it.
fn unit(word: &str) -> Option<u64> {
    let word = word.trim_end_matches('.');
    Some(match word {
        "s" | "sec" | "secs" | "second" | "seconds" => 1,
        "m" | "min" | "mins" | "minute" | "minutes" => 60,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3600,
        "d" | "day" | "days" => 86_400,
        "w" | "wk" | "week" | "weeks" => 604_800,
        _ => return None,
    })
}

fn number_word(word: &str) -> Option<f64> {
    const WORDS: [&str; 13] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve",
    ];
    match word {
        "a" | "an" => Some(1.0),
        "fifteen" => Some(15.0),
        "thirty" => Some(30.0),
        "half" => Some(0.5),
        _ => WORDS.iter().position(|w| *w == word).map(|n| n as f64),
    }
}

/// Splits `4h`, `1h30m`, `15min` and `3.5 hours` into number and unit tokens.
fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut digits = false;
    for c in text.to_lowercase().chars() {
        let is_digit = c.is_ascii_digit() || (c == '.' && digits);
        if c.is_alphanumeric() || c == '.' {
            if !current.is_empty() && is_digit != digits {
                out.push(std::mem::take(&mut current));
            }
            digits = is_digit;
            current.push(c);
        } else {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            if c == '-' || c == '+' || c == '<' || c == '>' || c == '–' {
                out.push(c.to_string());
            }
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// A duration written in words or short forms: `15 minutes`, `< 1 hour`, `0 minutes`, `4h`,
/// `1h30m`, `3.5 hours`, `two days`, `zero`, `real-time`. A range (`1-2 hours`) reads as its
/// upper end, the most a target allows. `None` when no duration is there (`ASAP`, `TBD`).
#[must_use]
pub fn duration(text: &str) -> Option<Duration> {
    let lower = text.to_lowercase();
    let words = tokens(&lower);
    if words.first().is_some_and(|w| {
        matches!(
            w.as_str(),
            "zero" | "none" | "immediately" | "immediate" | "now"
        )
    }) || words.iter().map(String::as_str).eq(["0"])
        || lower.contains("real-time")
        || lower.contains("realtime")
        || lower.contains("no data loss")
    {
        return Some(Duration::ZERO);
    }
    let mut total = 0.0;
    let mut found = false;
    let mut pending: Option<f64> = None;
    for word in &words {
        if word == "-" || word == "–" {
            // A range: what follows replaces what came before.
            if pending.is_some() {
                continue;
            }
            if found {
                total = 0.0;
                found = false;
            }
            continue;
        }
        let value = word.parse::<f64>().ok().or_else(|| number_word(word));
        if let Some(v) = value {
            pending = Some(v);
            continue;
        }
        if let (Some(n), Some(secs)) = (pending, unit(word)) {
            total += n * secs as f64;
            found = true;
            pending = None;
        } else if found {
            break;
        } else {
            pending = None;
        }
    }
    found.then(|| Duration::from_secs(total.round() as u64))
}

/// How often a backup is taken: `Every 2 hours`, `Hourly`, `Daily`, `Weekly or on change`,
/// `Every 15 min`. `None` for schedules that are not a period (`On every deployment`).
#[must_use]
pub fn frequency(text: &str) -> Option<Duration> {
    let lower = text.to_lowercase();
    let periods = [
        ("continuous", 60),
        ("hourly", 3600),
        ("nightly", 86_400),
        ("daily", 86_400),
        ("weekly", 604_800),
        ("monthly", 30 * 86_400),
    ];
    let words = tokens(&lower);
    let first_period = words
        .iter()
        .find_map(|w| periods.iter().find(|(p, _)| w == p).map(|(_, s)| *s));
    let every = lower.contains("every") || lower.contains("each") || lower.contains("per ");
    match (every, duration(&lower), first_period) {
        (_, Some(d), _) if !d.is_zero() && every => Some(d),
        (_, _, Some(secs)) => Some(Duration::from_secs(secs)),
        (true, None, None) => words.iter().find_map(|w| unit(w)).map(Duration::from_secs),
        _ => None,
    }
}

/// Words that name how important something is, most important first; each rank as a tier.
const PRIORITY_WORDS: [(&str, usize); 10] = [
    ("mission", 0),
    ("critical", 0),
    ("highest", 0),
    ("high", 1),
    ("important", 1),
    ("medium", 2),
    ("moderate", 2),
    ("standard", 2),
    ("normal", 2),
    ("low", 3),
];

/// A tier named in a plan: `Critical`, `High Priority Services`, `Tier 1`, `P2`, `Medium`.
/// Returns the tier's name as warroom writes it and its rank (0 most important).
#[must_use]
pub fn priority(text: &str) -> Option<(String, usize)> {
    let words = tokens(text);
    for (i, word) in words.iter().enumerate() {
        if let Some(&(name, rank)) = PRIORITY_WORDS.iter().find(|(w, _)| w == word) {
            let name = if name == "mission" { "critical" } else { name };
            let before = words[..i].iter().rev().find(|w| *w != "-");
            if name == "critical" && before.is_some_and(|w| w == "non") {
                return Some(("low".into(), 3));
            }
            return Some((name.to_owned(), rank));
        }
        let numbered = ["tier", "p", "priority", "level", "sev", "class"];
        if numbered.contains(&word.as_str())
            && let Some(n) = words.get(i + 1).and_then(|n| n.parse::<usize>().ok())
        {
            return Some((format!("tier-{n}"), n.saturating_sub(1)));
        }
    }
    None
}

/// A severity named in a plan: `P1`, `SEV-2`, `Sev 3`, `Critical`, `High`, `Medium`, `Low`.
#[must_use]
pub fn severity(text: &str) -> Option<Severity> {
    let words: Vec<String> = tokens(text).into_iter().filter(|w| w != "-").collect();
    let rank = match words.as_slice() {
        [sev, n, ..] if matches!(sev.as_str(), "sev" | "severity" | "p" | "priority") => {
            n.parse::<usize>().ok()?
        }
        [sev, ..] if sev.starts_with("sev") => sev[3..].parse::<usize>().ok()?,
        _ => match priority(text)? {
            (name, rank) if !name.starts_with("tier-") => rank + 1,
            _ => return None,
        },
    };
    let rank = rank.max(1);
    format!("P{}", rank.min(4)).parse().ok()
}

/// An id from a name: `Application Frontend` → `application-frontend` (a-z, 0-9, `-`; at
/// most 40 characters). `None` when the name has no letter or digit.
#[must_use]
pub fn slug(name: &str) -> Option<String> {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
        if out.len() >= 40 {
            break;
        }
    }
    let out = out.trim_end_matches('-').to_owned();
    (!out.is_empty()).then_some(out)
}

/// `slug`, made unique against `taken` with `-2`, `-3`, ...; `fallback` when the name has none.
pub fn unique_slug(
    name: &str,
    fallback: &str,
    taken: &mut std::collections::HashSet<String>,
) -> String {
    let base = slug(name).unwrap_or_else(|| fallback.to_owned());
    let mut id = base.clone();
    let mut n = 2;
    while taken.contains(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    taken.insert(id.clone());
    id
}

/// A value a plan leaves to be filled in: `[Name]`, `TBD`, `N/A`, `-`, `<phone>`, empty.
#[must_use]
pub fn is_placeholder(text: &str) -> bool {
    let t = text.trim();
    let lower = t.to_lowercase();
    t.is_empty()
        || (t.starts_with('[') && t.ends_with(']'))
        || (t.starts_with('<') && t.ends_with('>'))
        || (t.starts_with("{{") && t.ends_with("}}"))
        || matches!(
            lower.as_str(),
            "tbd" | "tba" | "n/a" | "na" | "-" | "—" | "none" | "todo" | "?" | "xxx"
        )
}

/// Removes `1.`, `2)`, `Step 3:`, `Phase 1 -` and `Scenario 2:` from the front of a title.
#[must_use]
pub fn strip_numbering(title: &str) -> String {
    let mut t = title.trim();
    for word in ["playbook:", "runbook:", "scenario:", "procedure:"] {
        if t.len() > word.len()
            && t.get(..word.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(word))
        {
            t = t[word.len()..].trim_start();
        }
    }
    for word in ["step", "phase", "scenario", "stage"] {
        if t.len() > word.len()
            && t.get(..word.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(word))
        {
            let rest = t[word.len()..].trim_start();
            if rest.starts_with(|c: char| c.is_ascii_digit()) {
                t = rest;
            }
        }
    }
    // `1.`, `2)`, `6.3`, `1.2.1`: the digits and the dots between them.
    let digits = t
        .char_indices()
        .take_while(|&(i, c)| {
            c.is_ascii_digit() || (c == '.' && t[i + 1..].starts_with(|d: char| d.is_ascii_digit()))
        })
        .count();
    let letter = t.len() > 1
        && t.as_bytes()[0].is_ascii_uppercase()
        && matches!(t.as_bytes()[1], b'.' | b')')
        && t.as_bytes().get(2) == Some(&b' ');
    if letter {
        t = &t[2..];
    } else if digits > 0 {
        t = &t[digits..];
    } else {
        return t.to_owned();
    }
    t.trim_start_matches(['.', ')', ':', '-', '–', '—', ' '])
        .trim()
        .to_owned()
}

/// A heading or label that introduces an example (`**Example:**`, `Examples`, `Example
/// Findings`, `End-to-End Example`): what follows illustrates the template, it is not the plan's.
#[must_use]
pub fn is_example(title: &str) -> bool {
    title
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| matches!(w, "example" | "examples" | "sample" | "samples"))
}

/// Verbs an operations instruction starts with (`Scale down the pods`, `Restore the dump`).
const IMPERATIVES: &[&str] = &[
    "activate",
    "add",
    "apply",
    "archive",
    "attach",
    "back",
    "block",
    "bring",
    "build",
    "call",
    "change",
    "check",
    "clean",
    "clear",
    "clone",
    "configure",
    "confirm",
    "connect",
    "contact",
    "copy",
    "create",
    "declare",
    "delete",
    "deploy",
    "detach",
    "disable",
    "disconnect",
    "download",
    "drain",
    "drop",
    "edit",
    "enable",
    "ensure",
    "escalate",
    "execute",
    "export",
    "fail",
    "fetch",
    "fix",
    "flush",
    "follow",
    "force",
    "get",
    "grant",
    "halt",
    "import",
    "inform",
    "initiate",
    "install",
    "isolate",
    "kill",
    "launch",
    "load",
    "locate",
    "lock",
    "log",
    "login",
    "make",
    "mark",
    "merge",
    "migrate",
    "mount",
    "move",
    "notify",
    "open",
    "page",
    "pause",
    "perform",
    "point",
    "promote",
    "provision",
    "pull",
    "push",
    "put",
    "reboot",
    "remove",
    "rename",
    "repair",
    "replace",
    "replay",
    "request",
    "reset",
    "resize",
    "restart",
    "restore",
    "resume",
    "retry",
    "revert",
    "revoke",
    "roll",
    "rollback",
    "rotate",
    "run",
    "save",
    "scale",
    "send",
    "set",
    "shut",
    "snapshot",
    "ssh",
    "start",
    "stop",
    "switch",
    "sync",
    "take",
    "tag",
    "terminate",
    "trigger",
    "truncate",
    "turn",
    "unlock",
    "unmount",
    "update",
    "upgrade",
    "upload",
    "use",
    "validate",
    "verify",
    "wait",
    "wipe",
    "write",
];

/// Whether a sentence starts with an instruction: `Scale down…`, `[Take a backup](…)`,
/// `Recreate the PVC…` (a `re` before a known verb), also after a condition or place (`If the
/// PV exists, remove…`, `On the primary site, verify…`).
#[must_use]
pub fn is_instruction(text: &str) -> bool {
    let conditional = [
        "if ", "once ", "when ", "after ", "before ", "on ", "in ", "from ",
    ];
    let lower = text.trim_start().to_lowercase();
    if conditional.iter().any(|c| lower.starts_with(c))
        && let Some((_, then)) = text.split_once(',')
    {
        return starts_with_verb(then);
    }
    starts_with_verb(text) || obliges(text)
}

/// `The first responder is to notify the CTO`, `The plan is to be activated`, `The CTO must
/// approve`: an obligation on someone, an instruction too.
fn obliges(text: &str) -> bool {
    let lower = text.to_lowercase();
    [" is to ", " are to ", " must ", " shall "]
        .iter()
        .any(|m| {
            lower
                .split_once(m)
                .is_some_and(|(_, then)| then.starts_with("be ") || starts_with_verb(then))
        })
}

fn starts_with_verb(text: &str) -> bool {
    let first = text
        .trim_start_matches(|c: char| !c.is_alphabetic())
        .split(|c: char| !c.is_alphabetic() && c != '-')
        .next()
        .unwrap_or_default()
        .to_lowercase();
    let verb = |w: &str| IMPERATIVES.contains(&w);
    verb(&first)
        || first
            .strip_prefix("re-")
            .or_else(|| first.strip_prefix("re"))
            .is_some_and(verb)
}

/// Whether text reads as whom to call (`Jane van Dyke`, `J. Smith`, `DevOps Team`, `@jane`),
/// not as a sentence (`Disruption detected (monitoring`, `Contact according to level`).
#[must_use]
pub fn is_person_name(text: &str) -> bool {
    const PARTICLES: [&str; 12] = [
        "van", "von", "de", "der", "da", "di", "le", "la", "del", "du", "bin", "al",
    ];
    let words: Vec<&str> = text.split_whitespace().collect();
    let handle = words.len() == 1 && words[0].starts_with('@');
    handle
        || (!words.is_empty()
            && words.len() <= 4
            && !text.contains(['(', ')', ':', ';'])
            && !text.chars().any(|c| c.is_ascii_digit())
            && words
                .iter()
                .all(|w| w.chars().next().is_some_and(char::is_uppercase) || PARTICLES.contains(w)))
}

/// Lowercased text contains any of `any`.
pub fn mentions(text: &str, any: &[&str]) -> bool {
    let t = text.to_lowercase();
    any.iter().any(|w| t.contains(w))
}

pub fn human_duration(d: Duration) -> String {
    humantime::format_duration(d).to_string()
}

#[cfg(test)]
#[path = "tests/words.rs"]
mod tests;
