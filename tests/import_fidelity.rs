//! How faithfully `warroom import` reads plans nobody here wrote: each plan of
//! `tests/fixtures/plans-wild/` against the facts a person wrote down by reading it
//! (`expected/*.toml`, written before the plan was imported). Every fact is right, wrong or
//! missing, and everything the kit holds that the plan does not say is invented.
//!
//! README's fidelity table is this test's output: `UPDATE_README=1 cargo test --test
//! import_fidelity` writes it. The floors below are the last measured score: the test fails when
//! the importer gets worse, and they are raised as it gets better.

mod support;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde::Deserialize;

/// The least share of facts right (per mille), as last measured, and the facts invented: none.
const FLOOR_RIGHT_PER_MILLE: u32 = 962;
const CEILING_INVENTED: u32 = 0;

const BEGIN: &str =
    "<!-- fidelity:begin (generated: UPDATE_README=1 cargo test --test import_fidelity) -->\n";
const END: &str = "<!-- fidelity:end -->";

/// What a person read in a plan.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    service: Option<String>,
    #[serde(default)]
    components: Vec<Component>,
    #[serde(default)]
    severities: Vec<String>,
    #[serde(default)]
    escalation: Vec<Rung>,
    #[serde(default)]
    contacts: Vec<Contact>,
    #[serde(default)]
    procedures: Vec<Procedure>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Component {
    name: String,
    rto: Option<String>,
    rpo: Option<String>,
    tier: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Rung {
    #[allow(dead_code)]
    level: u32,
    after: Option<String>,
    #[serde(default)]
    who: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Contact {
    name: Option<String>,
    role: Option<String>,
    /// The plan gives the role but its name is a placeholder (`[NAME]`, `{{cooName}}`).
    #[serde(default)]
    #[allow(dead_code)]
    placeholder: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Procedure {
    name: String,
    steps: Option<usize>,
    commands: Option<usize>,
}

/// A plan's score, and what was not right (shown with `FIDELITY_VERBOSE=1`).
#[derive(Debug, Default, Clone)]
struct Score {
    right: u32,
    wrong: u32,
    missing: u32,
    invented: u32,
    notes: Vec<String>,
}

impl Score {
    fn add(&mut self, other: &Self) {
        self.right += other.right;
        self.wrong += other.wrong;
        self.missing += other.missing;
        self.invented += other.invented;
        self.notes.extend(other.notes.iter().cloned());
    }

    /// One fact, named for the notes when it is not right.
    fn named(&mut self, found: Option<bool>, what: impl FnOnce() -> String) {
        match found {
            Some(true) => {}
            Some(false) => self.notes.push(format!("wrong    {}", what())),
            None => self.notes.push(format!("missing  {}", what())),
        }
        self.fact(found);
    }

    fn invent(&mut self, what: impl IntoIterator<Item = String>) {
        for what in what {
            self.notes.push(format!("invented {what}"));
            self.invented += 1;
        }
    }

    fn facts(&self) -> u32 {
        self.right + self.wrong + self.missing
    }

    /// One fact: right when `found` is `Some(true)`, wrong when `Some(false)`, else missing.
    fn fact(&mut self, found: Option<bool>) {
        match found {
            Some(true) => self.right += 1,
            Some(false) => self.wrong += 1,
            None => self.missing += 1,
        }
    }
}

/// Lower case letters and digits only: `Point-in-Time Recovery (PITR)` → `pointintimerecoverypitr`.
fn norm(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Whether two names name the same thing: one holds the other, once normalised.
fn same(a: &str, b: &str) -> bool {
    let (a, b) = (norm(a), norm(b));
    !a.is_empty() && !b.is_empty() && (a.contains(&b) || b.contains(&a))
}

fn seconds(text: &str) -> Option<u64> {
    humantime::parse_duration(text.trim())
        .ok()
        .map(|d| d.as_secs())
}

/// The kit as the scorer reads it: the config as plain TOML (valid or not), and the runbooks.
struct Kit {
    config: toml::Table,
    runbooks: Vec<warroom::runbook::Runbook>,
}

fn kit_of(name: &str, text: &str) -> Option<Kit> {
    let kit = warroom::import::import(name, text).ok()?;
    let file = |path: &str| kit.files.iter().find(|(p, _)| p == path).map(|(_, t)| t);
    let config = file("warroom.toml")
        .and_then(|t| t.parse::<toml::Table>().ok())
        .unwrap_or_default();
    let runbooks = kit
        .files
        .iter()
        .filter(|(p, _)| {
            let path = Path::new(p);
            path.starts_with("runbooks")
                && !path.starts_with("runbooks/drills")
                && path
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("md"))
        })
        .filter_map(|(p, t)| warroom::runbook::parse(p, t).ok())
        .collect();
    Some(Kit { config, runbooks })
}

fn tables<'a>(config: &'a toml::Table, key: &str) -> Vec<&'a toml::Table> {
    config
        .get(key)
        .and_then(toml::Value::as_array)
        .map(|a| a.iter().filter_map(toml::Value::as_table).collect())
        .unwrap_or_default()
}

fn text<'a>(table: &'a toml::Table, key: &str) -> Option<&'a str> {
    table.get(key).and_then(toml::Value::as_str)
}

