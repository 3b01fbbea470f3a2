//! Reading a runbook: the front matter, then the Markdown walked into phases, steps, commands and
//! checks, every problem a diagnostic with its line.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::Deserialize;

use super::parse_expect;
use super::phase::{Automation, Phase, Window, parse_window, window_in_heading};
use super::{Command, DEFAULT_TIMEOUT, Expect, OnFail, Runbook, Step};
use crate::config::{Diagnostic, Invalid, Source, diag};
use crate::domain::Severity;

const ATTRIBUTES: [&str; 6] = [
    "confirm", "timeout", "on_fail", "expect", "recovers", "approve",
];

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
