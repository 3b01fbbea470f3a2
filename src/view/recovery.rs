//! What the confirmation of a recovery action says: what it runs or posts, and how to confirm.

use crate::state::State;

/// What a recovery action does, exactly: its command and where it runs, or the webhook it
/// posts to (never its secret URL).
#[must_use]
pub fn what_it_does(state: &State, recovery: &crate::config::RecoveryAction) -> String {
    let words = state.run_words();
    match &recovery.kind {
        crate::config::RecoveryKind::Command(script) => {
            format!(
                "It {}, in {}:\n{}",
                words.runs,
                state.workdir(),
                script.trim_end()
            )
        }
        crate::config::RecoveryKind::Webhook(_) => format!(
            "It {} {{incident, component, action}} to the action's webhook (the URL is a secret).",
            words.posts
        ),
    }
}

/// The prompt of the confirmation dialog.
#[must_use]
pub fn prompt(state: &State) -> String {
    let Some((index, action)) = state.ui.recovery else {
        return String::new();
    };
    let component = &state.config.components[index];
    let recovery = &component.recovery[action];
    let words = state.run_words();
    let what = what_it_does(state, recovery);
    let ask = if recovery.confirm_by_typing {
        format!("Type `{}` and Enter to {} it.", component.id, words.verb)
    } else {
        format!("Enter {}s it, Esc does not.", words.verb)
    };
    format!(
        "Recovery action \"{}\" on {} ({}).\n{what}\n{ask}",
        recovery.name, component.name, component.id
    )
}
