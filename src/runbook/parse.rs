//! Reading a runbook: the front matter, then the Markdown walked into phases, steps, commands and
//! checks, every problem a diagnostic with its line.

use std::ops::Range;
use std::path::PathBuf;

use super::front_matter::{front_matter, id_from_name};

use super::parse_expect;
use super::phase::{Automation, Phase, Window, parse_window, window_in_heading};
use super::{Command, DEFAULT_TIMEOUT, Expect, OnFail, Part, Runbook, Step};
use crate::config::{Diagnostic, Invalid, Source, diag};

const ATTRIBUTES: [&str; 6] = [
    "confirm", "timeout", "on_fail", "expect", "recovers", "approve",
];

/// Splits `sh {confirm=true timeout="2m"}` into its language and attributes.
fn info_attributes(info: &str) -> Result<(String, Vec<(String, String)>), String> {
    let (lang, rest) = info.split_once('{').map_or((info, ""), |(l, r)| (l, r));
    let rest = rest.trim_end().trim_end_matches('}');
    let mut attrs = Vec::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace() || *c == ',').is_some() {}
        let key: String =
            std::iter::from_fn(|| chars.next_if(|c| *c != '=' && !c.is_whitespace())).collect();
        if key.is_empty() {
            break;
        }
        if chars.next() != Some('=') {
            return Err(format!(
                "attribute `{key}` needs a value, e.g. {key}=\"...\""
            ));
        }
        let value: String = if chars.next_if_eq(&'"').is_some() {
            let v = std::iter::from_fn(|| chars.next_if(|c| *c != '"')).collect();
            chars.next();
            v
        } else {
            std::iter::from_fn(|| chars.next_if(|c| !c.is_whitespace() && *c != ',')).collect()
        };
        attrs.push((key, value));
    }
    Ok((lang.trim().to_owned(), attrs))
}

/// The commands of a transcript: its `$ ` lines without the prompt, a trailing `\\` joining the
/// next line.
fn prompt_lines(script: &str) -> Vec<String> {
    let mut commands: Vec<String> = Vec::new();
    let mut continued = false;
    for line in script.lines() {
        if continued {
            if let Some(last) = commands.last_mut() {
                last.push('\n');
                last.push_str(line);
            }
        } else if let Some(command) = line.trim_start().strip_prefix("$ ") {
            commands.push(command.to_owned());
        } else {
            continue;
        }
        continued = line.trim_end().ends_with('\\');
    }
    commands
}

/// True for a shell block that is a transcript, a command and its output as a terminal showed
/// them: shown, never run. A `console` or `shell-session` block is one, and so is any block with a
/// line that starts with a `$ ` prompt.
pub(super) fn is_transcript(info: &str, script: &str) -> bool {
    let lang = info
        .split(|c: char| c == '{' || c.is_whitespace())
        .next()
        .unwrap_or("");
    matches!(lang, "console" | "shell-session" | "terminal")
        || script.lines().any(|l| l.trim_start().starts_with("$ "))
}

/// True for a fence whose language is a shell: the step's command.
pub(super) fn is_shell(info: &str) -> bool {
    let lang = info
        .split(|c: char| c == '{' || c.is_whitespace())
        .next()
        .unwrap_or("");
    matches!(
        lang,
        "sh" | "bash" | "shell" | "zsh" | "console" | "shell-session" | "terminal"
    )
}

/// True for a block whose `#!` line names a program that is not a shell (`python3`, `perl`): it
/// is shown, never run with a shell it was not written for.
pub(super) fn foreign_script(script: &str) -> bool {
    script
        .lines()
        .next()
        .is_some_and(|l| l.starts_with("#!") && shell_named(l).is_none())
}

/// The shell a `#!` line names, if it names one.
fn shell_named(line: &str) -> Option<String> {
    const SHELLS: [&str; 5] = ["sh", "bash", "zsh", "dash", "ksh"];
    let mut words = line.strip_prefix("#!")?.split_whitespace();
    let program = words.next().unwrap_or_default();
    let program = if program.ends_with("/env") {
        words.next().unwrap_or_default()
    } else {
        program
    };
    let name = program.rsplit('/').next().unwrap_or_default();
    SHELLS.contains(&name).then(|| name.to_owned())
}

