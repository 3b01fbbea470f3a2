//! What a drill is and what it asks of the team: its kind of exercise and its objectives, as a
//! scenario sets them and the journal records them.

use serde::{Deserialize, Serialize};

use super::{Role, Severity};

/// What kind of exercise a drill is, as DR plans name them.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
    strum::Display,
    strum::EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum DrillKind {
    /// Talked through around a table; nothing is touched.
    Tabletop,
    /// The team walks the runbooks step by step.
    Walkthrough,
    /// Failures are simulated and the team recovers them.
    #[default]
    Simulation,
}

/// What the team should achieve; journaled at declaration so a replay scores the same.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "objective", rename_all = "snake_case")]
pub enum Objective {
    /// Declared within this long of the first failure.
    Declared { within_secs: u64 },
    /// The incident reached this severity.
    Severity { severity: Severity },
    /// A step of this runbook was run or marked.
    Runbook { runbook: String },
    /// This escalation level (0-based) was acknowledged within this long of the declaration.
    Acknowledged { level: usize, within_secs: u64 },
    /// The component's outage ended within its recovery-time objective.
    RtoMet { component: String, rto_secs: u64 },
    /// The data the component's outage put at risk was within its recovery-point objective.
    RpoMet { component: String, rpo_secs: u64 },
    /// Resolved within this long of the first failure.
    ResolvedWithin { within_secs: u64 },
    /// A stakeholder update posted within this long of the declaration.
    UpdateWithin { within_secs: u64 },
    /// Someone took this role.
    RoleAssigned { role: Role },
    /// Every manual check of this runbook ticked: (step, check) pairs, as the runbook had them.
    ChecksDone {
        runbook: String,
        checks: Vec<(usize, usize)>,
    },
}
