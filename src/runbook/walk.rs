//! The walk over a runbook's Markdown: steps where the author put them (`##` headings by default,
//! `###` under `##` sections, the items of a numbered list, or the whole text as one step), shell
//! blocks as commands and task items as checks where they stand, and everything else written as
//! text, every word of it (see [`crate::markdown`]).

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Parser, Tag, TagEnd};
use serde::Deserialize;

use super::parse::{Builder, Heading, foreign_script, is_shell, is_transcript};
use crate::markdown::{Gaps, Writer};

/// Where a runbook's steps are (front matter `steps`; else found from the text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, strum::Display)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum StepsFrom {
    /// `##` headings, under `#` phases.
    H2,
    /// `###` headings, under `##` sections.
    H3,
    /// The items of the first top-level numbered list.
    List,
    /// The whole text is one step.
    Whole,
}

impl StepsFrom {
    /// Where the steps of `body` are when the front matter does not say: `##` headings if there
    /// are any, else `###` headings, else a numbered list, else the whole text.
    fn found(body: &str) -> Self {
        let (mut h2, mut h3, mut list) = (false, false, false);
        let mut depth = 0usize;
        for event in Parser::new_ext(body, crate::markdown::options()) {
            match event {
                Event::Start(Tag::Heading { level, .. }) => {
                    h2 |= level == HeadingLevel::H2;
                    h3 |= level == HeadingLevel::H3;
                }
                Event::Start(Tag::List(first)) => {
                    list |= depth == 0 && first.is_some();
                    depth += 1;
                }
                Event::End(TagEnd::List(_)) => depth -= 1,
                _ => {}
            }
        }
        match (h2, h3, list) {
            (true, _, _) => Self::H2,
            (false, true, _) => Self::H3,
            (false, false, true) => Self::List,
            _ => Self::Whole,
        }
    }

    /// What a heading of `level` is under this way of stepping.
    fn role(self, level: HeadingLevel) -> Role {
        match (self, level) {
            (Self::H2, HeadingLevel::H2) | (Self::H3, HeadingLevel::H3) => Role::Step,
            (Self::H2, HeadingLevel::H1) | (Self::H3, HeadingLevel::H2) => Role::Phase,
            (Self::H3 | Self::List | Self::Whole, HeadingLevel::H1) => Role::Title,
            _ => Role::Text,
        }
    }
}

/// What a heading is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Step,
    /// A phase over the steps below it (or, without a window and steps, the title).
    Phase,
    /// The document's title, when headings of its level are not phases.
    Title,
    /// Part of the text.
    Text,
}

/// The walk's state between events.
struct Reader<'t> {
    body: &'t str,
    steps_from: StepsFrom,
    /// A heading being read, and whether it is the title (else a phase or step).
    heading: Option<(Heading, bool)>,
    code: Option<(String, String, Range<usize>)>,
    /// A task item being read: the list depth of its item, and its text.
    check: Option<(usize, String)>,
    writer: Writer,
    /// How many list items are open.
    depth: usize,
    /// List stepping: the numbered list of steps is open.
    in_steps: bool,
    /// List stepping: the step's title (its first line) is being read.
    titling: bool,
}

/// Reads `body` into the builder's steps, phases and preface.
pub(super) fn walk(b: &mut Builder, body: &str, steps_from: Option<StepsFrom>) {
    let steps_from = steps_from.unwrap_or_else(|| StepsFrom::found(body));
    b.steps_from = steps_from;
    let mut reader = Reader {
        body,
        steps_from,
        heading: None,
        code: None,
        check: None,
        writer: Writer::default(),
        depth: 0,
        in_steps: false,
        titling: false,
    };
    if steps_from == StepsFrom::Whole {
        b.step(String::new());
    }
    let mut gaps = Gaps::default();
    for (event, range) in Parser::new_ext(body, crate::markdown::options()).into_offset_iter() {
        if let Some(unread) = gaps.before(&event, &range, body) {
            reader.writer.unread(unread);
        }
        reader.event(b, event, range);
    }
    if let Some(unread) = gaps.rest(body) {
        reader.writer.unread(unread);
    }
    flush_text(b, &mut reader.writer);
    b.settle_phases();
}

