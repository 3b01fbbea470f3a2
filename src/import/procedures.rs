//! Scenarios and procedures: each becomes a runbook (phases with their windows, numbered steps,
//! shell blocks as confirmed commands, other code verbatim, bullets as checks); each scenario
//! also gets a drill that fails the components it names.

use std::fmt::Write as _;

use super::outline::{Block, Code, Item, List, Section};
use super::service::{distinctive, mentions};
use super::{Draft, words};

#[derive(Debug, Clone, Default)]
pub struct StepDraft {
    pub title: String,
    pub line: usize,
    pub text: Vec<String>,
    pub checks: Vec<String>,
    /// In order: shell commands (`true`) and verbatim code (`false`, with its language).
    pub code: Vec<(bool, String, String)>,
}

impl StepDraft {
    fn is_empty(&self) -> bool {
        self.text.is_empty() && self.checks.is_empty() && self.code.is_empty()
    }
}

#[derive(Debug, Clone, Default)]
pub struct PhaseDraft {
    pub title: Option<String>,
    pub steps: Vec<StepDraft>,
}

#[derive(Debug, Clone, Default)]
pub struct RunbookDraft {
    pub id: String,
    pub title: String,
    pub line: usize,
    /// What the scenario is: its cause, impact and how it is detected.
    pub summary: Vec<String>,
    /// How it shows (detection bullets), for the drill's inject message.
    pub signals: Vec<String>,
    pub phases: Vec<PhaseDraft>,
    /// A disaster scenario (it gets a drill), not a procedure.
    pub scenario: bool,
    /// Components it is about (ids), found by name once every component is known.
    pub components: Vec<String>,
    /// The components its drill fails.
    pub injects: Vec<String>,
}

impl RunbookDraft {
    pub fn steps(&self) -> impl Iterator<Item = &StepDraft> {
        self.phases.iter().flat_map(|p| &p.steps)
    }
}

/// Labels that describe a scenario rather than say what to do.
const DESCRIPTIVE: [&str; 13] = [
    "scenario",
    "cause",
    "impact",
    "description",
    "symptom",
    "trigger",
    "detection",
    "indicator",
    "overview",
    "context",
    "scope",
    "affected",
    "sign",
];

/// Headings under which nothing is a procedure to follow in an incident.
const NOT_PROCEDURES: [&str; 17] = [
    "test",
    "drill",
    "training",
    "compliance",
    "audit",
    "documentation",
    "communication",
    "contact",
    "monitoring",
    "alert",
    "metric",
    "review",
    "improvement",
    "template",
    "appendi",
    "escalation",
    "knowledge",
];

const SCENARIO_WORDS: [&str; 13] = [
    "scenario",
    "disaster",
    "outage",
    "failure",
    "breach",
    "corruption",
    "compromise",
    " loss",
    "attack",
    "unavailable",
    "down",
    " lost",
    "playbook",
];

const CONTAINERS: [&str; 7] = [
    "scenarios",
    "procedures",
    "runbooks",
    "playbooks",
    "plans",
    "guides",
    "responses",
];

fn starts_a_word(title: &str, words: &[&str]) -> bool {
    title
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| words.iter().any(|p| w.starts_with(p)))
}

fn is_shell(lang: &str) -> bool {
    matches!(
        lang,
        "sh" | "bash" | "shell" | "zsh" | "console" | "shell-session" | "ksh"
    )
}

/// A block that says to do something: a numbered list or code (not diagrams or targets).
fn acts(block: &Block) -> bool {
    match block {
        Block::List(list) => list.ordered || list.items.iter().any(|i| i.blocks.iter().any(acts)),
        Block::Code(code) => {
            code.lang != "mermaid"
                && !code.text.trim().is_empty()
                && !super::literal::holds_targets(code)
        }
        Block::Para(_) | Block::Table(_) => false,
    }
}

fn has_actions(section: &Section) -> bool {
    section.blocks.iter().any(acts) || section.children.iter().any(has_actions)
}

fn is_descriptive(title: &str) -> bool {
    let lower = title.to_lowercase();
    DESCRIPTIVE.iter().any(|d| lower.starts_with(d))
}

