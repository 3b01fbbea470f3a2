//! Tiers and their recovery targets, from lists and tables, and the tier every component needs.

use std::fmt::Write as _;
use std::time::Duration;

use super::components::{add_component, of_tier};
use super::outline::{Block, Item, List};
use super::words::{human_duration, mentions};
use super::{ComponentDraft, Draft, ServiceTargets, TierDraft, words};

/// `**Critical Services**: 15 minutes` with the services nested under it (RTO), or
/// `**Critical Data**: 5 minutes` with data sets under it (RPO).
pub(super) fn tier_list(list: &List, title: &str, draft: &mut Draft) {
    let rto_list = mentions(title, &["recovery time", "rto"]);
    for item in &list.items {
        let label = item.text.label.clone().unwrap_or_default();
        // `**Recovery Point Objective (RPO)**: 24 hours`: the whole service's target, no tier
        // and no component.
        if super::tables::is_rto(&label) || super::tables::is_rpo(&label) {
            service_target(&label, item, draft);
            continue;
        }
        // `**Minimize Downtime**: Achieve RTO of < 4 hours`: a goal for the whole service,
        // its kind in its text.
        let rest = &item.text.rest;
        let says = [
            ("RTO", super::tables::is_rto(rest)),
            ("RPO", super::tables::is_rpo(rest)),
        ];
        if words::priority(&label).is_none()
            && let [(kind, true), (_, false)] | [(_, false), (kind, true)] = says
        {
            service_target(kind, item, draft);
            continue;
        }
        // `**MTD**: 8 hours`: the outer bound the RTO stays within, no target of its own.
        if super::tables::is_mtd(&label) && !super::tables::is_rto(&label) {
            let text = format!(
                "`{label}: {}`: a maximum tolerable downtime, kept in the plan (warroom's budgets are RTO and RPO)",
                item.text.rest
            );
            draft.report.made(item.line, text);
            continue;
        }
        let Some(target) = words::duration(rest) else {
            // A target written so it cannot be read (`ASAP`, `2 business days`) is said; a
            // principle beside the targets (`Test the procedures regularly`) is not one.
            let attempt =
                rest.chars().any(|c| c.is_ascii_digit()) || rest.split_whitespace().count() <= 3;
            if !rest.is_empty() && attempt {
                draft.report.human(
                    item.line,
                    format!("target `{rest}` of `{label}` not understood"),
                );
            }
            continue;
        };
        let (rto, rpo) = if rto_list {
            (Some(target), None)
        } else {
            (None, Some(target))
        };
        let nested: Vec<&Item> = item
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::List(l) => Some(l.items.iter()),
                _ => None,
            })
            .flatten()
            .collect();
        match words::priority(&label) {
            Some((tier, rank)) => {
                tier_targets(draft, &tier, rank, rto, rpo);
                let what = if rto_list { "RTO" } else { "RPO" };
                let mut text = format!("tier `{tier}`: {what} {}", human_duration(target));
                if rto_list {
                    for service in &nested {
                        let name = service.text.whole();
                        of_tier(draft, &name, &tier, format!("\"{label}\""), service.line);
                    }
                    let _ = write!(text, ", {} components", nested.len());
                } else if !nested.is_empty() {
                    let data: Vec<String> = nested.iter().map(|i| i.text.whole()).collect();
                    let _ = write!(text, " (for {}: data, not components)", data.join(", "));
                }
                draft.report.made(item.line, text);
            }
            None if !label.is_empty() => {
                add_component(
                    draft,
                    &label,
                    None,
                    (rto, rpo),
                    Vec::new(),
                    format!("\"{title}\""),
                    item.line,
                );
                draft.report.made(item.line, format!("component `{label}`"));
            }
            None => {}
        }
    }
}

/// Records a tier; its first stated targets win.
pub fn tier_targets(
    draft: &mut Draft,
    name: &str,
    rank: usize,
    rto: Option<Duration>,
    rpo: Option<Duration>,
) {
    match draft.tiers.iter_mut().find(|t| t.name == name) {
        Some(tier) => {
            tier.rto = tier.rto.or(rto);
            tier.rpo = tier.rpo.or(rpo);
        }
        None => draft.tiers.push(TierDraft {
            name: name.to_owned(),
            rank,
            rto,
            rpo,
            assumed: Vec::new(),
        }),
    }
}