impl Reader<'_> {
    fn event(&mut self, b: &mut Builder, event: Event, range: Range<usize>) {
        notice(b, &event, &range, self.body);
        if self.structure(b, &event, &range) {
            return;
        }
        if let Some((h, _)) = self.heading.as_mut() {
            if let Event::Text(text) | Event::Code(text) = &event {
                h.title.push_str(text);
            }
        } else if let Some((_, script, _)) = self.code.as_mut() {
            if let Event::Text(text) = &event {
                script.push_str(text);
            }
        } else if let Some((_, text)) = self.check.as_mut() {
            match &event {
                Event::Text(t) | Event::Code(t) => text.push_str(t),
                Event::SoftBreak | Event::HardBreak => text.push(' '),
                _ => {}
            }
        } else if self.titling {
            self.title_event(b, &event, &range);
        } else {
            self.writer.event_from(&event, &self.body[range]);
        }
    }

    /// Headings, commands, checks and list steps; false for an event that is only text.
    fn structure(&mut self, b: &mut Builder, event: &Event, range: &Range<usize>) -> bool {
        match event {
            Event::Start(Tag::Heading { level, attrs, .. }) if self.check.is_none() => {
                let role = self.steps_from.role(*level);
                if role == Role::Text {
                    return false;
                }
                flush_text(b, &mut self.writer);
                let heading = Heading {
                    step: role == Role::Step,
                    title: String::new(),
                    attrs: attrs
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.as_ref().map(ToString::to_string)))
                        .collect(),
                };
                self.heading = Some((heading, role == Role::Title));
            }
            Event::End(TagEnd::Heading(_)) if self.heading.is_some() => {
                if let Some((h, title)) = self.heading.take() {
                    if title {
                        b.title_heading(h.title.trim());
                    } else {
                        b.heading(h, range);
                    }
                }
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))
                if self.check.is_none() && is_shell(info) =>
            {
                self.titling = false;
                self.code = Some((info.to_string(), String::new(), range.clone()));
            }
            Event::End(TagEnd::CodeBlock) if self.code.is_some() => self.end_code(b),
            Event::TaskListMarker(_) if self.check.is_none() => {
                self.titling = false;
                self.check = Some((self.depth - 1, String::new()));
            }
            _ => return self.list(b, event, range),
        }
        true
    }

    /// List items: checks end here, and under list stepping the numbered list's items are steps.
    fn list(&mut self, b: &mut Builder, event: &Event, range: &Range<usize>) -> bool {
        let stepping = self.steps_from == StepsFrom::List;
        match event {
            Event::Start(Tag::List(Some(_))) if stepping && self.depth == 0 && !self.in_steps => {
                if b.has_steps() {
                    return false;
                }
                flush_text(b, &mut self.writer);
                self.in_steps = true;
                true
            }
            Event::End(TagEnd::List(_)) if self.in_steps && self.depth == 0 => {
                flush_text(b, &mut self.writer);
                self.in_steps = false;
                true
            }
            Event::Start(Tag::Item) if self.in_steps && self.depth == 0 => {
                self.depth += 1;
                flush_text(b, &mut self.writer);
                b.step(String::new());
                self.titling = true;
                true
            }
            Event::Start(Tag::Item) => {
                self.depth += 1;
                false
            }
            Event::End(TagEnd::Item) => {
                self.depth -= 1;
                if let Some((_, text)) = self.check.take_if(|(at, _)| *at == self.depth) {
                    self.writer.drop_item();
                    flush_text(b, &mut self.writer);
                    b.check(text.trim().to_owned(), range);
                    return true;
                }
                if self.in_steps && self.depth == 0 {
                    self.titling = false;
                    flush_text(b, &mut self.writer);
                    return true;
                }
                false
            }
            _ => false,
        }
    }

    /// A list step's first line is its title; the rest of the item is its text.
    fn title_event(&mut self, b: &mut Builder, event: &Event, range: &Range<usize>) {
        match event {
            Event::Text(t) | Event::Code(t) => b.extend_title(t),
            Event::Start(Tag::Paragraph | Tag::Emphasis | Tag::Strong | Tag::Link { .. })
            | Event::End(TagEnd::Emphasis | TagEnd::Strong | TagEnd::Link) => {}
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Paragraph) => {
                self.titling = false;
            }
            _ => {
                self.titling = false;
                self.writer.event_from(event, &self.body[range.clone()]);
            }
        }
    }

    /// A shell block ends: a transcript (or a script for another program) is written as text, a
    /// command joins the step.
    fn end_code(&mut self, b: &mut Builder) {
        if let Some((info, script, range)) = self.code.take() {
            let lang = info.split(|c: char| c == '{' || c.is_whitespace()).next();
            let shell_block = matches!(lang, Some("sh" | "bash" | "shell" | "zsh"));
            if shell_block && is_transcript(&info, &script) {
                b.warn(&range, "this shell block reads as a transcript (a line starts with a `$ ` prompt): it is shown, never run whole, and its `$ ` lines are offered one by one, each asking for confirmation; drop the prompts (and any output) to make it one command");
            } else if shell_block && foreign_script(&script) {
                b.warn(&range, "this block is shown, never run: its `#!` line names a program that is not a shell (warroom runs sh, bash and zsh)");
            }
            if is_transcript(&info, &script) || foreign_script(&script) {
                self.writer
                    .event(&Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(
                        info.into(),
                    ))));
                self.writer.event(&Event::Text(script.clone().into()));
                self.writer.event(&Event::End(TagEnd::CodeBlock));
                if !foreign_script(&script) {
                    flush_text(b, &mut self.writer);
                    b.prompt_commands(&script, &range);
                }
            } else {
                flush_text(b, &mut self.writer);
                b.code_block(&info, script, &range);
            }
        }
    }
}