/// The shell that runs a block: the one its `#!` line names, else the block's language (`bash`,
/// `zsh`), else `sh`.
fn shell_of(lang: &str, script: &str) -> String {
    let shebang = script.lines().next().and_then(shell_named);
    shebang.unwrap_or_else(|| match lang {
        "bash" | "zsh" => lang.to_owned(),
        _ => "sh".to_owned(),
    })
}

/// A `#` or `##` heading being read: its text and its `{key=value}` attributes.
pub(super) struct Heading {
    pub(super) step: bool,
    pub(super) title: String,
    pub(super) attrs: Vec<(String, Option<String>)>,
}

const HEADING_ATTRIBUTES: [&str; 3] = ["window", "estimate", "automation"];

pub(super) struct Builder<'a> {
    src: Source<'a>,
    offset: usize,
    errors: Vec<Diagnostic>,
    steps: Vec<Step>,
    intro: String,
    phases: Vec<Phase>,
    /// The first `#` heading: the title when the front matter gives none.
    title: Option<String>,
    warnings: Vec<Diagnostic>,
    /// The warnings given, to give each once.
    warned: std::collections::HashSet<String>,
    transcripts: usize,
    pub(super) steps_from: super::StepsFrom,
}

/// Parses a runbook file's text; `name` is used in diagnostics.
pub fn parse(name: &str, text: &str) -> Result<Runbook, Invalid> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (meta, body_start, errors) = front_matter(name, text)?;
    let mut b = Builder {
        src: Source::new(name, text),
        offset: body_start,
        errors,
        steps: Vec::new(),
        intro: String::new(),
        phases: Vec::new(),
        title: None,
        warnings: Vec::new(),
        warned: std::collections::HashSet::new(),
        transcripts: 0,
        steps_from: super::StepsFrom::H2,
    };
    let id = meta
        .id
        .as_ref()
        .map_or_else(|| id_from_name(name), |id| id.get_ref().clone());
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        let span = meta.id.as_ref().map_or(0..0, toml::Spanned::span);
        let d = Source::new(name, text).at(
            span.start + 4..span.end + 4,
            format!("runbook id `{id}` must use only a-z, 0-9 and `-`"),
        );
        b.errors.push(d);
    }
    super::walk::walk(&mut b, &text[body_start..], meta.steps);
    for (title, expect) in &meta.expect {
        let parsed = parse_expect(expect.get_ref());
        let span = expect.span().start + 4..expect.span().end + 4;
        match (b.steps.iter_mut().find(|s| &s.title == title), parsed) {
            (Some(step), Ok(e)) => step.expect = Some(e),
            (None, _) => b.errors.push(Source::new(name, text).at(
                span,
                format!("`expect` names step `{title}`, which is not a step here"),
            )),
            (_, Err(message)) => b.errors.push(Source::new(name, text).at(span, message)),
        }
    }
    if b.steps.is_empty() && b.errors.is_empty() {
        b.errors.push(Source::new(name, text).at(
            body_start..body_start,
            "a runbook needs at least one step: `##` headings, or in its front matter `steps = \"h3\"`, `\"list\"` or `\"whole\"`",
        ));
    }
    if !b.errors.is_empty() {
        return Err(Invalid(b.errors));
    }
    let preface = b.intro.trim().to_owned();
    let summary = [meta.summary, meta.description, preface.clone()]
        .into_iter()
        .find(|s| !s.is_empty())
        .unwrap_or_default();
    let title = meta.title.or(b.title.take()).unwrap_or_else(|| id.clone());
    for step in &mut b.steps {
        step.title = match step.title.trim() {
            "" => title.clone(),
            named => named.to_owned(),
        };
    }
    Ok(Runbook {
        id,
        title,
        components: meta
            .components
            .into_iter()
            .map(toml::Spanned::into_inner)
            .collect(),
        severities: meta.severities,
        tags: meta.tags,
        summary,
        preface,
        warnings: b.warnings,
        transcripts: b.transcripts,
        steps_from: b.steps_from,
        steps: b.steps,
        phases: b.phases,
        automation: meta.automation,
        path: PathBuf::from(name),
    })
}

