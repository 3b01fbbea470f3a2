//! The steps of a runbook read from a plan: numbered items and stages, their checks, and code
//! blocks as commands (shell, cut into runnable chunks) or verbatim text.

use super::outline::{Block, Code, Item, List};
use super::words::mentions;
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

fn is_shell(lang: &str) -> bool {
    matches!(
        lang,
        "sh" | "bash" | "shell" | "zsh" | "console" | "shell-session" | "ksh"
    )
}

pub(super) fn is_descriptive(title: &str) -> bool {
    let lower = title.to_lowercase();
    DESCRIPTIVE.iter().any(|d| lower.starts_with(d))
}

/// A label that says how the failure shows (`Detection`, `Trigger`, `Symptoms`).
pub(super) fn is_signal(label: &str) -> bool {
    mentions(
        label,
        &["detection", "symptom", "indicator", "sign", "trigger"],
    )
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

pub(super) fn has_window(label: Option<&str>) -> bool {
    label.is_some_and(|l| crate::runbook::phase::window_in_heading(l).is_some())
}

impl StepDraft {
    pub(super) fn is_empty(&self) -> bool {
        self.text.is_empty() && self.checks.is_empty() && self.code.is_empty()
    }
}

impl RunbookDraft {
    pub fn steps(&self) -> impl Iterator<Item = &StepDraft> {
        self.phases.iter().flat_map(|p| &p.steps)
    }
}

pub(super) fn stages(list: &List, rb: &mut RunbookDraft, draft: &mut Draft) {
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
        // A stage's own bullets are one step's checks (`Immediate (0-5 min)`: check, verify).
        fill_blocks(&mut scratch, &item.blocks, rb, draft, false);
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

/// Turns a section's blocks into steps of `phase`.
pub(super) fn fill(
    phase: &mut PhaseDraft,
    blocks: &[Block],
    rb: &mut RunbookDraft,
    draft: &mut Draft,
) {
    fill_blocks(phase, blocks, rb, draft, true);
}

/// Turns blocks into steps of `phase`. Bullets are the steps where `bullet_steps`, nothing is
/// numbered and they instruct; else each bullet list is one step's checks.
fn fill_blocks(
    phase: &mut PhaseDraft,
    blocks: &[Block],
    rb: &mut RunbookDraft,
    draft: &mut Draft,
    bullet_steps: bool,
) {
    let mut intro: Vec<String> = Vec::new();
    let context = phase.title.clone().unwrap_or_else(|| rb.title.clone());
    let numbered = !bullet_steps
        || blocks
            .iter()
            .any(|b| matches!(b, Block::List(l) if l.ordered));
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
            Block::List(list) if list.ordered || (!numbered && list.instructs()) => {
                for item in &list.items {
                    steps_of(item, &mut intro, &mut phase.steps, draft);
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
            // The plan's own literal (targets, tiers, procedures) is read as the plan.
            Block::Code(code) if super::literal::holds_targets(code) => {}
            Block::Code(code) => {
                let title = intro.pop().map(|t| words::strip_numbering(&t));
                phase
                    .steps
                    .extend(code_steps(code, title, std::mem::take(&mut intro), draft));
            }
            Block::Table(table) => match super::tables::steps(table) {
                Some(rows) => phase
                    .steps
                    .extend(rows.into_iter().map(|(title, text, line)| {
                        let (title, long) = short_title(&title);
                        StepDraft {
                            title,
                            line,
                            text: long.into_iter().chain(text).collect(),
                            ..StepDraft::default()
                        }
                    })),
                None => draft.report.human(
                    table.line,
                    format!(
                        "a table inside \"{}\" was left out of its runbook",
                        rb.title
                    ),
                ),
            },
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

/// The steps of a numbered item: the item itself, and each item of a numbered list nested in
/// it as a step of its own (`1. Re-run the job` → `1. Fetch the definition` with its command),
/// so no command under a sub-step is lost. Nested bullets are the step's checks. A worklist,
/// not recursion: a list nested thousands deep cannot overflow the stack.
fn steps_of(item: &Item, intro: &mut Vec<String>, steps: &mut Vec<StepDraft>, draft: &mut Draft) {
    // Items still to read, last first, each with the title of the item it is nested in.
    let mut todo: Vec<(&Item, Option<String>)> = vec![(item, None)];
    let mut intro = std::mem::take(intro);
    while let Some((item, parent)) = todo.pop() {
        let whole = item.text.whole();
        let titled = parent.map_or_else(|| whole.clone(), |p| format!("{p}: {whole}"));
        let (title, long) = short_title(&titled);
        let mut step = StepDraft {
            title,
            line: item.line,
            text: std::mem::take(&mut intro),
            ..StepDraft::default()
        };
        step.text.extend(long);
        let mut sub_steps: Vec<&Item> = Vec::new();
        for block in &item.blocks {
            match block {
                Block::Para(p) => step.text.push(p.whole()),
                Block::List(list) if list.ordered => sub_steps.extend(&list.items),
                Block::List(list) => {
                    for inner in &list.items {
                        step.checks.push(inner.text.whole());
                        nested_checks(inner, &mut step.checks);
                        code_into(&inner.blocks, &mut step, draft);
                    }
                }
                Block::Code(_) | Block::Table(_) => {}
            }
        }
        code_into(&item.blocks, &mut step, draft);
        // An item whose sub-steps carry the work is their heading: its title leads theirs
        // (without a prompt note such as `(ncn-mw#)` or its full stop).
        let heading = whole
            .strip_prefix('(')
            .and_then(|t| t.split_once(')'))
            .map_or(whole.as_str(), |(_, rest)| rest)
            .trim()
            .trim_end_matches(['.', ':'])
            .to_owned();
        if sub_steps.is_empty() || !step.is_empty() {
            steps.push(step);
        }
        todo.extend(
            sub_steps
                .into_iter()
                .rev()
                .map(|i| (i, Some(heading.clone()))),
        );
    }
}

/// The bullets nested under an item, depth first, as checks (a worklist: any depth).
fn nested_checks(item: &Item, checks: &mut Vec<String>) {
    fn lists(item: &Item) -> Vec<&Item> {
        item.blocks
            .iter()
            .filter_map(|b| match b {
                Block::List(list) => Some(&list.items),
                _ => None,
            })
            .flatten()
            .collect()
    }
    let mut todo: Vec<&Item> = lists(item).into_iter().rev().collect();
    while let Some(inner) = todo.pop() {
        checks.push(inner.text.whole());
        todo.extend(lists(inner).into_iter().rev());
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

/// A code block as a step. A shell block is one script, run whole by its shell (or the shell
/// its `#!` line names): a function it defines serves the lines after it, and blank lines never
/// cut it. Its leading comment is the step's title; a block of comments only is a manual step.
/// Other code is one step, verbatim.
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
    shell_step(code, title, text, draft).into_iter().collect()
}

/// The shell that runs a block: its fence's (`bash`, `zsh`, `ksh`), else `sh` (a `#!` line in
/// the script names its own, and the runner honours it).
fn shell_of(lang: &str) -> &'static str {
    match lang {
        "bash" => "bash",
        "zsh" => "zsh",
        "ksh" => "ksh",
        _ => "sh",
    }
}

/// A whole shell block as one step: its commands as one script, its leading comment as the
/// title, or its comments alone as a manual step.
fn shell_step(
    code: &Code,
    title: Option<String>,
    notes: Vec<String>,
    draft: &mut Draft,
) -> Option<StepDraft> {
    let block = code.text.trim();
    let is_comment = |l: &str| l.trim_start().starts_with('#') && !l.trim_start().starts_with("#!");
    let leading: Vec<String> = block
        .lines()
        .skip_while(|l| l.trim_start().starts_with("#!"))
        .take_while(|l| l.trim().is_empty() || is_comment(l))
        .map(|c| c.trim_start().trim_start_matches('#').trim().to_owned())
        .filter(|c| !c.is_empty())
        .collect();
    let runnable: Vec<&str> = block
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .collect();
    let Some(first_command) = runnable.first() else {
        let (first, rest) = leading.split_first()?;
        return Some(StepDraft {
            title: short_title(&words::strip_numbering(first)).0,
            line: code.line,
            text: notes.into_iter().chain(rest.iter().cloned()).collect(),
            ..StepDraft::default()
        });
    };
    let step_title = match (title, leading.first()) {
        (Some(t), _) => t,
        (None, Some(c)) if !words::strip_numbering(c).is_empty() => words::strip_numbering(c),
        _ => format!("Run {}", first_words(first_command)),
    };
    let placeholders = placeholders(block);
    if !placeholders.is_empty() {
        draft.report.human(
            code.line,
            format!(
                "command `{}` has placeholders {} to fill before it can run",
                first_words(first_command),
                placeholders.join(", ")
            ),
        );
    }
    // The leading comment is the title: the script keeps its `#!` line and what follows.
    let shebang = block
        .lines()
        .take_while(|l| l.trim_start().starts_with("#!"));
    let body = block
        .lines()
        .skip_while(|l| l.trim_start().starts_with("#!"))
        .skip_while(|l| l.trim().is_empty() || is_comment(l));
    let script = shebang.chain(body).collect::<Vec<_>>().join("\n");
    Some(StepDraft {
        title: short_title(&step_title).0,
        line: code.line,
        text: notes,
        code: vec![(true, shell_of(&code.lang).into(), script)],
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
pub(super) fn placeholders(script: &str) -> Vec<String> {
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

/// Steps made under a subheading take its title where they have none of their own.
pub(super) fn name_steps(steps: &mut [StepDraft], title: &str) {
    match steps {
        [only] if !is_generic(title) => {
            if only.title.is_empty() || only.title.starts_with("Run ") || only.title == title {
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