/// Blocks other tools render and warroom shows as text: a warning each.
fn notice(b: &mut Builder, event: &Event, range: &Range<usize>, body: &str) {
    const OTHER_SHELLS: [&str; 8] = [
        "powershell",
        "ps1",
        "pwsh",
        "cmd",
        "bat",
        "fish",
        "csh",
        "tcsh",
    ];
    let warning = match event {
        // A comment is shown by no Markdown reader, warroom's neither.
        Event::Start(Tag::HtmlBlock)
            if !crate::markdown::is_html_comment(body.get(range.clone()).unwrap_or_default()) =>
        {
            Some("raw HTML is shown as text".to_owned())
        }
        Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
            let lang = info.split(|c: char| c == '{' || c.is_whitespace()).next();
            lang.filter(|l| OTHER_SHELLS.contains(&l.to_lowercase().as_str()))
                .map(|l| {
                    format!("a `{l}` block is shown, never run: warroom runs sh, bash and zsh")
                })
        }
        Event::Text(text) if ["{{<", "{{%", "<%", "{%"].iter().any(|t| text.contains(t)) => {
            Some("a template tag (Hugo, Jekyll, ERB) is shown as text".to_owned())
        }
        Event::Text(text) if text.starts_with("!!! ") || text.starts_with("??? ") => {
            Some("an MkDocs admonition is shown as text, its body as indented code".to_owned())
        }
        _ => None,
    };
    if let Some(warning) = warning {
        b.warn(range, warning);
    }
}

/// The text written so far goes to the step being read, or to the preface before the first.
fn flush_text(b: &mut Builder, writer: &mut Writer) {
    if writer.is_empty() {
        writer.take();
        return;
    }
    b.text(writer.take());
}

#[cfg(test)]
mod tests;
