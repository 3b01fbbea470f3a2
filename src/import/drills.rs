//! One drill per scenario: the components a scenario names fail, and the drill is scored against
//! the tier targets.

use std::fmt::Write as _;

use super::Draft;
use super::dependencies::distinctive;
use super::words::mentions;

/// Once components are known: what each runbook is about, and what its drill fails.
pub fn settle(draft: &mut Draft) {
    injects(draft);
    let drills = draft
        .runbooks
        .iter()
        .filter(|r| r.scenario && !r.injects.is_empty())
        .count();
    if drills > 0 {
        draft.report.human(
            0,
            format!(
                "{drills} drill(s) fail their components 30 seconds in and ask for a declaration within 5 minutes: assumed (the plan gives no timeline); change them in runbooks/drills/"
            ),
        );
    }
}

/// What each scenario's drill fails, and which components each runbook is about.
fn injects(draft: &mut Draft) {
    for i in 0..draft.runbooks.len() {
        let rb = &draft.runbooks[i];
        let title = rb.title.to_lowercase();
        let body = format!("{} {}", rb.summary.join(" "), rb.signals.join(" ")).to_lowercase();
        let steps: String = rb
            .steps()
            .fold(String::new(), |mut all, s| {
                let _ = write!(all, "{} {} ", s.title, s.text.join(" "));
                all
            })
            .to_lowercase();
        let about = |text: &str| named_in(&draft.components, text);
        let mut components = about(&title);
        if components.is_empty() {
            components = about(&body);
        }
        let mut inject = components.clone();
        for extra in about(&steps) {
            if !components.contains(&extra) {
                components.push(extra);
            }
        }
        if rb.scenario && inject.is_empty() && draft.components.is_empty() {
            let text = format!(
                "scenario \"{}\" can have no drill: the plan names no component for it to fail; add components, then a drill (README \"Scenario files\")",
                rb.title
            );
            draft.report.human(rb.line, text);
        } else if rb.scenario && inject.is_empty() {
            let top = draft
                .components
                .iter()
                .map(|c| tier_rank(draft, c.tier.as_deref()))
                .min();
            inject = draft
                .components
                .iter()
                .filter(|c| Some(tier_rank(draft, c.tier.as_deref())) == top)
                .take(1)
                .map(|c| c.id.clone())
                .collect();
            let line = rb.line;
            let title = rb.title.clone();
            draft.report.human(
                line,
                format!("scenario \"{title}\" names no component of the plan: its drill fails {} (the first of the most important tier); change the drill's inject", inject.join(", ")),
            );
        }
        inject.truncate(4);
        if rb.scenario && !inject.is_empty() {
            let text = format!("drill `{}`: fails {}", rb.id, inject.join(", "));
            draft.report.made(rb.line, text);
        }
        let rb = &mut draft.runbooks[i];
        rb.components = components;
        rb.injects = inject;
        for id in rb.components.clone() {
            if let Some(c) = draft.components.iter_mut().find(|c| c.id == id) {
                c.runbooks.push(draft.runbooks[i].id.clone());
            }
        }
    }
}

fn tier_rank(draft: &Draft, tier: Option<&str>) -> usize {
    draft
        .tiers
        .iter()
        .find(|t| Some(t.name.as_str()) == tier)
        .map_or(usize::MAX, |t| t.rank)
}

/// Components whose distinctive words appear in `text`; replicas and standbys only when
/// nothing else matches.
fn named_in(components: &[super::ComponentDraft], text: &str) -> Vec<String> {
    let words_of_text: Vec<&str> = text.split(|c: char| !c.is_alphanumeric()).collect();
    let found: Vec<&super::ComponentDraft> = components
        .iter()
        .filter(|c| {
            distinctive(&c.name).iter().any(|w| {
                words_of_text
                    .iter()
                    .any(|t| t == w || t.strip_suffix('s') == Some(w))
            })
        })
        .collect();
    let standby = |c: &&super::ComponentDraft| {
        mentions(
            &c.name,
            &[
                "replica",
                "failover",
                "backup",
                "secondary",
                "standby",
                "fallback",
            ],
        )
    };
    let primary: Vec<String> = found
        .iter()
        .filter(|c| !standby(c))
        .map(|c| c.id.clone())
        .collect();
    if primary.is_empty() {
        found.iter().map(|c| c.id.clone()).collect()
    } else {
        primary
    }
}