/// A label that says how the failure shows (`Detection`, `Trigger`, `Symptoms`).
fn is_signal(label: &str) -> bool {
    mentions(
        label,
        &["detection", "symptom", "indicator", "sign", "trigger"],
    )
}

fn is_container(section: &Section) -> bool {
    if section.level <= 1 || starts_a_word(&section.title, &CONTAINERS) {
        return true;
    }
    section.level <= 2
        && !mentions(&section.title, &SCENARIO_WORDS)
        && section
            .children
            .iter()
            .any(|c| !c.from_label && has_actions(c))
}

/// Finds the runbooks of the plan.
pub fn read(root: &Section, draft: &mut Draft) {
    visit(root, &mut Vec::new(), draft);
}

fn visit<'a>(section: &'a Section, path: &mut Vec<&'a str>, draft: &mut Draft) {
    if section.level > 0 && starts_a_word(&section.title, &NOT_PROCEDURES) {
        return;
    }
    if !has_actions(section) {
        return;
    }
    // The document's title says "disaster recovery" of everything: it tells no scenario.
    if section.level >= 2 {
        path.push(&section.title);
    }
    if is_container(section) {
        if section.level > 0 && section.blocks.iter().any(acts) {
            let own = Section {
                children: Vec::new(),
                ..section.clone()
            };
            runbook(&own, path, draft);
        }
        for child in &section.children {
            visit(child, path, draft);
        }
    } else {
        runbook(section, path, draft);
    }
    if section.level >= 2 {
        path.pop();
    }
}

fn runbook(section: &Section, path: &[&str], draft: &mut Draft) {
    let title = words::strip_numbering(&section.title);
    let mut rb = RunbookDraft {
        title: title.clone(),
        line: section.line,
        scenario: path.iter().any(|p| mentions(p, &SCENARIO_WORDS)),
        ..RunbookDraft::default()
    };
    let mut opening = PhaseDraft::default();
    fill(&mut opening, &section.blocks, &mut rb, draft);
    rb.phases.push(opening);
    for child in &section.children {
        if child.from_label && is_descriptive(&child.title) {
            describe(child, &mut rb);
            continue;
        }
        phases_of(child, &mut rb, draft);
    }
    for phase in &mut rb.phases {
        phase
            .steps
            .retain(|s| !(s.title.trim().is_empty() && s.is_empty()));
    }
    rb.phases.retain(|p| !p.steps.is_empty());
    if rb.phases.is_empty() {
        let why = unclosed(section).map_or_else(
            || "nothing in it to do".to_owned(),
            |line| format!("the plan ends inside the code block opened at line {line}"),
        );
        draft.report.human(
            section.line,
            format!("\"{title}\": no runbook made ({why})"),
        );
        return;
    }
    draft.report.covered.push(section.line);
    let mut taken: Vec<String> = draft.runbooks.iter().map(|r| r.id.clone()).collect();
    rb.id = words::unique_slug(&title, "runbook", &mut taken);
    dedupe_titles(&mut rb);
    let steps = rb.steps().count();
    let commands = rb.steps().flat_map(|s| &s.code).filter(|c| c.0).count();
    draft.report.made(
        section.line,
        format!(
            "runbook `{}`: {} phases, {steps} steps, {commands} command(s){}",
            rb.id,
            rb.phases.iter().filter(|p| p.title.is_some()).count(),
            if rb.scenario { ", and a drill" } else { "" }
        ),
    );
    draft.runbooks.push(rb);
}

fn unclosed(section: &Section) -> Option<usize> {
    let own = section.blocks.iter().find_map(|b| match b {
        Block::Code(c) if c.unclosed => Some(c.line),
        _ => None,
    });
    own.or_else(|| section.children.iter().find_map(unclosed))
}

/// Step titles are unique in a runbook: a repeated one gets ` (2)`.
fn dedupe_titles(rb: &mut RunbookDraft) {
    let mut seen: Vec<String> = Vec::new();
    for step in rb.phases.iter_mut().flat_map(|p| &mut p.steps) {
        let mut title = step.title.clone();
        let mut n = 2;
        while seen.contains(&title) {
            title = format!("{} ({n})", step.title);
            n += 1;
        }
        seen.push(title.clone());
        step.title = title;
    }
}

