//! `warroom runbook show`: a runbook as text, every word of it, with its plan, checks, commands
//! and expectations (raw: sanitise before display).

use std::fmt::Write as _;

use super::Runbook;

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
        for line in step.text.lines() {
            let _ = writeln!(out, "{}", format!("   {line}").trim_end());
        }
        for check in &step.checks {
            let _ = writeln!(out, "   [ ] {check}");
        }
        for cmd in &step.commands {
            let confirm = if cmd.confirm {
                ", asks for confirmation"
            } else {
                ""
            };
            let recovers = cmd
                .recovers
                .as_ref()
                .map_or_else(String::new, |c| format!(", recovers {c}"));
            let _ = writeln!(
                out,
                "   $ {}   (timeout {}, on failure {}{confirm}{recovers})",
                cmd.script.trim_end().replace('\n', "\n     "),
                humantime::format_duration(cmd.timeout),
                cmd.on_fail
            );
        }
        if let Some(expect) = &step.expect {
            let _ = writeln!(out, "   expects {expect}");
        }
    }
    out
}
