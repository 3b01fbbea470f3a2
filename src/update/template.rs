//! Message templates in the update and resolve dialogs: offered as choices, rendered with the
//! open incident's fields, and named in the journal when used.

use chrono::{DateTime, Utc};

use crate::config::template::{Fields, MessageTemplate, Purpose, render};
use crate::domain::incident::brief;
use crate::state::{DialogKind, Overlay, State};

/// The first choice of a dialog that offers templates.
pub const OWN_WORDS: &str = "(type your own)";

fn purpose(kind: DialogKind) -> Option<Purpose> {
    match kind {
        DialogKind::Update => Some(Purpose::Update),
        DialogKind::Resolve => Some(Purpose::Resolve),
        _ => None,
    }
}

fn offered(state: &State, kind: DialogKind) -> Vec<&MessageTemplate> {
    let Some(purpose) = purpose(kind) else {
        return Vec::new();
    };
    state
        .config
        .templates
        .iter()
        .filter(|t| t.purpose == purpose)
        .collect()
}

/// The dialog's choices: your own words, then each template for it; none without templates.
#[must_use]
pub fn labels(state: &State, kind: DialogKind) -> Vec<String> {
    let templates = offered(state, kind);
    if templates.is_empty() {
        return Vec::new();
    }
    std::iter::once(OWN_WORDS.to_owned())
        .chain(templates.iter().map(|t| t.name.clone()))
        .collect()
}

/// The template chosen in a dialog, if any.
#[must_use]
pub fn chosen(state: &State, kind: DialogKind, choice: usize) -> Option<String> {
    let index = choice.checked_sub(1)?;
    offered(state, kind).get(index).map(|t| t.name.clone())
}

/// After the choice moved: the text becomes the chosen template rendered now, unless the person
/// has typed their own (typed text is never replaced).
pub fn prefill(state: &mut State, now: DateTime<Utc>) {
    let Some(Overlay::Dialog(dialog)) = &state.ui.overlay else {
        return;
    };
    if dialog.field.text != dialog.prefilled {
        state.ui.flash =
            Some("Your text stays: clear it (Ctrl-U) to start from a template.".into());
        return;
    }
    let (kind, choice) = (dialog.kind, dialog.choice);
    let text = choice
        .checked_sub(1)
        .and_then(|i| offered(state, kind).get(i).map(|t| t.text.clone()))
        .map(|t| render(&t, &fields(state, now)))
        .unwrap_or_default();
    if let Some(Overlay::Dialog(dialog)) = &mut state.ui.overlay {
        dialog.field.set(&text);
        dialog.prefilled = text;
    }
}

/// The open incident's fields, as templates see them at `now`.
#[must_use]
pub fn fields(state: &State, now: DateTime<Utc>) -> Fields {
    let Some(incident) = &state.incident else {
        return Fields::default();
    };
    let name = |id: &str| {
        state
            .config
            .component(id)
            .map_or_else(|| id.to_owned(), |c| c.name.clone())
    };
    let budgets = incident
        .outages
        .iter()
        .filter_map(|o| {
            let component = state.config.component(&o.component)?;
            let rto = state.config.budget(component).rto;
            let end = o.end.unwrap_or(now);
            let how = if o.end.is_some() {
                "recovered after"
            } else {
                "down"
            };
            Some(format!(
                "{}: {how} {} of RTO {}",
                component.name,
                brief(end - o.start),
                humantime::format_duration(rto)
            ))
        })
        .collect();
    Fields {
        service: state.config.service.clone(),
        id: incident.id.clone(),
        title: incident.title.clone(),
        severity: incident.severity.to_string(),
        severity_meaning: state.config.meaning(incident.severity),
        status: incident.status.to_string(),
        commander: incident.roles.commander.clone(),
        declared: incident.declared.format("%H:%M:%SZ").to_string(),
        elapsed: brief(incident.elapsed(now)),
        affected: incident.affected.iter().map(|id| name(id)).collect(),
        budgets,
        next_update: crate::view::escalation::update_due(state).map_or_else(
            || "not scheduled".to_owned(),
            |due| due.format("%H:%M:%SZ").to_string(),
        ),
    }
}