/// A descriptive part (cause, impact, detection) joins the summary; detection also gives the
/// drill's signals.
fn describe(section: &Section, rb: &mut RunbookDraft) {
    let mut items = Vec::new();
    for block in &section.blocks {
        match block {
            Block::List(list) => items.extend(list.items.iter().map(|i| i.text.whole())),
            Block::Para(text) => items.push(text.whole()),
            _ => {}
        }
    }
    if is_signal(&section.title) {
        rb.signals.extend(items.iter().cloned());
    }
    if !items.is_empty() {
        rb.summary.push(format!(
            "{}: {}.",
            section.title,
            items.join("; ").trim_end_matches('.')
        ));
    }
}

/// A child of a runbook's section: one phase, or several when it is a numbered list of
/// windowed stages (`1. **Immediate (0-5 minutes)**:` with what to do under each).
fn phases_of(section: &Section, rb: &mut RunbookDraft, draft: &mut Draft) {
    let staged = section.blocks.iter().find_map(|b| match b {
        Block::List(list)
            if list
                .items
                .iter()
                .any(|i| has_window(i.text.label.as_deref())) =>
        {
            Some(list)
        }
        _ => None,
    });
    if let Some(list) = staged {
        return stages(list, rb, draft);
    }
    let mut phase = PhaseDraft {
        title: Some(words::strip_numbering(&section.title)),
        steps: Vec::new(),
    };
    fill(&mut phase, &section.blocks, rb, draft);
    for child in &section.children {
        let mut sub = PhaseDraft::default();
        fill(&mut sub, &child.blocks, rb, draft);
        name_steps(&mut sub.steps, &words::strip_numbering(&child.title));
        phase.steps.extend(sub.steps);
        for grandchild in &child.children {
            let mut deeper = PhaseDraft::default();
            fill(&mut deeper, &grandchild.blocks, rb, draft);
            name_steps(
                &mut deeper.steps,
                &words::strip_numbering(&grandchild.title),
            );
            phase.steps.extend(deeper.steps);
        }
    }
    rb.phases.push(phase);
}

/// `Immediate (0-5 minutes)` → `Immediate`.
fn without_window(title: &str) -> String {
    match title.find(" (") {
        Some(at) if has_window(Some(title)) => title[..at].trim().to_owned(),
        _ => title.to_owned(),
    }
}

/// Labels that say only that steps follow (`Commands`, `Steps`).
fn is_generic(label: &str) -> bool {
    matches!(
        label.trim().to_lowercase().as_str(),
        "commands"
            | "command"
            | "steps"
            | "actions"
            | "procedure"
            | "procedures"
            | "run"
            | "script"
    )
}

fn has_window(label: Option<&str>) -> bool {
    label.is_some_and(|l| crate::runbook::phase::window_in_heading(l).is_some())
}

/// Steps made under a subheading take its title where they have none of their own.
fn name_steps(steps: &mut [StepDraft], title: &str) {
    match steps {
        [only] if !is_generic(title) => {
            if only.title.is_empty() || only.title.starts_with("Run ") {
                only.title = title.to_owned();
            } else {
                only.title = format!("{title}: {}", only.title);
            }
        }
        many => {
            for step in many {
                if step.title.is_empty() || (step.title.starts_with("Run ") && !is_generic(title)) {
                    step.title = title.to_owned();
                }
            }
        }
    }
}

fn stages(list: &List, rb: &mut RunbookDraft, draft: &mut Draft) {
    for item in &list.items {
        let label = item.text.label.clone().unwrap_or_else(|| item.text.whole());
        if has_window(Some(&label)) || rb.phases.last().is_none_or(|p| p.title.is_none()) {
            rb.phases.push(PhaseDraft {
                title: Some(words::strip_numbering(&label)),
                steps: Vec::new(),
            });
        }
        let phase = rb.phases.last_mut().expect("a phase");
        let before = phase.steps.len();
        let mut scratch = PhaseDraft {
            title: Some(words::strip_numbering(&label)),
            steps: Vec::new(),
        };
        fill(&mut scratch, &item.blocks, rb, draft);
        let phase = rb.phases.last_mut().expect("a phase");
        if !has_window(Some(&label)) {
            name_steps(&mut scratch.steps, &words::strip_numbering(&label));
        }
        phase.steps.extend(scratch.steps);
        if phase.steps.len() == before && !item.text.rest.is_empty() {
            phase.steps.push(StepDraft {
                title: item.text.rest.clone(),
                line: item.line,
                ..StepDraft::default()
            });
        }
    }
}

