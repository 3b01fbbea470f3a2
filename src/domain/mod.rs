//! The incident domain: no terminal types, no I/O, time always passed in.

pub mod alert;
pub mod backup;
pub mod budget;
pub mod drill;
pub mod escalation;
pub mod event;
pub mod health;
pub mod incident;
pub mod matcher;
pub mod objective;
pub mod silence;
pub mod text;
pub mod threshold;
pub mod world;

use serde::{Deserialize, Serialize};
use strum::{Display, EnumIter, EnumString, IntoStaticStr};

/// Incident severity, P1 the most severe.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
    Display,
    EnumString,
    EnumIter,
    IntoStaticStr,
)]
pub enum Severity {
    P1,
    P2,
    P3,
    P4,
}

impl Severity {
    /// What the severity means to a stakeholder.
    #[must_use]
    pub fn meaning(self) -> &'static str {
        match self {
            Self::P1 => "critical: customers down",
            Self::P2 => "major: degraded for many",
            Self::P3 => "minor: limited impact",
            Self::P4 => "low: no customer impact",
        }
    }
}

/// Incident status, in the order an incident normally moves through them.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Display, EnumString, EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Status {
    Investigating,
    Identified,
    Monitoring,
    Resolved,
}

/// Health of a component as the console sees it, worst first.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
    Display,
    EnumString,
    EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Health {
    Down,
    Degraded,
    Unknown,
    Up,
}

impl Health {
    /// True when the component is failing (down or degraded).
    #[must_use]
    pub fn is_failing(self) -> bool {
        matches!(self, Self::Down | Self::Degraded)
    }
}

/// How much the business depends on a component: one of the service's tiers (critical, high,
/// standard and low unless the config lists its own), with its place in their order, most
/// important first. Sets the sort order; the config gives each tier its budgets and severity.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tier {
    rank: usize,
    name: String,
}

impl Tier {
    /// A tier by name (folded to lower case) at `rank` in the service's order (0 = most important).
    #[must_use]
    pub fn new(name: &str, rank: usize) -> Self {
        Self {
            rank,
            name: name.trim().to_lowercase(),
        }
    }

    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its place in the service's order: 0 is the most important tier.
    #[must_use]
    pub fn rank(&self) -> usize {
        self.rank
    }
}

impl std::fmt::Display for Tier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

/// An incident role someone can hold: commander, scribe and comms unless the config lists its
/// own (`roles = ["commander", "scribe", "comms", "technical lead"]`). Lower case, as journaled.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(from = "String", into = "String")]
pub struct Role(String);

impl Role {
    /// The role every incident has: whoever declares holds it.
    pub const COMMANDER: &str = "commander";

    #[must_use]
    pub fn new(name: &str) -> Self {
        Self(
            name.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase(),
        )
    }

    #[must_use]
    pub fn commander() -> Self {
        Self::new(Self::COMMANDER)
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<String> for Role {
    fn from(name: String) -> Self {
        Self::new(&name)
    }
}

impl From<Role> for String {
    fn from(role: Role) -> Self {
        role.0
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The roles of a config that lists none.
pub const DEFAULT_ROLES: [&str; 3] = ["commander", "scribe", "comms"];
