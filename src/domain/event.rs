//! Journal events: everything that can happen to an incident.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Health, Role, Severity, Status};

/// A component that was failing when the incident was declared, and since when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outage {
    pub component: String,
    pub state: Health,
    pub since: DateTime<Utc>,
}

/// One thing that happened; the payload of a journal record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// The incident was opened.
    Declared {
        id: String,
        title: String,
        severity: Severity,
        commander: String,
        #[serde(default)]
        drill: bool,
        #[serde(default)]
        outages: Vec<Outage>,
    },
    SeverityChanged {
        from: Severity,
        to: Severity,
    },
    StatusChanged {
        from: Status,
        to: Status,
    },
    RoleAssigned {
        role: Role,
        person: String,
    },
    NoteAdded {
        text: String,
    },
    /// A component changed state while the incident was open.
    ComponentChanged {
        component: String,
        from: Health,
        to: Health,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
    },
    /// A message from the drill or demo scenario to the team.
    ScenarioMessage {
        text: String,
    },
    Resolved {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        summary: Option<String>,
    },
}

impl Event {
    /// The snake-case kind name stored in the journal.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Declared { .. } => "declared",
            Self::SeverityChanged { .. } => "severity_changed",
            Self::StatusChanged { .. } => "status_changed",
            Self::RoleAssigned { .. } => "role_assigned",
            Self::NoteAdded { .. } => "note_added",
            Self::ComponentChanged { .. } => "component_changed",
            Self::ScenarioMessage { .. } => "scenario_message",
            Self::Resolved { .. } => "resolved",
        }
    }

    /// One human-readable line describing the event (raw: sanitise before display).
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Self::Declared {
                title,
                severity,
                drill,
                ..
            } => {
                let drill = if *drill { " (drill)" } else { "" };
                format!("Declared {severity}{drill}: {title}")
            }
            Self::SeverityChanged { from, to } => format!("Severity {from} → {to}"),
            Self::StatusChanged { from, to } => format!("Status {from} → {to}"),
            Self::RoleAssigned { role, person } => format!("{role} is now {person}"),
            Self::NoteAdded { text } => format!("Note: {text}"),
            Self::ComponentChanged {
                component,
                from,
                to,
                detail,
            } => match detail {
                Some(detail) => format!("{component} {from} → {to} ({detail})"),
                None => format!("{component} {from} → {to}"),
            },
            Self::ScenarioMessage { text } => format!("Scenario: {text}"),
            Self::Resolved {
                summary: Some(summary),
            } => format!("Resolved: {summary}"),
            Self::Resolved { summary: None } => "Resolved".to_owned(),
        }
    }
}

/// One line of the journal: an event with its sequence number, time and author.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub seq: u64,
    #[serde(with = "millis")]
    pub at: DateTime<Utc>,
    pub actor: String,
    #[serde(flatten)]
    pub event: Event,
}

/// RFC 3339 UTC timestamps with millisecond precision, as the journal stores them.
mod millis {
    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&at.to_rfc3339_opts(SecondsFormat::Millis, true))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(serde::de::Error::custom)
    }
}
