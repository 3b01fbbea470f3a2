//! The configuration as it is written in TOML: serde types that reject unknown keys.

use std::collections::BTreeMap;

use super::spanned::Spanned;
use serde::Deserialize;

pub use super::duration::HumanDuration;
use crate::domain::{Health, Severity};

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub service: ServiceFile,
    #[serde(default)]
    pub tiers: Option<Spanned<super::tier::TiersFile>>,
    #[serde(default, rename = "component")]
    pub components: Vec<ComponentFile>,
    #[serde(default, rename = "contact")]
    pub contacts: Vec<ContactFile>,
    #[serde(default)]
    pub escalation: Vec<EscalationFile>,
    #[serde(default)]
    pub notify: super::notify::NotifyFile,
    #[serde(default)]
    pub ui: UiFile,
    #[serde(default)]
    pub probes: ProbesFile,
    /// `[sources.prometheus.NAME]`: monitoring servers that probes ask.
    #[serde(default)]
    pub sources: super::sources::SourcesFile,
    #[serde(default)]
    pub runbooks: RunbooksFile,
    #[serde(default)]
    pub review: ReviewFile,
    #[serde(default)]
    pub safety: SafetyFile,
    #[serde(default)]
    pub room: RoomFile,
    /// `[severity.P1] meaning = "complete outage"`: what each severity means to this team.
    #[serde(default)]
    pub severity: BTreeMap<Severity, SeverityFile>,
    /// The incident roles people take (`roles = ["commander", "scribe", "technical lead"]`).
    pub roles: Option<Spanned<Vec<String>>>,
    /// `[[template]]`: messages that prefill the update and resolve dialogs.
    #[serde(default, rename = "template")]
    pub templates: Vec<super::template::TemplateFile>,
    /// Key overrides: context name → key → action name.
    #[serde(default)]
    pub keys: BTreeMap<Spanned<String>, BTreeMap<Spanned<String>, Spanned<String>>>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SeverityFile {
    pub meaning: String,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceFile {
    pub name: String,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ComponentFile {
    pub id: Spanned<String>,
    pub name: String,
    pub tier: Spanned<String>,
    pub rto: Option<HumanDuration>,
    pub rpo: Option<HumanDuration>,
    #[serde(default)]
    pub depends_on: Vec<Spanned<String>>,
    #[serde(default)]
    pub runbooks: Vec<String>,
    // Boxed: a probe's table is a kilobyte, most of it options left out.
    pub probe: Spanned<Box<super::probe::ProbeFile>>,
    pub recovery_point: Option<Spanned<super::notify::RecoveryPointFile>>,
    #[serde(default)]
    pub backup: Vec<Spanned<BackupFile>>,
    #[serde(default)]
    pub recovery: Vec<Spanned<RecoveryFile>>,
}

/// `[[component.backup]]`: one named backup stream (full, incremental, WAL, config, ...).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupFile {
    pub name: Spanned<String>,
    pub source: Spanned<super::notify::RecoveryPointFile>,
    /// How often a copy is expected; an older newest copy is flagged.
    pub every: Option<HumanDuration>,
}

/// `[[component.recovery]]`: an action that brings the component back.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecoveryFile {
    pub name: String,
    pub command: Option<String>,
    pub webhook: Option<String>,
    #[serde(default)]
    pub confirm: ConfirmFile,
    pub timeout: Option<HumanDuration>,
    pub cooldown: Option<HumanDuration>,
    /// A second person in the room must approve before it runs (two-person rule).
    #[serde(default)]
    pub approve: bool,
}

/// How a recovery action is confirmed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConfirmFile {
    /// Enter confirms.
    #[default]
    Yes,
    /// The component id must be typed.
    Type,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactFile {
    pub id: Spanned<String>,
    pub name: String,
    pub role: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// The secondary to call when this contact does not answer.
    pub backup: Option<Spanned<String>>,
}

/// One severity or several: `severity = "P1"` or `severity = ["P1", "P2"]`.
#[derive(Debug)]
pub enum Severities {
    One(Severity),
    Many(Vec<Severity>),
}

impl<'de> Deserialize<'de> for Severities {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Written {
            One(String),
            Many(Vec<String>),
        }
        let parse = |name: &str| {
            name.parse::<Severity>().map_err(|_| {
                serde::de::Error::custom(format!(
                    "unknown severity `{name}`; write P1, P2, P3 or P4 (or a list of them)"
                ))
            })
        };
        match Written::deserialize(d).map_err(|_| {
            serde::de::Error::custom(
                "`severity` is one severity (\"P1\") or a list ([\"P1\", \"P2\"])",
            )
        })? {
            Written::One(name) => parse(&name).map(Self::One),
            Written::Many(names) => names
                .iter()
                .map(|n| parse(n))
                .collect::<Result<_, _>>()
                .map(Self::Many),
        }
    }
}

