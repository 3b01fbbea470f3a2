//! Runbooks: Markdown with TOML front matter. Each `##` heading is a step; fenced `sh`/`bash`
//! blocks are its commands (attributes in the info string); `- [ ]` items are manual checks. A `#`
//! heading is a phase over the steps below it; phases and steps may carry a time window, steps an
//! estimate and an automation level (`## Promote {window=0-5m estimate=3m automation=manual}`).

pub mod destructive;
mod front_matter;
pub mod import;
mod load;
mod parse;
pub mod phase;
mod show;
mod walk;

use std::path::PathBuf;
use std::time::Duration;

pub use load::{RunbookSet, check_components, load_dir, load_runbooks};
pub use parse::parse;
pub use show::show;
pub use walk::StepsFrom;

use crate::domain::{Health, Severity};
pub use phase::{Automation, Phase, Window};

/// Default deadline of a step's command.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_mins(5);
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
    /// The program that runs the script with `-c`: `sh`, or the block's shell (`bash`, `zsh`),
    /// or the shell its `#!` line names. The whole block is one script.
    pub shell: String,
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

impl Command {
    /// What the command's attributes say: `runs with sh`, `timeout 5m`, `on failure stop`, and when set,
    /// `asks for confirmation`, `needs a second person`, `recovers db`.
    #[must_use]
    pub fn terms(&self) -> Vec<String> {
        let mut terms = vec![
            format!("runs with {}", self.shell),
            format!("timeout {}", humantime::format_duration(self.timeout)),
            format!("on failure {}", self.on_fail),
        ];
        if self.confirm {
            terms.push("asks for confirmation".to_owned());
        }
        if self.approve {
            terms.push("needs a second person".to_owned());
        }
        if let Some(component) = &self.recovers {
            terms.push(format!("recovers {component}"));
        }
        terms
    }
}

/// One `##` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub title: String,
    /// The step as written, in document order: its text (every word of it, see
    /// [`crate::markdown`]) and, where they stand, its commands and checks.
    pub body: Vec<Part>,
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

/// A piece of a step, in the order the author wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Text(String),
    /// The step's command at this index of [`Step::commands`].
    Command(usize),
    /// The step's manual check at this index of [`Step::checks`].
    Check(usize),
}

impl Step {
    /// The step's text without its commands: what a filter searches.
    #[must_use]
    pub fn text(&self) -> String {
        let texts: Vec<&str> = self
            .body
            .iter()
            .filter_map(|p| match p {
                Part::Text(text) => Some(text.as_str()),
                Part::Command(_) | Part::Check(_) => None,
            })
            .collect();
        texts.join("\n\n")
    }
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
    /// Everything before the first step (meaning, impact, diagnosis...), as written.
    pub preface: String,
    /// What is shown or run otherwise than its author may expect (`validate` says so).
    pub warnings: Vec<crate::config::Diagnostic>,
    /// How many shell blocks were transcripts (shown; their `$ ` lines offered one by one).
    pub transcripts: usize,
    /// Where its steps were found.
    pub steps_from: StepsFrom,
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

#[cfg(test)]
mod tests;