/// Every tier a component names exists, with budgets: the plan's, else the tightest of its
/// components, else warroom's for a built-in name. Components with no tier take the lowest.
pub(super) fn tiers(draft: &mut Draft) {
    let default_tier = |d: &Draft| {
        d.tiers
            .iter()
            .max_by_key(|t| t.rank)
            .map(|t| t.name.clone())
    };
    let fallback = default_tier(draft).unwrap_or_else(|| "standard".to_owned());
    let untiered: Vec<String> = draft
        .components
        .iter()
        .filter(|c| c.tier.is_none())
        .map(|c| c.name.clone())
        .collect();
    if !untiered.is_empty() {
        draft.report.human(
            0,
            format!(
                "the plan gives no tier for {}: tier `{fallback}` assumed",
                untiered.join(", ")
            ),
        );
        if !draft.tiers.iter().any(|t| t.name == fallback) {
            let rank = words::priority(&fallback).map_or(2, |(_, r)| r);
            tier_targets(draft, &fallback, rank, None, None);
        }
    }
    for c in &mut draft.components {
        c.tier.get_or_insert_with(|| fallback.clone());
    }
    draft.tiers.sort_by_key(|t| t.rank);
    let built_in = |name: &str| {
        crate::config::tier::BUILT_IN
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|(_, rto, rpo)| (Duration::from_secs(*rto), Duration::from_secs(*rpo)))
    };
    let components = draft.components.clone();
    for tier in &mut draft.tiers {
        let members = components
            .iter()
            .filter(|c| c.tier.as_deref() == Some(&tier.name));
        let tightest =
            |f: fn(&ComponentDraft) -> Option<Duration>| members.clone().filter_map(f).min();
        let built = built_in(&tier.name);
        let rto = assume(tier.rto, tightest(|c| c.rto), built.map(|b| b.0), "RTO");
        let rpo = assume(tier.rpo, tightest(|c| c.rpo), built.map(|b| b.1), "RPO");
        for (key, value, why) in [("rto", rto, "RTO"), ("rpo", rpo, "RPO")]
            .into_iter()
            .filter_map(|(key, v, what)| {
                v.map(|(d, why)| {
                    let said = format!("{what} {} assumed: {why}", words::human_duration(d));
                    (key, d, said)
                })
            })
        {
            if key == "rto" {
                tier.rto = Some(value);
            } else {
                tier.rpo = Some(value);
            }
            tier.assumed.push((key, why));
        }
    }
    let notes: Vec<String> = draft
        .tiers
        .iter()
        .flat_map(|t| {
            t.assumed
                .iter()
                .map(move |(_, why)| format!("tier `{}` {why}", t.name))
        })
        .collect();
    for note in notes {
        draft.report.human(0, note);
    }
}

/// A target the plan does not give: the tightest its components state, else warroom's built-in
/// one for the tier's name, else 4 hours; with why, for the kit's `# assumed:` comment.
fn assume(
    stated: Option<Duration>,
    tightest: Option<Duration>,
    built_in: Option<Duration>,
    what: &str,
) -> Option<(Duration, String)> {
    if stated.is_some() {
        return None;
    }
    Some(match (tightest, built_in) {
        (Some(d), _) => (
            d,
            "the plan gives the tier none; the tightest of its components'".into(),
        ),
        (None, Some(d)) => (
            d,
            "the plan gives none; warroom's default for the tier's name".into(),
        ),
        (None, None) => (
            Duration::from_hours(4),
            format!("the plan gives no {what} for the tier or its components"),
        ),
    })
}

/// A tier named with no targets of its own.
pub fn tier(draft: &mut Draft, name: &str, rank: usize) {
    tier_targets(draft, name, rank, None, None);
}

/// A target the plan gives the whole service, kept for `whole_service` to place.
fn service_target(label: &str, item: &Item, draft: &mut Draft) {
    let rpo = super::tables::is_rpo(label);
    let what = if rpo { "RPO" } else { "RTO" };
    let Some(target) = words::duration(&item.text.rest) else {
        let text = format!(
            "the service's {what} `{}` is not understood",
            item.text.rest
        );
        return draft.report.human(item.line, text);
    };
    let slot = if rpo {
        &mut draft.service_targets.rpo
    } else {
        &mut draft.service_targets.rto
    };
    slot.get_or_insert((target, item.line));
}