fn service(expected: &Expected, kit: &Kit, score: &mut Score) {
    if let Some(want) = &expected.service {
        let got = kit
            .config
            .get("service")
            .and_then(toml::Value::as_table)
            .and_then(|s| text(s, "name"));
        score.named(got.map(|got| same(got, want)), || {
            format!("service {want:?} (kit: {got:?})")
        });
    }
}

fn components(expected: &Expected, kit: &Kit, score: &mut Score) {
    let made = tables(&kit.config, "component");
    let mut used = vec![false; made.len()];
    for want in &expected.components {
        let found = made
            .iter()
            .position(|c| text(c, "name").is_some_and(|n| same(n, &want.name)));
        score.named(found.map(|_| true), || format!("component {:?}", want.name));
        let Some(at) = found else {
            // Its targets and tier are missing with it.
            score.missing += [&want.rto, &want.rpo, &want.tier]
                .iter()
                .filter(|v| v.is_some())
                .count() as u32;
            continue;
        };
        used[at] = true;
        let got = made[at];
        for (key, value) in [("rto", &want.rto), ("rpo", &want.rpo)] {
            if let Some(value) = value {
                let made = text(got, key);
                let got = made.and_then(seconds);
                score.named(got.map(|g| Some(g) == seconds(value)), || {
                    format!("{key} of {:?}: {value} (kit: {made:?})", want.name)
                });
            }
        }
        if let Some(tier) = &want.tier {
            let made = text(got, "tier");
            score.named(made.map(|t| same(t, tier)), || {
                format!("tier of {:?}: {tier} (kit: {made:?})", want.name)
            });
        }
    }
    let names = |i: usize| format!("component {:?}", text(made[i], "name").unwrap_or_default());
    score.invent((0..made.len()).filter(|i| !used[*i]).map(names));
}

fn severities(expected: &Expected, kit: &Kit, score: &mut Score) {
    let made = kit
        .config
        .get("severity")
        .and_then(toml::Value::as_table)
        .map_or(0, toml::Table::len);
    for (n, want) in expected.severities.iter().enumerate() {
        score.named((n < made).then_some(true), || format!("severity {want}"));
    }
    let extra = made.saturating_sub(expected.severities.len());
    score.invent((0..extra).map(|n| format!("severity #{}", expected.severities.len() + n + 1)));
}

