//! Who is on what: the assignments of steps and checks, and the commands running now, by person.

use crate::domain::incident::Assignment;
use crate::state::State;

/// Who is on step `step` of `runbook` (or on its check `check`), if someone was given it.
#[must_use]
pub fn owner<'a>(
    state: &'a State,
    runbook: &str,
    step: usize,
    check: Option<usize>,
) -> Option<&'a Assignment> {
    let progress = state
        .incident
        .as_ref()?
        .steps
        .get(&(runbook.to_owned(), step))?;
    match check {
        None => progress.assigned.as_ref(),
        Some(check) => progress.check_owners.get(&check),
    }
}

/// One line of "who is on what": the person, and what they are on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnWhat {
    pub person: String,
    pub what: String,
}

/// Everyone who is on something still open: steps not done and checks not ticked that were
/// given to them, and commands running that they started; by person, in runbook order.
#[must_use]
pub fn who_is_on_what(state: &State) -> Vec<OnWhat> {
    let Some(incident) = state.incident.as_ref() else {
        return Vec::new();
    };
    let mut lines = Vec::new();
    for ((runbook, step), progress) in &incident.steps {
        let title = step_title(state, runbook, *step);
        if let Some(given) = &progress.assigned
            && progress.completed_at().is_none()
            && progress.mark.is_none()
        {
            lines.push(OnWhat {
                person: given.to.clone(),
                what: format!("{runbook} {}. {title}", step + 1),
            });
        }
        for (check, given) in &progress.check_owners {
            if !progress.checks.contains_key(check) {
                lines.push(OnWhat {
                    person: given.to.clone(),
                    what: format!("{runbook} {}. check {}", step + 1, check + 1),
                });
            }
        }
        let running = progress.runs.last().filter(|_| {
            crate::view::runbooks::status(state, runbook, *step)
                == crate::view::runbooks::StepStatus::Running
        });
        if let Some(record) = running.and_then(|run| state.record(run.started)) {
            lines.push(OnWhat {
                person: record.actor.clone(),
                what: format!("{runbook} {}. {title} (running)", step + 1),
            });
        }
    }
    lines.sort_by(|a, b| a.person.cmp(&b.person));
    lines
}

fn step_title(state: &State, runbook: &str, step: usize) -> String {
    state
        .runbooks
        .iter()
        .find(|r| r.id == runbook)
        .and_then(|r| r.steps.get(step))
        .map_or_else(String::new, |s| s.title.clone())
}
