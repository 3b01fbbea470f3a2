//! Drill scenario files: timed injects and objectives, validated with `file:line:col`.

use std::path::{Path, PathBuf};

use super::spanned::Spanned;

use super::Config;
use super::diag::{self, Diagnostic, Invalid, Source};
use super::duration::HumanDuration;
use super::duration::in_time_order;
use super::file::{InjectFile, ObjectiveFile, ScenarioFile};
use crate::domain::Health;
use crate::domain::objective::Objective;
use crate::domain::world::{Inject, InjectAction, Scenario};

/// The service config a scenario names (`config = "…"`, relative to the scenario file).
pub fn scenario_config(path: &Path, text: &str) -> Result<Option<PathBuf>, Invalid> {
    let name = path.display().to_string();
    let src = Source::new(&name, text);
    super::tolerant::parse(&src, |file: ScenarioFile, _| {
        file.config
            .map(|c| path.parent().unwrap_or(Path::new(".")).join(c.into_inner()))
    })
}

/// What a scenario is checked against: the service's config and its runbook ids.
struct Against<'a> {
    config: Option<&'a Config>,
    runbooks: Option<&'a [crate::runbook::Runbook]>,
}

impl Against<'_> {
    /// The runbook an objective names: `Err` (with an error pushed) when the runbooks are known
    /// and it is not one of them; `Ok(None)` when they are not known.
    fn runbook(
        &self,
        src: &Source,
        id: &Spanned<String>,
        errors: &mut Vec<Diagnostic>,
    ) -> Result<Option<&crate::runbook::Runbook>, ()> {
        let Some(runbooks) = self.runbooks else {
            return Ok(None);
        };
        if let Some(found) = runbooks.iter().find(|r| &r.id == id.get_ref()) {
            return Ok(Some(found));
        }
        let hint = diag::hint(id.get_ref(), runbooks.iter().map(|r| r.id.as_str()));
        errors.push(src.at(
            id.span(),
            format!(
                "objective names unknown runbook `{}`{hint}; it could never be met",
                id.get_ref()
            ),
        ));
        Err(())
    }

    fn component(&self, src: &Source, id: &Spanned<String>, errors: &mut Vec<Diagnostic>) {
        if let Some(config) = self.config.filter(|c| c.component(id.get_ref()).is_none()) {
            let hint = diag::hint(
                id.get_ref(),
                config.components.iter().map(|c| c.id.as_str()),
            );
            errors.push(src.at(
                id.span(),
                format!(
                    "unknown component `{}` (the scenario's service is {}){hint}",
                    id.get_ref(),
                    config.source
                ),
            ));
        }
    }
}

/// Parses a scenario; with a config (and runbook ids), every name must exist in them.
pub fn parse_scenario(
    name: &str,
    text: &str,
    config: Option<&Config>,
    runbooks: Option<&[crate::runbook::Runbook]>,
) -> Result<Scenario, Invalid> {
    let src = Source::new(name, text);
    let against = Against { config, runbooks };
    super::tolerant::parse(&src, |file, errors| scenario(&src, file, &against, errors))
}

/// Checks a scenario file read whole, adding what is wrong to `errors`.
fn scenario(
    src: &Source,
    file: ScenarioFile,
    against: &Against,
    errors: &mut Vec<Diagnostic>,
) -> Scenario {
    let speed = *file.speed.get_ref();
    if !(1.0..=60.0).contains(&speed) {
        errors.push(src.at(
            file.speed.span(),
            format!("speed `{speed}` is out of range; use 1 to 60"),
        ));
    }
    let simulate = match (&file.simulate, against.config) {
        (Some(ids), _) => {
            for id in ids {
                against.component(src, id, errors);
            }
            ids.iter().map(|id| id.get_ref().clone()).collect()
        }
        (None, Some(config)) => config.components.iter().map(|c| c.id.clone()).collect(),
        (None, None) => Vec::new(),
    };
    let injects = injects(src, &file, against, &simulate, errors);
    let objectives = file
        .objectives
        .iter()
        .filter_map(|o| objective(src, o, against, &injects, errors))
        .collect();
    Scenario {
        title: file.title,
        briefing: file.briefing,
        speed,
        repeat_every: file.repeat_every.map(|d| d.0),
        injects,
        allow_commands: file.allow_commands,
        allow_notify: file.allow_notify,
        simulate,
        objectives,
        config: None,
        kind: file.kind,
        expect_recovers: file.expect_recovers,
    }
}

