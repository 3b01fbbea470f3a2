//! Recovery actions: a component's commands or webhooks that bring it back, checked.

use std::time::Duration;

use super::file::{self};
use super::spanned::Spanned;
use super::{Diagnostic, Source};
use super::{Secret, secret};

/// What a recovery action does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecoveryKind {
    /// A shell command, run like a runbook step's.
    Command(String),
    /// An HTTP POST of `{incident, component, action}` to a URL (a secret).
    Webhook(Secret),
}

/// A component's recovery action (`[[component.recovery]]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryAction {
    pub name: String,
    pub kind: RecoveryKind,
    /// `true`: the component id must be typed to confirm; else Enter confirms.
    pub confirm_by_typing: bool,
    pub timeout: Duration,
    /// No second run of the same action before this has passed.
    pub cooldown: Duration,
    /// A second person must approve each run (`approve = true`, or `[safety] two_person`).
    pub approve: bool,
}

pub(super) fn recovery_action(
    src: &Source,
    file: Spanned<file::RecoveryFile>,
    errors: &mut Vec<Diagnostic>,
) -> RecoveryAction {
    let span = file.span();
    let file = file.into_inner();
    let kind = match (file.command, file.webhook) {
        (Some(command), None) => RecoveryKind::Command(command),
        (None, Some(url)) => RecoveryKind::Webhook(secret(
            src,
            "recovery.webhook",
            &Spanned::new(span.clone(), url),
            errors,
        )),
        _ => {
            errors.push(src.at(
                span,
                format!(
                    "recovery action `{}` needs exactly one of `command` or `webhook`",
                    file.name
                ),
            ));
            RecoveryKind::Command(String::new())
        }
    };
    RecoveryAction {
        name: file.name,
        kind,
        confirm_by_typing: file.confirm == file::ConfirmFile::Type,
        timeout: file.timeout.map_or(Duration::from_mins(5), |d| d.0),
        cooldown: file.cooldown.map_or(Duration::from_mins(1), |d| d.0),
        approve: file.approve,
    }
}
