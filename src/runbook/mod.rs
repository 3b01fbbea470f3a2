//! Runbooks: Markdown with TOML front matter. Each `##` heading is a step; fenced `sh`/`bash`
//! blocks are its commands (attributes in the info string); `- [ ]` items are manual checks. A `#`
//! heading is a phase over the steps below it; phases and steps may carry a time window, steps an
//! estimate and an automation level (`## Promote {window=0-5m estimate=3m automation=manual}`).

mod load;
pub mod phase;

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;
use std::time::Duration;

pub use load::{RunbookSet, check_components, load_dir, load_runbooks};
use phase::{parse_window, window_in_heading};
use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::Deserialize;

use crate::config::{Diagnostic, Invalid, Source, diag};
use crate::domain::{Health, Severity};
pub use phase::{Automation, Phase, Window};

/// Default deadline of a step's command.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_mins(5);
const ATTRIBUTES: [&str; 6] = [
    "confirm", "timeout", "on_fail", "expect", "recovers", "approve",
];

/// What happens to the following steps when a command fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::Display)]
#[strum(serialize_all = "snake_case")]
pub enum OnFail {
    /// Block the following steps until the commander decides.
    Stop,
    Continue,
}

/// A state a component must reach within a time after a step: `db up within 2m`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expect {
    pub component: String,
    pub state: Health,
    pub within: Duration,
}

impl std::fmt::Display for Expect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} within {}",
            self.component,
            self.state,
            humantime::format_duration(self.within)
        )
    }
}

/// A shell command of a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub script: String,
    pub confirm: bool,
    /// A second person in the room must approve each run (two-person rule).
    pub approve: bool,
    pub timeout: Duration,
    pub on_fail: OnFail,
    /// The component this command brings back (`recovers="db"`): in a drill its success
    /// recovers the simulated component; live it re-probes the component every second.
    pub recovers: Option<String>,
    /// 1-based line of the fence in the file.
    pub line: usize,
}

/// One `##` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub title: String,
    /// The step's paragraphs, blank-line separated.
    pub text: String,
    pub commands: Vec<Command>,
    /// Manual checks (`- [ ]` items).
    pub checks: Vec<String>,
    pub expect: Option<Expect>,
    /// The `#` phase it belongs to (index into the runbook's phases).
    pub phase: Option<usize>,
    /// Its own window; else its phase's (see [`Runbook::window`]).
    pub window: Option<Window>,
    pub estimate: Option<Duration>,
    pub automation: Option<Automation>,
}

/// A parsed runbook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Runbook {
    pub id: String,
    pub title: String,
    pub components: Vec<String>,
    pub severities: Vec<Severity>,
    pub tags: Vec<String>,
    pub summary: String,
    pub steps: Vec<Step>,
    pub phases: Vec<Phase>,
    /// The procedure's automation level (front matter); a step's own level wins.
    pub automation: Option<Automation>,
    pub path: PathBuf,
}

impl Runbook {
    /// When a step is planned: its own window, else its phase's.
    #[must_use]
    pub fn window(&self, step: usize) -> Option<Window> {
        let s = self.steps.get(step)?;
        s.window
            .or_else(|| s.phase.and_then(|p| self.phases.get(p)?.window))
    }

    /// `phase Immediate · window 0s–5m · estimate 2m · manual` for a step that has any of them:
    /// what the stepper and `runbook show` print about its plan.
    #[must_use]
    pub fn plan(&self, step: usize) -> Option<String> {
        let s = self.steps.get(step)?;
        let parts: Vec<String> = [
            s.phase
                .and_then(|p| self.phases.get(p))
                .map(|p| format!("phase {}", p.title)),
            self.window(step).map(|w| format!("window {w}")),
            s.estimate.map(|e| format!("estimate {}", phase::short(e))),
            self.automation(step).map(|a| a.to_string()),
        ]
        .into_iter()
        .flatten()
        .collect();
        (!parts.is_empty()).then(|| parts.join(" · "))
    }

    /// How automated a step is: its own level, else the procedure's.
    #[must_use]
    pub fn automation(&self, step: usize) -> Option<Automation> {
        self.steps.get(step)?.automation.or(self.automation)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    id: toml::Spanned<String>,
    title: String,
    #[serde(default)]
    components: Vec<toml::Spanned<String>>,
    #[serde(default)]
    severities: Vec<Severity>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    summary: String,
    /// Step title → expectation, e.g. `"Promote the replica" = "db up within 2m"`.
    #[serde(default)]
    expect: BTreeMap<String, toml::Spanned<String>>,
    /// `automatic`, `partial` or `manual`: how the whole procedure is done.
    automation: Option<Automation>,
}

/// Parses `db up within 2m`.
pub fn parse_expect(text: &str) -> Result<Expect, String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let [component, state, "within", within] = words[..] else {
        return Err(format!(
            "expect `{text}` must read like \"db up within 2m\""
        ));
    };
    let state: Health = state.parse().map_err(|_| {
        format!("expect `{text}`: `{state}` is not a state (up, degraded, down, unknown)")
    })?;
    let within = humantime::parse_duration(within)
        .map_err(|e| format!("expect `{text}`: bad duration `{within}` ({e})"))?;
    Ok(Expect {
        component: component.to_owned(),
        state,
        within,
    })
}

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