fn escalation(expected: &Expected, kit: &Kit, score: &mut Score) {
    let policies = tables(&kit.config, "escalation");
    let levels: Vec<&toml::Table> = policies
        .first()
        .map(|p| tables(p, "levels"))
        .unwrap_or_default();
    let contacts = tables(&kit.config, "contact");
    let who_of = |level: &toml::Table| -> Vec<String> {
        let ids = level.get("notify").and_then(toml::Value::as_array);
        ids.into_iter()
            .flatten()
            .filter_map(toml::Value::as_str)
            .flat_map(|id| {
                let contact = contacts.iter().find(|c| text(c, "id") == Some(id));
                let words = contact.map(|c| {
                    format!(
                        "{} {}",
                        text(c, "name").unwrap_or_default(),
                        text(c, "role").unwrap_or_default()
                    )
                });
                [id.to_owned()].into_iter().chain(words)
            })
            .collect()
    };
    for (n, want) in expected.escalation.iter().enumerate() {
        let got = levels.get(n);
        score.named(got.map(|_| true), || format!("level {}", n + 1));
        if let Some(after) = &want.after {
            let made = got.and_then(|l| text(l, "after")).and_then(seconds);
            score.named(got.map(|_| made == seconds(after)), || {
                format!("level {} after {after} (kit: {made:?} s)", n + 1)
            });
        }
        if !want.who.is_empty() {
            let notified = got.map(|l| who_of(l));
            let right = notified.as_ref().map(|names| {
                want.who
                    .iter()
                    .all(|w| names.iter().any(|name| same(name, w)))
            });
            score.named(right, || {
                format!("level {} who {:?} (kit: {notified:?})", n + 1, want.who)
            });
        }
    }
    let extra = levels.len().saturating_sub(expected.escalation.len());
    score.invent((0..extra).map(|n| format!("level {}", expected.escalation.len() + n + 1)));
}

fn contacts(expected: &Expected, kit: &Kit, score: &mut Score) {
    let made = tables(&kit.config, "contact");
    let mut used = vec![false; made.len()];
    for want in &expected.contacts {
        let found = made.iter().enumerate().position(|(i, c)| {
            !used[i]
                && match (&want.name, &want.role) {
                    (Some(name), _) => text(c, "name").is_some_and(|n| same(n, name)),
                    (None, Some(role)) => text(c, "role").is_some_and(|r| same(r, role)),
                    (None, None) => false,
                }
        });
        if let Some(at) = found {
            used[at] = true;
        }
        score.named(found.map(|_| true), || {
            format!("contact {:?} {:?}", want.name, want.role)
        });
    }
    // Whom a level calls is scored with the level: a contact made for it is not invented.
    let called = |c: &toml::Table| {
        let words = [text(c, "id"), text(c, "name"), text(c, "role")];
        expected
            .escalation
            .iter()
            .flat_map(|l| &l.who)
            .any(|who| words.iter().flatten().any(|w| norm(w) == norm(who)))
    };
    for (i, c) in made.iter().enumerate() {
        used[i] |= called(c);
    }
    let names = |i: usize| {
        let (name, role) = (text(made[i], "name"), text(made[i], "role"));
        format!("contact {name:?} {role:?}")
    };
    score.invent((0..made.len()).filter(|i| !used[*i]).map(names));
}

fn procedures(expected: &Expected, kit: &Kit, score: &mut Score) {
    let mut used = vec![false; kit.runbooks.len()];
    for want in &expected.procedures {
        let found = kit
            .runbooks
            .iter()
            .enumerate()
            .position(|(i, rb)| !used[i] && same(&rb.title, &want.name));
        score.named(found.map(|_| true), || format!("procedure {:?}", want.name));
        let runbook = found.map(|at| {
            used[at] = true;
            &kit.runbooks[at]
        });
        if let Some(steps) = want.steps {
            let made = runbook.map(|rb| rb.steps.len());
            score.named(made.map(|m| m == steps), || {
                format!("steps of {:?}: {steps} (kit: {made:?})", want.name)
            });
        }
        if let Some(commands) = want.commands {
            let made = runbook.map(|rb| rb.steps.iter().map(|s| s.commands.len()).sum::<usize>());
            score.named(made.map(|m| m == commands), || {
                format!("commands of {:?}: {commands} (kit: {made:?})", want.name)
            });
        }
    }
    let titles = |i: usize| format!("procedure {:?}", kit.runbooks[i].title);
    score.invent((0..used.len()).filter(|i| !used[*i]).map(titles));
}

/// Scores one plan against what was read in it.
fn score(name: &str, plan: &str, expected: &Expected) -> Score {
    let mut score = Score::default();
    let Some(kit) = kit_of(name, plan) else {
        // Nothing written: every fact the plan gives is missing, nothing is invented.
        let empty = Kit {
            config: toml::Table::new(),
            runbooks: Vec::new(),
        };
        return score_kit(expected, &empty);
    };
    score.add(&score_kit(expected, &kit));
    score
}

