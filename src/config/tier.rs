//! Tiers: how much the business depends on a component. Four built in (critical, high, standard,
//! low), whose budgets `[tiers]` may override; or the service's own list, most important first,
//! as `[[tiers]]` entries.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use super::spanned::Spanned;
use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use strum::IntoEnumIterator;

use super::Budget;
use super::diag::{Diagnostic, Source, hint};
use super::duration::HumanDuration;
use crate::domain::{Severity, Tier};
use crate::sanitize::sanitize;

/// One tier of the service: its place in the order, its default budgets and the severity an
/// incident on one of its components starts at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierPolicy {
    pub tier: Tier,
    pub budget: Budget,
    pub severity: Severity,
}

/// The built-in tiers, most important first, with their RTO and RPO in seconds.
pub const BUILT_IN: [(&str, u64, u64); 4] = [
    ("critical", 15 * 60, 5 * 60),
    ("high", 3600, 30 * 60),
    ("standard", 4 * 3600, 4 * 3600),
    ("low", 24 * 3600, 24 * 3600),
];

/// `[tiers]` as written: a table of budgets for the built-in tiers, or a list of the service's
/// own tiers (`[[tiers]]`).
#[derive(Debug)]
pub enum TiersFile {
    BuiltIn(BTreeMap<Spanned<String>, TierBudgetFile>),
    Own(Vec<Spanned<TierFile>>),
}

/// The budgets (and optionally the severity) of one built-in tier in the `[tiers]` table.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TierBudgetFile {
    pub rto: HumanDuration,
    pub rpo: HumanDuration,
    pub severity: Option<Severity>,
}

/// One of the service's own tiers, in a `[[tiers]]` entry.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TierFile {
    pub name: Spanned<String>,
    pub rto: HumanDuration,
    pub rpo: HumanDuration,
    pub severity: Option<Severity>,
}

impl<'de> Deserialize<'de> for TiersFile {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Shape;
        impl<'de> Visitor<'de> for Shape {
            type Value = TiersFile;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a `[tiers]` table of built-in tier budgets, or `[[tiers]]` entries listing \
                     the service's own tiers",
                )
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<TiersFile, A::Error> {
                Deserialize::deserialize(MapAccessDeserializer::new(map)).map(TiersFile::BuiltIn)
            }

            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<TiersFile, A::Error> {
                Deserialize::deserialize(SeqAccessDeserializer::new(seq)).map(TiersFile::Own)
            }
        }
        d.deserialize_any(Shape)
    }
}

/// The severity a tier at `rank` starts incidents at unless it names one: P1 for the first, P2
/// for the second, and so on down to P4.
fn severity_at(rank: usize) -> Severity {
    Severity::iter().nth(rank).unwrap_or(Severity::P4)
}

fn budget(rto: HumanDuration, rpo: HumanDuration) -> Budget {
    Budget {
        rto: rto.0,
        rpo: rpo.0,
    }
}

/// The built-in tiers, their budgets overridden by the `[tiers]` table where it gives them.
fn built_in(
    src: &Source,
    overrides: BTreeMap<Spanned<String>, TierBudgetFile>,
    errors: &mut Vec<Diagnostic>,
) -> Vec<TierPolicy> {
    let mut tiers: Vec<TierPolicy> = BUILT_IN
        .iter()
        .enumerate()
        .map(|(rank, (name, rto, rpo))| TierPolicy {
            tier: Tier::new(name, rank),
            budget: Budget {
                rto: Duration::from_secs(*rto),
                rpo: Duration::from_secs(*rpo),
            },
            severity: severity_at(rank),
        })
        .collect();
    for (name, given) in overrides {
        let wanted = Tier::new(name.get_ref(), 0);
        match tiers.iter_mut().find(|t| t.tier.name() == wanted.name()) {
            Some(tier) => {
                tier.budget = budget(given.rto, given.rpo);
                tier.severity = given.severity.unwrap_or(tier.severity);
            }
            None => errors.push(src.at(
                name.span(),
                format!(
                    "`{}` is not a built-in tier (critical, high, standard, low){}; to use your own \
                     tiers, list each one, most important first, as a `[[tiers]]` entry with \
                     name, rto, rpo and optionally severity",
                    sanitize(name.get_ref()),
                    hint(wanted.name(), BUILT_IN.iter().map(|(n, _, _)| *n)),
                ),
            )),
        }
    }
    tiers
}

/// The service's tiers, most important first: its own list, else the built-in four.
pub fn convert(
    src: &Source,
    file: Option<Spanned<TiersFile>>,
    errors: &mut Vec<Diagnostic>,
) -> Vec<TierPolicy> {
    let Some(file) = file else {
        return built_in(src, BTreeMap::new(), errors);
    };
    let span = file.span();
    let own = match file.into_inner() {
        TiersFile::BuiltIn(overrides) => return built_in(src, overrides, errors),
        TiersFile::Own(own) => own,
    };
    let mut tiers: Vec<TierPolicy> = Vec::new();
    for entry in own {
        let entry = entry.into_inner();
        let tier = Tier::new(entry.name.get_ref(), tiers.len());
        if tier.name().is_empty() || tiers.iter().any(|t| t.tier.name() == tier.name()) {
            errors.push(src.at(
                entry.name.span(),
                format!(
                    "tier `{}` is empty or listed twice",
                    sanitize(entry.name.get_ref())
                ),
            ));
            continue;
        }
        tiers.push(TierPolicy {
            severity: entry.severity.unwrap_or_else(|| severity_at(tier.rank())),
            budget: budget(entry.rto, entry.rpo),
            tier,
        });
    }
    if tiers.is_empty() {
        errors.push(src.at(
            span,
            "`tiers` lists no tier; list each one, most important first, as a `[[tiers]]` entry, \
             or leave it out for the built-in critical, high, standard and low",
        ));
        return built_in(src, BTreeMap::new(), errors);
    }
    tiers
}