/// True for a fence whose language is a shell: the step's command.
fn is_shell(info: &str) -> bool {
    let lang = info
        .split(|c: char| c == '{' || c.is_whitespace())
        .next()
        .unwrap_or("");
    matches!(lang, "sh" | "bash")
}

/// A `#` or `##` heading being read: its text and its `{key=value}` attributes.
struct Heading {
    step: bool,
    title: String,
    attrs: Vec<(String, Option<String>)>,
}

const HEADING_ATTRIBUTES: [&str; 3] = ["window", "estimate", "automation"];

struct Builder<'a> {
    src: Source<'a>,
    offset: usize,
    errors: Vec<Diagnostic>,
    steps: Vec<Step>,
    intro: String,
    phases: Vec<Phase>,
}

impl Builder<'_> {
    fn at(&mut self, range: &Range<usize>, message: impl Into<String>) {
        let span = range.start + self.offset..range.end + self.offset;
        let diagnostic = self.src.at(span, message);
        self.errors.push(diagnostic);
    }

    /// A finished heading: a phase (`#`) or a step (`##`), with its window, estimate and
    /// automation from its attributes (a window also from its text).
    fn heading(&mut self, h: Heading, range: &Range<usize>) {
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
                other => Err(format!(
                    "unknown heading attribute `{other}`{} (one of: {})",
                    diag::hint(other, HEADING_ATTRIBUTES.into_iter()),
                    HEADING_ATTRIBUTES.join(", ")
                )),
            };
            if let Err(message) = result {
                self.at(range, message);
            }
        }
        if !h.step {
            if estimate.is_some() || automation.is_some() {
                self.at(range, "a `#` phase takes only a window; put estimate and automation on its `##` steps");
            }
            self.phase(title, window, range);
            return;
        }
        self.steps.push(Step {
            title,
            text: String::new(),
            commands: Vec::new(),
            checks: Vec::new(),
            expect: None,
            phase: self.phases.len().checked_sub(1),
            window,
            estimate,
            automation,
        });
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

    /// A fenced block: a shell block is a command of the step; other code (SQL, YAML, ...) is
    /// shown verbatim with the step, never run.
    fn code_block(&mut self, info: &str, script: String, range: &Range<usize>) {
        if !is_shell(info) {
            let block = format!("```{}\n{script}```\n\n", info.trim());
            match self.steps.last_mut() {
                Some(step) => step.text.push_str(&block),
                None => self.intro.push_str(&block),
            }
            return;
        }
        let Some((command, expect)) = self.command(info, script, range) else {
            return;
        };
        match self.steps.last_mut() {
            Some(step) => {
                step.expect = step.expect.take().or(expect);
                step.commands.push(command);
            }
            None => self.at(
                range,
                "a command before the first step: put it under a `##` heading",
            ),
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
        if !matches!(lang.as_str(), "sh" | "bash") {
            return None;
        }
        let line = self
            .src
            .at(range.start + self.offset..range.start + self.offset, "")
            .line;
        let mut command = Command {
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
                other => Err(format!(
                    "unknown attribute `{other}`{} (one of: {})",
                    diag::hint(other, ATTRIBUTES.into_iter()),
                    ATTRIBUTES.join(", ")
                )),
            };
            if let Err(message) = result {
                self.at(range, message);
            }
        }
        Some((command, expect))
    }
}

fn split_front_matter(text: &str) -> Option<(&str, usize)> {
    let rest = text
        .strip_prefix("+++\n")
        .or_else(|| text.strip_prefix("+++\r\n"))?;
    let end = rest.find("\n+++")?;
    let body_start = 4 + end + 4;
    let body_start = text[body_start..]
        .find('\n')
        .map_or(text.len(), |n| body_start + n + 1);
    Some((&rest[..=end], body_start))
}