fn score_kit(expected: &Expected, kit: &Kit) -> Score {
    let mut score = Score::default();
    service(expected, kit, &mut score);
    components(expected, kit, &mut score);
    severities(expected, kit, &mut score);
    escalation(expected, kit, &mut score);
    contacts(expected, kit, &mut score);
    procedures(expected, kit, &mut score);
    score
}

fn corpus() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/plans-wild")
}

/// Every plan's score, by file name.
fn scores() -> BTreeMap<String, Score> {
    let mut scores = BTreeMap::new();
    for entry in std::fs::read_dir(corpus()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let expected_path = corpus().join("expected").join(format!("{stem}.toml"));
        let expected: Expected = toml::from_str(
            &std::fs::read_to_string(&expected_path)
                .unwrap_or_else(|_| panic!("{name} has no {}", expected_path.display())),
        )
        .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));
        let plan = std::fs::read_to_string(&path).unwrap();
        scores.insert(name.clone(), score(&name, &plan, &expected));
    }
    scores
}

/// README's table: one row a plan, then the total.
fn table(scores: &BTreeMap<String, Score>) -> String {
    let mut out = String::from(
        "| plan | facts | right | wrong | missing | invented |\n|---|---:|---:|---:|---:|---:|\n",
    );
    let mut total = Score::default();
    for (name, s) in scores {
        total.add(s);
        let _ = writeln!(
            out,
            "| `{name}` | {} | {} | {} | {} | {} |",
            s.facts(),
            s.right,
            s.wrong,
            s.missing,
            s.invented
        );
    }
    let _ = writeln!(
        out,
        "| **all {} plans** | {} | {} ({}%) | {} | {} | {} |",
        scores.len(),
        total.facts(),
        total.right,
        total.right * 100 / total.facts().max(1),
        total.wrong,
        total.missing,
        total.invented
    );
    out
}

#[test]
fn the_corpus_is_imported_no_worse_than_last_measured_and_readme_shows_it() {
    let scores = scores();
    assert!(
        scores.len() >= 15,
        "the corpus holds {} plans",
        scores.len()
    );
    let generated = table(&scores);
    println!("{generated}");
    if std::env::var_os("FIDELITY_VERBOSE").is_some() {
        for (name, s) in &scores {
            for note in &s.notes {
                println!("{name}: {note}");
            }
        }
    }
    support::readme::generated_section(
        BEGIN,
        END,
        &generated,
        "UPDATE_README=1 cargo test --test import_fidelity",
    );
    let mut total = Score::default();
    for s in scores.values() {
        total.add(s);
    }
    let per_mille = total.right * 1000 / total.facts().max(1);
    assert!(
        per_mille >= FLOOR_RIGHT_PER_MILLE,
        "{per_mille}‰ of the facts right, below the last measured {FLOOR_RIGHT_PER_MILLE}‰"
    );
    assert_eq!(
        total.invented, CEILING_INVENTED,
        "facts invented: the importer invents nothing"
    );
}

#[test]
fn the_scorer_tells_right_from_wrong_missing_and_invented() {
    let expected: Expected = toml::from_str(
        "service = \"Shop\"\ncomponents = [ { name = \"Database\", rto = \"4h\", rpo = \"1h\" } ]\n",
    )
    .unwrap();
    let config = "[service]\nname = \"Shop checkout\"\n\
        [[component]]\nname = \"Primary database\"\nrto = \"4h\"\nrpo = \"2h\"\n\
        [[component]]\nname = \"Grafana\"\n";
    let kit = Kit {
        config: config.parse().unwrap(),
        runbooks: Vec::new(),
    };
    let s = score_kit(&expected, &kit);
    assert_eq!(
        (s.right, s.wrong, s.missing, s.invented),
        (3, 1, 0, 1),
        "service and component right, its RTO right and RPO wrong; Grafana invented"
    );
    let nothing = score_kit(
        &expected,
        &Kit {
            config: toml::Table::new(),
            runbooks: Vec::new(),
        },
    );
    assert_eq!((nothing.right, nothing.missing), (0, 4));
}