fn injects(
    src: &Source,
    file: &ScenarioFile,
    against: &Against,
    simulate: &[String],
    errors: &mut Vec<Diagnostic>,
) -> Vec<Inject> {
    in_time_order(
        src,
        file.injects.iter().map(|i| &i.at),
        |at, previous| {
            format!(
                "inject at `{}` comes before the previous one ({}); keep injects in time order",
                humantime::format_duration(at),
                humantime::format_duration(previous)
            )
        },
        errors,
    );
    let mut out = Vec::new();
    for inject in &file.injects {
        let at = inject.at.get_ref().0;
        if let Some(id) = &inject.component {
            against.component(src, id, errors);
            let known = against
                .config
                .is_none_or(|c| c.component(id.get_ref()).is_some());
            if known && against.config.is_some() && !simulate.contains(id.get_ref()) {
                errors.push(src.at(
                    id.span(),
                    format!(
                        "`{}` keeps its real probe in this drill; add it to `simulate` to inject into it",
                        id.get_ref()
                    ),
                ));
            }
        }
        match inject_action(inject) {
            Ok(action) => out.push(Inject {
                at,
                action,
                message: inject.message.clone(),
            }),
            Err(message) => errors.push(src.at(inject.at.span(), message)),
        }
    }
    out
}

fn inject_action(inject: &InjectFile) -> Result<InjectAction, String> {
    let component = inject.component.as_ref().map(|c| c.get_ref().clone());
    match (
        component,
        inject.state,
        &inject.recovery_point,
        &inject.pager,
    ) {
        (Some(component), Some(state), None, None) => Ok(InjectAction::Set {
            component,
            state,
            cascade: inject.cascade,
        }),
        (Some(component), None, Some(HumanDuration(age)), None) => {
            Ok(InjectAction::RecoveryPoint {
                component,
                age: *age,
            })
        }
        (None, None, None, Some(pager)) => match pager.get_ref().as_str() {
            "failing" => Ok(InjectAction::Pager { failing: true }),
            "working" => Ok(InjectAction::Pager { failing: false }),
            other => Err(format!(
                "pager `{other}` is not known; write pager = \"failing\" or \"working\""
            )),
        },
        (None, None, None, None) if inject.message.is_some() => Ok(InjectAction::Message),
        _ => Err("an inject does one thing: `component` with `state` (up, degraded, down), `component` with `recovery_point` (an age), `pager` (\"failing\" or \"working\"), or only a `message`".into()),
    }
}

/// True if some inject takes the component out of service (so its RTO can be measured).
fn fails(injects: &[Inject], id: &str, config: Option<&Config>) -> bool {
    // What `id` depends on, directly or through others (a cascade from any of them reaches it).
    let mut below: Vec<String> = Vec::new();
    let mut next = vec![id.to_owned()];
    while let Some(c) = next.pop() {
        for d in config
            .and_then(|cfg| cfg.component(&c))
            .map_or(&[][..], |c| &c.depends_on[..])
        {
            if !below.contains(d) {
                below.push(d.clone());
                next.push(d.clone());
            }
        }
    }
    injects.iter().any(|i| {
        matches!(&i.action, InjectAction::Set { component, state, cascade }
            if matches!(state, Health::Down | Health::Degraded)
                && (component == id || (*cascade && below.contains(component))))
    })
}

/// The objectives that need no checking against the service: deadlines, a severity, a role.
fn plain_objective(o: &ObjectiveFile) -> Option<Objective> {
    let secs = |d: &HumanDuration| d.0.as_secs();
    if let Some(within) = &o.declared_within {
        return Some(Objective::Declared {
            within_secs: secs(within),
        });
    }
    if let Some(within) = &o.resolved_within {
        return Some(Objective::ResolvedWithin {
            within_secs: secs(within),
        });
    }
    if let Some(within) = &o.update_within {
        return Some(Objective::UpdateWithin {
            within_secs: secs(within),
        });
    }
    o.severity.map(|severity| Objective::Severity { severity })
}

/// `role_assigned`: a role the service has.
fn role_objective(
    src: &Source,
    role: &Spanned<crate::domain::Role>,
    against: &Against,
    errors: &mut Vec<Diagnostic>,
) -> Option<Objective> {
    let known = against.config.map(|c| &c.roles);
    if let Some(roles) = known.filter(|roles| !roles.contains(role.get_ref())) {
        let names: Vec<String> = roles.iter().map(ToString::to_string).collect();
        let hint = diag::hint(role.get_ref().as_str(), names.iter().map(String::as_str));
        errors.push(src.at(
                role.span(),
                format!(
                    "`role_assigned` names role `{}`, which the service does not have{hint} (its roles: {})",
                    role.get_ref(),
                    names.join(", ")
                ),
            ));
        return None;
    }
    Some(Objective::RoleAssigned {
        role: role.get_ref().clone(),
    })
}

/// `checks_done`: the runbook must have checks to tick.
fn checks_objective(
    src: &Source,
    runbook: &Spanned<String>,
    against: &Against,
    errors: &mut Vec<Diagnostic>,
) -> Option<Objective> {
    let checks: Vec<(usize, usize)> = against
        .runbook(src, runbook, errors)
        .ok()?
        .map(|rb| {
            rb.steps
                .iter()
                .enumerate()
                .flat_map(|(s, step)| (0..step.checks.len()).map(move |c| (s, c)))
                .collect()
        })
        .unwrap_or_default();
    if checks.is_empty() && against.runbooks.is_some() {
        errors.push(src.at(
            runbook.span(),
            format!(
                "`checks_done = \"{}\"`: that runbook has no `- [ ]` checks to tick",
                runbook.get_ref()
            ),
        ));
        return None;
    }
    Some(Objective::ChecksDone {
        runbook: runbook.get_ref().clone(),
        checks,
    })
}