impl Builder<'_> {
    /// Starts a step, under the phase being read.
    pub(super) fn step(&mut self, title: String) {
        self.steps.push(Step {
            title,
            body: Vec::new(),
            commands: Vec::new(),
            checks: Vec::new(),
            expect: None,
            phase: self.phases.len().checked_sub(1),
            window: None,
            estimate: None,
            automation: None,
        });
    }

    pub(super) fn has_steps(&self) -> bool {
        !self.steps.is_empty()
    }

    /// More of the title of the step being read (a list step's first line).
    pub(super) fn extend_title(&mut self, text: &str) {
        if let Some(step) = self.steps.last_mut() {
            step.title.push_str(text);
        }
    }

    /// The document's `#` title, when `#` headings are not phases.
    pub(super) fn title_heading(&mut self, title: &str) {
        self.title.get_or_insert_with(|| title.to_owned());
    }

    /// Text of the step being read, or of the preface before the first step.
    pub(super) fn text(&mut self, text: String) {
        match self.steps.last_mut() {
            Some(step) => step.body.push(Part::Text(text)),
            None => {
                if !self.intro.is_empty() {
                    self.intro.push_str("\n\n");
                }
                self.intro.push_str(&text);
            }
        }
    }

    /// One `#` heading without a window is the document's title, not a phase.
    pub(super) fn settle_phases(&mut self) {
        if let [only] = &self.phases[..]
            && only.window.is_none()
        {
            self.phases.clear();
            for step in &mut self.steps {
                step.phase = None;
            }
        }
    }

    fn at(&mut self, range: &Range<usize>, message: impl Into<String>) {
        let span = range.start + self.offset..range.end + self.offset;
        let diagnostic = self.src.at(span, message);
        self.errors.push(diagnostic);
    }

    /// Something shown or run otherwise than its author may expect: `validate` says so, and
    /// `validate --strict` refuses it.
    pub(super) fn warn(&mut self, range: &Range<usize>, message: impl Into<String>) {
        let span = range.start + self.offset..range.end + self.offset;
        let diagnostic = self.src.at(span, message);
        if self.warned.insert(diagnostic.to_string()) {
            self.warnings.push(diagnostic);
        }
    }

    /// A finished heading: a phase (`#`) or a step (`##`), with its window, estimate and
    /// automation from its attributes (a window also from its text).
    /// A task-list item: a manual check of the step.
    pub(super) fn check(&mut self, text: String, range: &Range<usize>) {
        match self.steps.last_mut() {
            Some(step) => {
                step.body.push(Part::Check(step.checks.len()));
                step.checks.push(text);
            }
            None => self.at(
                range,
                "a check before the first step: put it under a `##` heading",
            ),
        }
    }

    pub(super) fn heading(&mut self, h: Heading, range: &Range<usize>) {
        let title = h.title.trim().to_owned();
        let (mut window, mut estimate, mut automation) = (window_in_heading(&title), None, None);
        for (key, value) in h.attrs {
            let value = value.unwrap_or_default();
            let result = match key.as_str() {
                "window" => parse_window(&value).map(|w| window = Some(w)),
                "estimate" => humantime::parse_duration(&value)
                    .map(|d| estimate = Some(d))
                    .map_err(|e| format!("estimate `{value}`: {e}")),
                "automation" => value
                    .parse::<Automation>()
                    .map(|a| automation = Some(a))
                    .map_err(|_| {
                        format!("automation `{value}` must be automatic, partial or manual")
                    }),
                other => Err(diag::unknown(
                    "heading attribute",
                    other,
                    &HEADING_ATTRIBUTES,
                )),
            };
            if let Err(message) = result {
                self.at(range, message);
            }
        }
        if !h.step {
            self.title.get_or_insert_with(|| title.clone());
            if estimate.is_some() || automation.is_some() {
                self.at(range, "a `#` phase takes only a window; put estimate and automation on its `##` steps");
            }
            self.phase(title, window, range);
            return;
        }
        self.step(title);
        if let Some(step) = self.steps.last_mut() {
            (step.window, step.estimate, step.automation) = (window, estimate, automation);
        }
    }

    /// A new phase; its window may not begin before the previous phase's ends.
    fn phase(&mut self, title: String, window: Option<Window>, range: &Range<usize>) {
        // A heading over no step and without a window (the document's title) is not a phase.
        let last = self.phases.len().checked_sub(1);
        if last.is_some_and(|l| {
            self.phases[l].window.is_none() && !self.steps.iter().any(|s| s.phase == Some(l))
        }) {
            self.phases.pop();
        }
        let previous = self
            .phases
            .iter()
            .rev()
            .find_map(|p| Some((&p.title, p.window?)));
        if let (Some((before, earlier)), Some(now)) = (previous, window)
            && earlier.to.is_none_or(|to| now.from < to)
        {
            let message = format!(
                "phase `{title}` ({now}) overlaps phase `{before}` ({earlier}); phases follow each other"
            );
            self.at(range, message);
        }
        self.phases.push(Phase { title, window });
    }

    /// A shell block: a command of the step.
    pub(super) fn code_block(&mut self, info: &str, script: String, range: &Range<usize>) {
        let Some((command, expect)) = self.command(info, script, range) else {
            return;
        };
        match self.steps.last_mut() {
            Some(step) => {
                step.expect = step.expect.take().or(expect);
                step.body.push(Part::Command(step.commands.len()));
                step.commands.push(command);
            }
            None => self.at(
                range,
                "a command before the first step: put it under a `##` heading",
            ),
        }
    }

    /// A transcript's prompt lines (`$ cmd`, continued by a trailing `\\`), each offered as a
    /// command of its own that asks for confirmation; its output lines never run.
    pub(super) fn prompt_commands(&mut self, script: &str, range: &Range<usize>) {
        self.transcripts += 1;
        let line = self
            .src
            .at(range.start + self.offset..range.start + self.offset, "")
            .line;
        let Some(step) = self.steps.last_mut() else {
            return;
        };
        for command in prompt_lines(script) {
            step.body.push(Part::Command(step.commands.len()));
            step.commands.push(Command {
                script: format!("{command}\n"),
                shell: "sh".to_owned(),
                confirm: true,
                approve: false,
                timeout: DEFAULT_TIMEOUT,
                on_fail: OnFail::Continue,
                recovers: None,
                line,
            });
        }
    }

    fn command(
        &mut self,
        info: &str,
        script: String,
        range: &Range<usize>,
    ) -> Option<(Command, Option<Expect>)> {
        let (lang, attrs) = match info_attributes(info) {
            Ok(parsed) => parsed,
            Err(message) => {
                self.at(range, message);
                return None;
            }
        };
        if !matches!(lang.as_str(), "sh" | "bash" | "shell" | "zsh") {
            return None;
        }
        let line = self
            .src
            .at(range.start + self.offset..range.start + self.offset, "")
            .line;
        let mut command = Command {
            shell: shell_of(&lang, &script),
            script,
            confirm: false,
            approve: false,
            timeout: DEFAULT_TIMEOUT,
            on_fail: OnFail::Stop,
            recovers: None,
            line,
        };
        let mut expect = None;
        for (key, value) in attrs {
            let result = match key.as_str() {
                "confirm" => value
                    .parse::<bool>()
                    .map(|v| command.confirm = v)
                    .map_err(|_| format!("confirm `{value}` must be true or false")),
                "approve" => value
                    .parse::<bool>()
                    .map(|v| command.approve = v)
                    .map_err(|_| format!("approve `{value}` must be true or false")),
                "timeout" => humantime::parse_duration(&value)
                    .map(|d| command.timeout = d)
                    .map_err(|e| format!("timeout `{value}`: {e}")),
                "on_fail" => match value.as_str() {
                    "stop" => {
                        command.on_fail = OnFail::Stop;
                        Ok(())
                    }
                    "continue" => {
                        command.on_fail = OnFail::Continue;
                        Ok(())
                    }
                    other => Err(format!(
                        "on_fail `{other}` must be \"stop\" or \"continue\""
                    )),
                },
                "expect" => parse_expect(&value).map(|e| expect = Some(e)),
                "recovers" => {
                    command.recovers = Some(value);
                    Ok(())
                }
                other => Err(diag::unknown("attribute", other, &ATTRIBUTES)),
            };
            if let Err(message) = result {
                self.at(range, message);
            }
        }
        Some((command, expect))
    }
}
