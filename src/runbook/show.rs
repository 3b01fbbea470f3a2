//! `warroom runbook show`: a runbook as text, every word of it, with its plan, checks, commands
//! and expectations (raw: sanitise before display).

use std::fmt::Write as _;

use super::{Part, Runbook};

/// The runbook as `runbook show` prints it.
#[must_use]
pub fn show(rb: &Runbook) -> String {
    let mut out = format!("{} — {}\n{}\n", rb.id, rb.title, rb.path.display());
    let severities: Vec<String> = rb.severities.iter().map(ToString::to_string).collect();
    let _ = writeln!(
        out,
        "components {} · severities {} · tags {}",
        rb.components.join(", "),
        severities.join(", "),
        rb.tags.join(", ")
    );
    if !rb.summary.is_empty() && rb.summary != rb.preface {
        let _ = writeln!(out, "\n{}", rb.summary);
    }
    if !rb.preface.is_empty() {
        let _ = writeln!(out, "\n{}", rb.preface);
    }
    for (n, step) in rb.steps.iter().enumerate() {
        let _ = writeln!(out, "\n{}. {}", n + 1, step.title);
        if let Some(plan) = rb.plan(n) {
            let _ = writeln!(out, "   {plan}");
        }
        for part in &step.body {
            match part {
                Part::Text(text) => {
                    for line in text.lines() {
                        let _ = writeln!(out, "{}", format!("   {line}").trim_end());
                    }
                }
                Part::Check(n) => {
                    let _ = writeln!(out, "   [ ] {}", step.checks[*n]);
                }
                Part::Command(n) => {
                    let cmd = &step.commands[*n];
                    let _ = writeln!(
                        out,
                        "   $ {}   ({})",
                        cmd.script.trim_end().replace('\n', "\n     "),
                        cmd.terms().join(", ")
                    );
                }
            }
        }
        if let Some(expect) = &step.expect {
            let _ = writeln!(out, "   expects {expect}");
        }
    }
    out
}