/// `rpo_met`: the component must fail in the drill and have a good copy to measure from.
fn rpo_objective(
    src: &Source,
    component: &Spanned<String>,
    against: &Against,
    injects: &[Inject],
    errors: &mut Vec<Diagnostic>,
) -> Option<Objective> {
    against.component(src, component, errors);
    let id = component.get_ref();
    let configured = against.config.and_then(|c| c.component(id));
    let copy = configured.is_none_or(|c| !c.backups.is_empty())
        || injects.iter().any(
            |i| matches!(&i.action, InjectAction::RecoveryPoint { component: c, .. } if c == id),
        );
    let problem = if !fails(injects, id, against.config) {
        Some("no inject takes it down or degraded")
    } else if !copy {
        Some("it has no `recovery_point` or `[[component.backup]]` and no inject sets one")
    } else {
        None
    };
    if let Some(problem) = problem {
        errors.push(src.at(
            component.span(),
            format!("`rpo_met = \"{id}\"` could never be measured: {problem}"),
        ));
        return None;
    }
    let rpo_secs = against
        .config
        .and_then(|c| configured.map(|x| c.budget(x).rpo))
        .unwrap_or_default()
        .as_secs();
    Some(Objective::RpoMet {
        component: id.clone(),
        rpo_secs,
    })
}

fn objective(
    src: &Source,
    spanned: &Spanned<ObjectiveFile>,
    against: &Against,
    injects: &[Inject],
    errors: &mut Vec<Diagnostic>,
) -> Option<Objective> {
    let o = spanned.get_ref();
    let mut err = |message: String| {
        errors.push(src.at(spanned.span(), message));
        None
    };
    let keys = [
        o.declared_within.is_some(),
        o.severity.is_some(),
        o.runbook.is_some(),
        o.acknowledged_within.is_some(),
        o.rto_met.is_some(),
        o.rpo_met.is_some(),
        o.resolved_within.is_some(),
        o.update_within.is_some(),
        o.role_assigned.is_some(),
        o.checks_done.is_some(),
    ];
    if keys.iter().filter(|k| **k).count() != 1 {
        return err("an objective has exactly one of `declared_within`, `severity`, `runbook`, `acknowledged_within` (with `level`), `rto_met`, `rpo_met`, `resolved_within`, `update_within`, `role_assigned` or `checks_done`".into());
    }
    if o.level.is_some() && o.acknowledged_within.is_none() {
        return err("`level` goes with `acknowledged_within`".into());
    }
    let secs = |d: &HumanDuration| d.0.as_secs();
    if let Some(role) = &o.role_assigned {
        return role_objective(src, role, against, errors);
    }
    if let Some(simple) = plain_objective(o) {
        return Some(simple);
    }
    if let Some(component) = &o.rpo_met {
        return rpo_objective(src, component, against, injects, errors);
    }
    if let Some(runbook) = &o.runbook {
        against.runbook(src, runbook, errors).ok()?;
        return Some(Objective::Runbook {
            runbook: runbook.get_ref().clone(),
        });
    }
    if let Some(runbook) = &o.checks_done {
        return checks_objective(src, runbook, against, errors);
    }
    if let Some(within) = &o.acknowledged_within {
        let level = o.level.as_ref().map_or(1, |l| *l.get_ref());
        let deepest = against.config.map(|c| {
            c.escalation
                .iter()
                .map(|e| e.levels.len())
                .max()
                .unwrap_or(0)
        });
        if level == 0 || deepest.is_some_and(|d| level > d) {
            let span = o.level.as_ref().map_or(spanned.span(), Spanned::span);
            errors.push(src.at(span, format!(
                "level {level} is not an escalation level of the service (it has {}); it could never be acknowledged",
                deepest.unwrap_or(0)
            )));
            return None;
        }
        return Some(Objective::Acknowledged {
            level: level - 1,
            within_secs: secs(within),
        });
    }
    let component = o.rto_met.as_ref()?;
    against.component(src, component, errors);
    if !fails(injects, component.get_ref(), against.config) {
        errors.push(src.at(
            component.span(),
            format!(
                "no inject takes `{}` down or degraded, so its RTO could never be measured",
                component.get_ref()
            ),
        ));
        return None;
    }
    let rto_secs = against
        .config
        .and_then(|c| c.component(component.get_ref()).map(|x| c.budget(x).rto))
        .unwrap_or_default()
        .as_secs();
    Some(Objective::RtoMet {
        component: component.get_ref().clone(),
        rto_secs,
    })
}