/// The whole service's targets: where the plan names no component but its title says what it
/// recovers (`Database Disaster Recovery Procedures`), they are that component's; else they
/// are said for a human to give to the components they concern (none is invented for them).
pub(super) fn whole_service(draft: &mut Draft) {
    let ServiceTargets { rto, rpo } = std::mem::take(&mut draft.service_targets);
    let line = rto.or(rpo).map_or(0, |t| t.1);
    if rto.is_none() && rpo.is_none() {
        return;
    }
    if let (true, Some(subject)) = (draft.components.is_empty(), draft.subject.clone()) {
        let origin = "the whole service's targets".to_owned();
        let targets = (rto.map(|t| t.0), rpo.map(|t| t.0));
        add_component(draft, &subject, None, targets, Vec::new(), origin, line);
        draft.report.made(
            line,
            format!("component `{subject}` (what the plan recovers) with the service's targets"),
        );
        return;
    }
    for (what, target) in [("RTO", rto), ("RPO", rpo)] {
        let Some((target, line)) = target else {
            continue;
        };
        let shown = human_duration(target);
        if draft.components.is_empty() {
            draft.report.human(
                line,
                format!(
                    "the plan gives the whole service an {what} of {shown}: give it to the components it concerns (no component is named for it)"
                ),
            );
            continue;
        }
        // The whole service is back within its RTO only if each of its parts is: a component
        // with no target of its own is given the service's, said as assumed.
        let mut given = Vec::new();
        for c in &mut draft.components {
            let slot = if what == "RTO" {
                &mut c.rto
            } else {
                &mut c.rpo
            };
            if slot.is_none() {
                *slot = Some(target);
                c.assumed.push(format!(
                    "{what} {shown}: the whole service's (plan line {line}); the plan gives it none of its own"
                ));
                given.push(c.name.clone());
            }
        }
        if !given.is_empty() {
            draft.report.human(
                line,
                format!(
                    "the whole service's {what} of {shown} given to {}, which the plan gives none of their own (assumed)",
                    given.join(", ")
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_whole_services_targets_are_said_and_give_no_component() {
        let plan = "# Shop DR\n\n## RPO & RTO Targets\n\n\
            - **Recovery Point Objective (RPO)**: 24 hours\n\
            - **Recovery Time Objective (RTO)**: 4 hours\n\n\
            ## Database restore procedure\n\n1. Restore the dump\n2. Verify\n";
        let (kit, config) = crate::import::imported(plan);
        assert!(!config.contains("Recovery Point Objective"), "{config}");
        let human: Vec<&str> = kit.report.human.iter().map(|e| e.text.as_str()).collect();
        assert!(
            human.iter().any(|h| h.contains("whole service an RPO of"))
                && human
                    .iter()
                    .any(|h| h.contains("whole service an RTO of 4h")),
            "{human:?}"
        );
    }

    #[test]
    fn a_target_the_plan_does_not_give_is_written_as_assumed_and_said() {
        let plan = "# Shop DR\n\n| Component | Tier | RTO |\n|---|---|---|\n\
            | Database | critical | 1h |\n| Cache | critical | 2h |\n";
        let (kit, config) = crate::import::imported(plan);
        assert!(
            config.contains(
                "[[tiers]]\nname = \"critical\"\n\
                 # RTO 1h assumed: the plan gives the tier none; the tightest of its components'\n\
                 rto = \"1h\"\n\
                 # RPO 5m assumed: the plan gives none; warroom's default for the tier's name\n\
                 rpo = \"5m\"\n"
            ),
            "{config}"
        );
        let human: Vec<&str> = kit.report.human.iter().map(|e| e.text.as_str()).collect();
        assert!(
            human
                .iter()
                .any(|h| h.starts_with("tier `critical` RPO 5m assumed")),
            "{human:?}"
        );
    }

    #[test]
    fn the_whole_services_targets_are_the_component_the_title_says_is_recovered() {
        let plan = "# Disaster Recovery Runbook\n\n**Database Disaster Recovery Procedures for Shop**\n\n\
            ## RPO & RTO Targets\n\n- **Recovery Point Objective (RPO)**: 24 hours\n\
            - **Recovery Time Objective (RTO)**: 4 hours\n\n\
            ## Backup Strategy\n\n```bash\n0 2 * * * backup.sh\n```\n\n\
            ## Database restore\n\n1. Restore the dump\n2. Verify\n";
        let (kit, config) = crate::import::imported(plan);
        assert!(
            config
                .contains("name = \"Database\"\ntier = \"standard\"\nrto = \"4h\"\nrpo = \"1day\""),
            "{config}"
        );
        let runbooks = kit
            .files
            .iter()
            .filter(|(p, _)| p.starts_with("runbooks/"))
            .count();
        assert_eq!(runbooks, 1, "how backups are taken is no procedure");
    }

    #[test]
    fn the_whole_services_targets_are_given_as_assumed_to_components_without_their_own() {
        let plan = "# Shop DR\n\n## Summary\n\n**Objective:**\n\n\
            - **RTO** (Recovery Time Objective): < 1 hour\n- **RPO** (Recovery Point Objective): < 15 minutes\n\n\
            ## Components\n\n| Component | RTO |\n|---|---|\n| Database | 30m |\n| Cache | TBD |\n";
        let (_, config) = crate::import::imported(plan);
        assert!(
            config.contains(
                "name = \"Cache\"\ntier = \"standard\"\n\
                 # assumed: RTO 1h: the whole service's (plan line 7); the plan gives it none of its own\n\
                 # assumed: RPO 15m: the whole service's (plan line 8); the plan gives it none of its own\n"
            ),
            "{config}"
        );
        assert!(
            config.contains("name = \"Database\"\ntier = \"standard\"\n# assumed: RPO 15m"),
            "its own RTO stays: {config}"
        );
    }
}