/// Turns blocks into steps of `phase`.
fn fill(phase: &mut PhaseDraft, blocks: &[Block], rb: &mut RunbookDraft, draft: &mut Draft) {
    let mut intro: Vec<String> = Vec::new();
    let context = phase.title.clone().unwrap_or_else(|| rb.title.clone());
    for block in blocks {
        match block {
            Block::Para(text) => {
                if text.label.as_deref().is_some_and(is_descriptive) {
                    if text.label.as_deref().is_some_and(is_signal) && !text.rest.is_empty() {
                        rb.signals.push(text.rest.clone());
                    }
                    rb.summary
                        .push(format!("{}.", text.whole().trim_end_matches('.')));
                } else if phase.title.is_none() && phase.steps.is_empty() && text.label.is_none() {
                    rb.summary.push(text.whole());
                } else {
                    intro.push(text.whole());
                }
            }
            Block::List(list) if list.ordered => {
                for item in &list.items {
                    phase.steps.push(step_of(item, &mut intro, draft));
                }
            }
            Block::List(list) => {
                if list.items.iter().all(severity_label) {
                    continue;
                }
                let title = intro
                    .pop()
                    .unwrap_or_else(|| without_window(&words::strip_numbering(&context)));
                let mut step = StepDraft {
                    title: short_title(&title).0,
                    line: list.line,
                    text: std::mem::take(&mut intro),
                    ..StepDraft::default()
                };
                for item in &list.items {
                    step.checks.push(item.text.whole());
                    nested_checks(item, &mut step.checks);
                    code_into(&item.blocks, &mut step, draft);
                }
                phase.steps.push(step);
            }
            Block::Code(code) => {
                let title = intro.pop().map(|t| words::strip_numbering(&t));
                phase
                    .steps
                    .extend(code_steps(code, title, std::mem::take(&mut intro), draft));
            }
            Block::Table(table) => draft.report.human(
                table.line,
                format!(
                    "a table inside \"{}\" was left out of its runbook",
                    rb.title
                ),
            ),
        }
    }
    if let (Some(last), false) = (phase.steps.last_mut(), intro.is_empty()) {
        last.text.append(&mut intro);
    }
}

fn severity_label(item: &Item) -> bool {
    item.text.label.as_deref().is_some_and(|l| {
        let l = l.to_lowercase();
        (l.starts_with('p') || l.starts_with("sev")) && words::severity(&l).is_some()
    })
}

/// A long item is cut into a title and the rest as text.
fn short_title(text: &str) -> (String, Option<String>) {
    let text = text.trim().trim_end_matches(':').trim();
    if text.chars().count() <= 72 {
        return (text.to_owned(), None);
    }
    let cut = text
        .char_indices()
        .take_while(|(i, _)| *i < 72)
        .filter(|(_, c)| *c == ' ')
        .map(|(i, _)| i)
        .max()
        .unwrap_or(72.min(text.len()));
    let cut = (0..=cut)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    (
        format!("{}…", text[..cut].trim_end()),
        Some(text.to_owned()),
    )
}

fn step_of(item: &Item, intro: &mut Vec<String>, draft: &mut Draft) -> StepDraft {
    let (title, long) = short_title(&item.text.whole());
    let mut step = StepDraft {
        title,
        line: item.line,
        text: std::mem::take(intro),
        ..StepDraft::default()
    };
    step.text.extend(long);
    nested_checks(item, &mut step.checks);
    for block in &item.blocks {
        if let Block::Para(p) = block {
            step.text.push(p.whole());
        }
    }
    code_into(&item.blocks, &mut step, draft);
    step
}