impl Severities {
    /// The severities named, in order.
    #[must_use]
    pub fn list(&self) -> Vec<Severity> {
        match self {
            Self::One(s) => vec![*s],
            Self::Many(list) => list.clone(),
        }
    }
}

impl std::fmt::Display for Severities {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<String> = self.list().iter().map(ToString::to_string).collect();
        f.write_str(&names.join(", "))
    }
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EscalationFile {
    pub severity: Spanned<Severities>,
    pub levels: Vec<LevelFile>,
    #[serde(default)]
    pub repeat_last: bool,
    pub update_every: Option<HumanDuration>,
    /// `stop` (default): an acknowledgement stops the escalation at its level; `continue`: the
    /// next levels come due all the same.
    pub after_ack: Option<crate::domain::escalation::AfterAck>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LevelFile {
    pub after: Spanned<HumanDuration>,
    pub notify: Vec<Spanned<String>>,
}

/// `[runbooks]`: where runbooks are found besides `runbooks/` next to the config.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunbooksFile {
    #[serde(default)]
    pub paths: Vec<String>,
    /// Working directory of runbook commands, relative to the config file.
    pub workdir: Option<String>,
}

/// `[review]`: the template of the post-incident review.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewFile {
    /// A `MiniJinja` template file, relative to the config file.
    pub template: Option<Spanned<String>>,
}

/// `[safety]`: confirmations before what reaches people.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SafetyFile {
    /// Paging and a `PagerDuty` acknowledge ask before sending (default true).
    pub confirm_page: Option<bool>,
    /// Every recovery action needs the approval of a second person in the room.
    pub two_person: Option<bool>,
    /// The approver may be the Unix user who asked (a team sharing one account); the journal
    /// says so.
    pub same_user_approval: Option<bool>,
    /// How long a request for approval waits for its answer before it expires (default 10m);
    /// the expiry is journaled and the asker may ask again.
    pub approval_timeout: Option<HumanDuration>,
    /// Regular expressions of commands that destroy, besides the built-in ones (`rm -rf`,
    /// `kubectl delete`, `DROP TABLE`, ...): a runbook command matching one asks for the typed
    /// confirmation.
    pub destructive: Option<Vec<Spanned<String>>>,
}

/// `[room]`: who may join the war room besides the user who runs the writing console.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoomFile {
    /// A Unix group whose members may join (`warroom join`) and write to the incident.
    pub group: Option<Spanned<String>>,
}

/// `[probes]`: settings shared by every probe.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProbesFile {
    pub concurrency: Option<Spanned<usize>>,
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UiFile {
    pub theme: Option<String>,
}

/// A drill or demo scenario file.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    pub title: String,
    /// `tabletop`, `walkthrough` or `simulation` (the default).
    #[serde(default, rename = "type")]
    pub kind: crate::domain::objective::DrillKind,
    #[serde(default)]
    pub briefing: String,
    /// The service config the drill runs on, relative to the scenario file.
    pub config: Option<Spanned<String>>,
    #[serde(default = "one")]
    pub speed: Spanned<f64>,
    pub repeat_every: Option<HumanDuration>,
    #[serde(default)]
    pub allow_commands: bool,
    #[serde(default)]
    pub allow_notify: bool,
    /// A completed step whose `expect` wants a simulated component up brings it back.
    #[serde(default)]
    pub expect_recovers: bool,
    /// Components whose probes the scenario replaces (default: every component).
    pub simulate: Option<Vec<Spanned<String>>>,
    #[serde(default, rename = "inject")]
    pub injects: Vec<InjectFile>,
    #[serde(default, rename = "objective")]
    pub objectives: Vec<Spanned<ObjectiveFile>>,
}

fn one() -> Spanned<f64> {
    Spanned::new(0..0, 1.0)
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InjectFile {
    pub at: Spanned<HumanDuration>,
    pub component: Option<Spanned<String>>,
    pub state: Option<Health>,
    /// The age of the component's last good copy from now on.
    pub recovery_point: Option<HumanDuration>,
    /// `"failing"` or `"working"`.
    pub pager: Option<Spanned<String>>,
    /// With `state`: what depends on the component takes the same state.
    #[serde(default)]
    pub cascade: bool,
    pub message: Option<String>,
}

/// One objective: exactly one of its keys (plus `level` with `acknowledged_within`).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectiveFile {
    pub declared_within: Option<HumanDuration>,
    pub severity: Option<crate::domain::Severity>,
    pub runbook: Option<Spanned<String>>,
    pub acknowledged_within: Option<HumanDuration>,
    /// 1-based, with `acknowledged_within` (default 1).
    pub level: Option<Spanned<usize>>,
    pub rto_met: Option<Spanned<String>>,
    pub rpo_met: Option<Spanned<String>>,
    pub resolved_within: Option<HumanDuration>,
    pub update_within: Option<HumanDuration>,
    pub role_assigned: Option<Spanned<crate::domain::Role>>,
    /// A runbook id: every manual check of it must be ticked.
    pub checks_done: Option<Spanned<String>>,
}