/// The tier a component names, or an error at its `tier` value listing the service's tiers.
pub fn resolve(
    src: &Source,
    tiers: &[TierPolicy],
    name: &Spanned<String>,
    errors: &mut Vec<Diagnostic>,
) -> Tier {
    let wanted = Tier::new(name.get_ref(), 0);
    if let Some(known) = tiers.iter().find(|t| t.tier.name() == wanted.name()) {
        return known.tier.clone();
    }
    let names: Vec<&str> = tiers.iter().map(|t| t.tier.name()).collect();
    errors.push(src.at(
        name.span(),
        format!(
            "unknown tier `{}` (this service's tiers are {}){}",
            sanitize(name.get_ref()),
            names.join(", "),
            hint(wanted.name(), names.iter().copied()),
        ),
    ));
    tiers
        .last()
        .map_or_else(|| wanted.clone(), |t| t.tier.clone())
}

#[cfg(test)]
mod tests {
    use crate::config::parse;
    use crate::domain::Severity;
    use std::time::Duration;

    const COMPONENT: &str = "\n[[component]]\nid = \"edge\"\nname = \"Edge\"\ntier = \"TIER\"\nprobe = { kind = \"sim\" }\n";

    fn config(tiers: &str, tier: &str) -> Result<crate::config::Config, Vec<String>> {
        let text = format!(
            "{tiers}[service]\nname = \"Shop\"\n{}",
            COMPONENT.replace("TIER", tier)
        );
        parse("w.toml", &text).map_err(|e| e.0.iter().map(ToString::to_string).collect())
    }

    fn names(config: &crate::config::Config) -> Vec<(&str, usize, Severity)> {
        config
            .tiers
            .iter()
            .map(|t| (t.tier.name(), t.tier.rank(), t.severity))
            .collect()
    }

    #[test]
    fn the_four_built_in_tiers_are_the_default_and_the_table_tunes_their_budgets() {
        let config = config(
            "[tiers]\nhigh = { rto = \"2h\", rpo = \"1h\", severity = \"P1\" }\n",
            "high",
        )
        .unwrap();
        assert_eq!(
            names(&config),
            [
                ("critical", 0, Severity::P1),
                ("high", 1, Severity::P1),
                ("standard", 2, Severity::P3),
                ("low", 3, Severity::P4)
            ]
        );
        let budget = config.budget(&config.components[0]);
        assert_eq!(budget.rto, Duration::from_hours(2));
        assert_eq!(config.tiers[0].budget.rto, Duration::from_mins(15));
        assert_eq!(
            config.default_severity(&config.components[0].tier),
            Severity::P1
        );
    }

    #[test]
    fn a_service_lists_its_own_tiers_most_important_first() {
        let own = "[[tiers]]\nname = \"critical\"\nrto = \"15m\"\nrpo = \"0s\"\n\
                   [[tiers]]\nname = \"high\"\nrto = \"1h\"\nrpo = \"15m\"\n\
                   [[tiers]]\nname = \"Medium\"\nrto = \"30m\"\nrpo = \"0s\"\n\
                   [[tiers]]\nname = \"low\"\nrto = \"1d\"\nrpo = \"1d\"\n\
                   [[tiers]]\nname = \"best effort\"\nrto = \"7d\"\nrpo = \"7d\"\nseverity = \"P3\"\n";
        let config = config(own, "medium").unwrap();
        assert_eq!(
            names(&config),
            [
                ("critical", 0, Severity::P1),
                ("high", 1, Severity::P2),
                ("medium", 2, Severity::P3),
                ("low", 3, Severity::P4),
                ("best effort", 4, Severity::P3)
            ]
        );
        let edge = &config.components[0];
        assert_eq!(edge.tier.name(), "medium");
        assert_eq!(config.budget(edge).rto, Duration::from_mins(30));
        assert!(edge.tier < config.tiers[3].tier, "medium sorts before low");
        let err = self::config(own, "standard").unwrap_err();
        assert!(
            err[0].starts_with("w.toml:") && err[0].contains("unknown tier `standard`"),
            "{err:?}"
        );
        assert!(
            err[0].ends_with("tiers are critical, high, medium, low, best effort)"),
            "{err:?}"
        );
    }

    #[test]
    fn tier_mistakes_are_located_and_say_what_to_do() {
        let err = config("[tiers]\nmedium = { rto = \"2h\", rpo = \"1h\" }\n", "high").unwrap_err();
        assert!(
            err[0].starts_with("w.toml:2:1: `medium` is not a built-in tier")
                && err[0].contains("`[[tiers]]` entry"),
            "{err:?}"
        );
        let err = config("[tiers]\nhihg = { rto = \"2h\", rpo = \"1h\" }\n", "high").unwrap_err();
        assert!(err[0].contains("did you mean `high`?"), "{err:?}");
        let twice = "[[tiers]]\nname = \"gold\"\nrto = \"1h\"\nrpo = \"1h\"\n\
                     [[tiers]]\nname = \"Gold\"\nrto = \"2h\"\nrpo = \"1h\"\n";
        let err = config(twice, "gold").unwrap_err();
        assert!(
            err[0].starts_with("w.toml:6:8: tier `Gold` is empty or listed twice"),
            "{err:?}"
        );
        let err = config("tiers = []\n", "high").unwrap_err();
        assert!(
            err[0].starts_with("w.toml:1:9: `tiers` lists no tier"),
            "{err:?}"
        );
        let err = config("[[tiers]]\nname = \"gold\"\nrto = \"1h\"\n", "gold").unwrap_err();
        assert!(err[0].contains("missing field `rpo`"), "{err:?}");
    }
}