fn nested_checks(item: &Item, checks: &mut Vec<String>) {
    for block in &item.blocks {
        if let Block::List(list) = block {
            for inner in &list.items {
                checks.push(inner.text.whole());
                nested_checks(inner, checks);
            }
        }
    }
}

/// Code under a list item goes into that item's step.
fn code_into(blocks: &[Block], step: &mut StepDraft, draft: &mut Draft) {
    for block in blocks {
        if let Block::Code(code) = block {
            for s in code_steps(code, None, Vec::new(), draft) {
                step.code.extend(s.code);
                step.text.extend(s.text);
            }
        }
    }
}

/// A shell block, cut into steps at blank lines: a chunk's leading comment is its title,
/// a chunk of comments only is text for the next. Other code is one step, verbatim.
fn code_steps(
    code: &Code,
    title: Option<String>,
    text: Vec<String>,
    draft: &mut Draft,
) -> Vec<StepDraft> {
    if !is_shell(&code.lang) {
        let first_comment = code.text.lines().find_map(|l| {
            let l = l.trim();
            ["//", "--", "#"]
                .iter()
                .find_map(|m| l.strip_prefix(m))
                .map(|c| c.trim().to_owned())
                .filter(|c| !c.is_empty() && !c.starts_with('!'))
        });
        if code.lang.is_empty() {
            draft.report.human(
                code.line,
                "a code block without a language was kept as text; mark it ```sh to run it as a command",
            );
        }
        let lang = if code.lang.is_empty() {
            "text".to_owned()
        } else {
            code.lang.clone()
        };
        return vec![StepDraft {
            title: title
                .or(first_comment)
                .unwrap_or_else(|| format!("Apply the {lang}")),
            line: code.line,
            text,
            code: vec![(false, lang, code.text.trim_end().to_owned())],
            ..StepDraft::default()
        }];
    }
    let mut steps: Vec<StepDraft> = Vec::new();
    let mut notes: Vec<String> = text;
    let mut title = title;
    for chunk in code
        .text
        .split("\n\n")
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        if let Some(step) = shell_chunk(chunk, code.line, &mut title, &mut notes, draft) {
            steps.push(step);
        }
    }
    if let (Some(last), false) = (steps.last_mut(), notes.is_empty()) {
        last.text.append(&mut notes);
    }
    steps
}

/// One blank-line-separated chunk of a shell block as a step: commands with their leading
/// comment as the title, or comments alone as a manual step.
fn shell_chunk(
    chunk: &str,
    line: usize,
    title: &mut Option<String>,
    notes: &mut Vec<String>,
    draft: &mut Draft,
) -> Option<StepDraft> {
    let is_comment = |l: &str| l.trim_start().starts_with('#');
    let comments: Vec<String> = chunk
        .lines()
        .filter(|l| is_comment(l) && !l.trim_start().starts_with("#!"))
        .map(|c| c.trim_start().trim_start_matches('#').trim().to_owned())
        .filter(|c| !c.is_empty())
        .collect();
    let runnable: Vec<&str> = chunk
        .lines()
        .filter(|l| !l.trim().is_empty() && !is_comment(l))
        .collect();
    let Some(first_command) = runnable.first() else {
        let (first, rest) = comments.split_first()?;
        return Some(StepDraft {
            title: short_title(&words::strip_numbering(first)).0,
            line,
            text: std::mem::take(notes)
                .into_iter()
                .chain(rest.iter().cloned())
                .collect(),
            ..StepDraft::default()
        });
    };
    let script = chunk
        .lines()
        .skip_while(|l| is_comment(l))
        .collect::<Vec<_>>()
        .join("\n");
    let chunk_title = comments
        .first()
        .map(|c| words::strip_numbering(c))
        .filter(|c| !c.is_empty() && chunk.trim_start().starts_with('#'));
    let step_title = match (chunk_title, title.take()) {
        (Some(c), _) | (None, Some(c)) => c,
        (None, None) => format!("Run {}", first_words(first_command)),
    };
    let placeholders = placeholders(&script);
    if !placeholders.is_empty() {
        draft.report.human(
            line,
            format!(
                "command `{}` has placeholders {} to fill before it can run",
                first_words(first_command),
                placeholders.join(", ")
            ),
        );
    }
    Some(StepDraft {
        title: short_title(&step_title).0,
        line,
        text: std::mem::take(notes),
        code: vec![(true, "sh".into(), script)],
        ..StepDraft::default()
    })
}