/// Parses a runbook file's text; `name` is used in diagnostics.
pub fn parse(name: &str, text: &str) -> Result<Runbook, Invalid> {
    let src = Source { name, text };
    let Some((front, body_start)) = split_front_matter(text) else {
        return Err(Invalid(vec![src.at(0..0, "a runbook starts with TOML front matter between `+++` lines (id, title, components, ...)")]));
    };
    let front_src = Source { name, text: front };
    let mut errors = Vec::new();
    let meta = crate::config::tolerant::read::<FrontMatter>(&front_src, &mut errors);
    for d in &mut errors {
        d.line += 1;
    }
    let Some(crate::config::tolerant::Read {
        value: meta,
        whole: true,
    }) = meta
    else {
        return Err(Invalid(errors));
    };
    let mut b = Builder {
        src: Source { name, text },
        offset: body_start,
        errors,
        steps: Vec::new(),
        intro: String::new(),
        phases: Vec::new(),
    };
    let id = meta.id.get_ref();
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        let span = meta.id.span();
        let d = Source { name, text }.at(
            span.start + 4..span.end + 4,
            format!("runbook id `{id}` must use only a-z, 0-9 and `-`"),
        );
        b.errors.push(d);
    }
    walk(&mut b, &text[body_start..]);
    for (title, expect) in &meta.expect {
        let parsed = parse_expect(expect.get_ref());
        let span = expect.span().start + 4..expect.span().end + 4;
        match (b.steps.iter_mut().find(|s| &s.title == title), parsed) {
            (Some(step), Ok(e)) => step.expect = Some(e),
            (None, _) => b.errors.push(Source { name, text }.at(
                span,
                format!("`expect` names step `{title}`, which is not a `##` heading here"),
            )),
            (_, Err(message)) => b.errors.push(Source { name, text }.at(span, message)),
        }
    }
    if b.steps.is_empty() && b.errors.is_empty() {
        b.errors.push(Source { name, text }.at(
            body_start..body_start,
            "a runbook needs at least one `##` step",
        ));
    }
    if !b.errors.is_empty() {
        return Err(Invalid(b.errors));
    }
    let summary = if meta.summary.is_empty() {
        b.intro.trim().to_owned()
    } else {
        meta.summary
    };
    Ok(Runbook {
        id: meta.id.into_inner(),
        title: meta.title,
        components: meta
            .components
            .into_iter()
            .map(toml::Spanned::into_inner)
            .collect(),
        severities: meta.severities,
        tags: meta.tags,
        summary,
        steps: b.steps,
        phases: b.phases,
        automation: meta.automation,
        path: PathBuf::from(name),
    })
}

fn push_text(target: &mut String, text: &str) {
    target.push_str(text);
}

fn walk(b: &mut Builder, body: &str) {
    let mut heading: Option<Heading> = None;
    let mut code: Option<(String, String, Range<usize>)> = None;
    let mut item: Option<(bool, String)> = None;
    let mut in_paragraph = false;
    let options = Options::ENABLE_TASKLISTS | Options::ENABLE_HEADING_ATTRIBUTES;
    for (event, range) in Parser::new_ext(body, options).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading {
                level: level @ (HeadingLevel::H1 | HeadingLevel::H2),
                attrs,
                ..
            }) => {
                heading = Some(Heading {
                    step: level == HeadingLevel::H2,
                    title: String::new(),
                    attrs: attrs
                        .into_iter()
                        .map(|(k, v)| (k.to_string(), v.map(|v| v.to_string())))
                        .collect(),
                });
            }
            Event::End(TagEnd::Heading(HeadingLevel::H1 | HeadingLevel::H2)) => {
                if let Some(h) = heading.take() {
                    b.heading(h, &range);
                }
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                code = Some((info.to_string(), String::new(), range));
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((info, script, range)) = code.take() {
                    b.code_block(&info, script, &range);
                }
            }
            Event::TaskListMarker(_) => item = Some((true, String::new())),
            Event::End(TagEnd::Item) => {
                if let Some((true, text)) = item.take() {
                    match b.steps.last_mut() {
                        Some(step) => step.checks.push(text.trim().to_owned()),
                        None => b.at(
                            &range,
                            "a check before the first step: put it under a `##` heading",
                        ),
                    }
                }
            }
            Event::Start(Tag::Paragraph) => in_paragraph = true,
            Event::End(TagEnd::Paragraph) => {
                in_paragraph = false;
                if item.is_none() {
                    match b.steps.last_mut() {
                        Some(step) => step.text.push_str("\n\n"),
                        None => b.intro.push_str("\n\n"),
                    }
                }
            }
            Event::Text(text) | Event::Code(text) => {
                if let Some(h) = heading.as_mut() {
                    push_text(&mut h.title, &text);
                } else if let Some((_, _, _)) = code.as_ref() {
                    if let Some((_, script, _)) = code.as_mut() {
                        script.push_str(&text);
                    }
                } else if let Some((_, t)) = item.as_mut() {
                    push_text(t, &text);
                } else if in_paragraph {
                    match b.steps.last_mut() {
                        Some(step) => push_text(&mut step.text, &text),
                        None => push_text(&mut b.intro, &text),
                    }
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if in_paragraph && item.is_none() {
                    match b.steps.last_mut() {
                        Some(step) => step.text.push(' '),
                        None => b.intro.push(' '),
                    }
                } else if let Some((_, t)) = item.as_mut() {
                    t.push(' ');
                }
            }
            _ => {}
        }
    }
    for step in &mut b.steps {
        step.text = step.text.trim().to_owned();
    }
    // One `#` heading without a window is the document's title, not a phase.
    if let [only] = &b.phases[..]
        && only.window.is_none()
    {
        b.phases.clear();
        for step in &mut b.steps {
            step.phase = None;
        }
    }
}

#[cfg(test)]
mod tests;