fn first_words(command: &str) -> String {
    let line = command.trim();
    let cut: String = line.chars().take(48).collect();
    if cut.len() < line.len() {
        format!("{cut}…")
    } else {
        cut
    }
}

/// `<backup-name>` and the like in a command.
fn placeholders(script: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = script;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('>') else { break };
        let inner = &after[..end];
        if !inner.is_empty()
            && inner.len() <= 40
            && inner
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
        {
            let p = format!("<{inner}>");
            if !out.contains(&p) {
                out.push(p);
            }
        }
        rest = &after[end + 1..];
    }
    out
}

/// Once components are known: what each runbook is about, and what its drill fails.
pub fn settle(draft: &mut Draft) {
    for i in 0..draft.runbooks.len() {
        let rb = &draft.runbooks[i];
        let title = rb.title.to_lowercase();
        let body = format!("{} {}", rb.summary.join(" "), rb.signals.join(" ")).to_lowercase();
        let steps: String = rb
            .steps()
            .fold(String::new(), |mut all, s| {
                let _ = write!(all, "{} {} ", s.title, s.text.join(" "));
                all
            })
            .to_lowercase();
        let about = |text: &str| named_in(&draft.components, text);
        let mut components = about(&title);
        if components.is_empty() {
            components = about(&body);
        }
        let mut inject = components.clone();
        for extra in about(&steps) {
            if !components.contains(&extra) {
                components.push(extra);
            }
        }
        if rb.scenario && inject.is_empty() {
            let top = draft
                .components
                .iter()
                .map(|c| tier_rank(draft, c.tier.as_deref()))
                .min();
            inject = draft
                .components
                .iter()
                .filter(|c| Some(tier_rank(draft, c.tier.as_deref())) == top)
                .take(1)
                .map(|c| c.id.clone())
                .collect();
            let line = rb.line;
            let title = rb.title.clone();
            draft.report.human(
                line,
                format!("scenario \"{title}\" names no component of the plan: its drill fails {} (the first of the most important tier); change the drill's inject", inject.join(", ")),
            );
        }
        inject.truncate(4);
        let rb = &mut draft.runbooks[i];
        rb.components = components;
        rb.injects = inject;
        for id in rb.components.clone() {
            if let Some(c) = draft.components.iter_mut().find(|c| c.id == id) {
                c.runbooks.push(draft.runbooks[i].id.clone());
            }
        }
    }
}

fn tier_rank(draft: &Draft, tier: Option<&str>) -> usize {
    draft
        .tiers
        .iter()
        .find(|t| Some(t.name.as_str()) == tier)
        .map_or(usize::MAX, |t| t.rank)
}

/// Components whose distinctive words appear in `text`; replicas and standbys only when
/// nothing else matches.
fn named_in(components: &[super::ComponentDraft], text: &str) -> Vec<String> {
    let words_of_text: Vec<&str> = text.split(|c: char| !c.is_alphanumeric()).collect();
    let found: Vec<&super::ComponentDraft> = components
        .iter()
        .filter(|c| {
            distinctive(&c.name).iter().any(|w| {
                words_of_text
                    .iter()
                    .any(|t| t == w || t.strip_suffix('s') == Some(w))
            })
        })
        .collect();
    let standby = |c: &&super::ComponentDraft| {
        mentions(
            &c.name,
            &[
                "replica",
                "failover",
                "backup",
                "secondary",
                "standby",
                "fallback",
            ],
        )
    };
    let primary: Vec<String> = found
        .iter()
        .filter(|c| !standby(c))
        .map(|c| c.id.clone())
        .collect();
    if primary.is_empty() {
        found.iter().map(|c| c.id.clone()).collect()
    } else {
        primary
    }
}
