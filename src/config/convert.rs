//! The file's types turned into the runtime `Config`, every reference checked: components,
//! roles, contacts, the review template, runbook folders and key overrides.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use super::components::{check_components, check_id};
use super::file::{self, ComponentFile, ConfigFile};
use super::recovery::recovery_action;
use super::spanned::Spanned;
use super::{
    Component, Config, Contact, DEFAULT_CONCURRENCY, TierPolicy, backup, escalation, notify, probe,
    sources, template, tier,
};
use super::{Diagnostic, Source, diag};
use crate::keymap::{self, Action, Binding, Context, Key};
use crate::sanitize::sanitize;

pub(super) fn convert(src: &Source, file: ConfigFile, errors: &mut Vec<Diagnostic>) -> Config {
    check_components(src, &file.components, errors);
    let contact_ids: HashSet<&str> = file
        .contacts
        .iter()
        .map(|c| c.id.get_ref().as_str())
        .collect();
    for contact in &file.contacts {
        check_id(src, &contact.id, "contact", errors);
        if let Some(backup) = &contact.backup {
            let named = backup.get_ref();
            if named == contact.id.get_ref() || !contact_ids.contains(named.as_str()) {
                let hint = diag::hint(named, contact_ids.iter().copied());
                errors.push(src.at(
                    backup.span(),
                    format!("`backup` names `{named}`, which is not another contact{hint}"),
                ));
            }
        }
    }
    for policy in &file.escalation {
        escalation::check(src, policy, &contact_ids, errors);
    }
    escalation::check_coverage(src, &file.escalation, errors);
    let notify = file.notify;
    let tiers = tier::convert(src, file.tiers, errors);
    let sources = sources::convert(src, file.sources, errors);
    let mut components: Vec<Component> = file
        .components
        .into_iter()
        .map(|c| component(src, c, &tiers, &sources, errors))
        .collect();
    // The collect reuses the buffer of the parsed components, which are several times larger:
    // without this, 20,000 components would keep 32 MiB of it for the console's lifetime.
    components.shrink_to_fit();
    if file.safety.two_person == Some(true) {
        for action in components.iter_mut().flat_map(|c| c.recovery.iter_mut()) {
            action.approve = true;
        }
    }
    let probe_concurrency = match file.probes.concurrency {
        Some(n) if *n.get_ref() == 0 => {
            errors.push(src.at(n.span(), "`concurrency` must be 1 or more"));
            1
        }
        Some(n) => n.into_inner(),
        None => DEFAULT_CONCURRENCY,
    };
    Config {
        source: src.name.to_owned(),
        service: file.service.name,
        tiers,
        components,
        contacts: file.contacts.into_iter().map(contact).collect(),
        escalation: file
            .escalation
            .into_iter()
            .flat_map(escalation::convert)
            .collect(),
        notify: notify::convert(src, notify, errors),
        theme: file.ui.theme,
        review_template: review_template(src, file.review.template.as_ref(), errors),
        runbook_dirs: runbook_dirs(src.name, &file.runbooks.paths),
        dir: src.dir(),
        // Runbook steps run in `workdir`, else where the config is.
        runbook_workdir: match file.runbooks.workdir.as_ref() {
            Some(w) => Some(src.resolve(Path::new(w))),
            None => src.dir(),
        },
        keys: key_overrides(src, &file.keys, errors),
        probe_concurrency,
        confirm_page: file.safety.confirm_page.unwrap_or(true),
        same_user_approval: file.safety.same_user_approval.unwrap_or(false),
        approval_timeout: file
            .safety
            .approval_timeout
            .map_or(std::time::Duration::from_mins(10), |d| d.0),
        destructive: destructive(src, file.safety.destructive.as_deref(), errors),
        room_group: file.room.group.and_then(|g| {
            if g.get_ref().trim().is_empty() {
                errors.push(src.at(
                    g.span(),
                    "`group` names no group: give a Unix group or remove the line",
                ));
                None
            } else {
                Some(g.into_inner())
            }
        }),
        severity_meanings: file
            .severity
            .into_iter()
            .map(|(s, f)| (s, f.meaning))
            .collect(),
        templates: template::convert(src, file.templates, errors),
        roles: roles(src, file.roles, errors),
        sources,
    }
}

pub(super) fn component(
    src: &Source,
    c: ComponentFile,
    tiers: &[TierPolicy],
    sources: &sources::Sources,
    errors: &mut Vec<Diagnostic>,
) -> Component {
    let span = c.probe.span();
    Component {
        tier: tier::resolve(src, tiers, &c.tier, errors),
        id: c.id.into_inner(),
        name: c.name,
        rto: c.rto.map(|d| d.0),
        rpo: c.rpo.map(|d| d.0),
        depends_on: c.depends_on.into_iter().map(Spanned::into_inner).collect(),
        runbooks: c.runbooks,
        probe: probe::convert(src, *c.probe.into_inner(), span, sources, errors),
        backups: backup::convert(src, c.recovery_point, c.backup, sources, errors),
        recovery: c
            .recovery
            .into_iter()
            .map(|r| recovery_action(src, r, errors))
            .collect(),
    }
}

/// The configured roles, commander first, each once.
pub(super) fn roles(
    src: &Source,
    listed: Option<Spanned<Vec<String>>>,
    errors: &mut Vec<Diagnostic>,
) -> Vec<crate::domain::Role> {
    use crate::domain::Role;
    let Some(listed) = listed else {
        return crate::domain::DEFAULT_ROLES
            .iter()
            .map(|r| Role::new(r))
            .collect();
    };
    let span = listed.span();
    let mut roles = vec![Role::commander()];
    for name in listed.into_inner() {
        let role = Role::new(&name);
        if role.as_str().is_empty() || (roles.contains(&role) && role != Role::commander()) {
            errors.push(src.at(
                span.clone(),
                format!("role `{}` is empty or listed twice", sanitize(&name)),
            ));
        } else if role != Role::commander() {
            roles.push(role);
        }
    }
    roles
}

pub(super) fn contact(c: file::ContactFile) -> Contact {
    Contact {
        id: c.id.into_inner(),
        name: c.name,
        role: c.role,
        phone: c.phone,
        email: c.email,
        backup: c.backup.map(Spanned::into_inner),
    }
}

/// Reads the configured review template (relative to the config file).
pub(super) fn review_template(
    src: &Source,
    template: Option<&Spanned<String>>,
    errors: &mut Vec<Diagnostic>,
) -> Option<(String, String)> {
    let template = template?;
    let path = Path::new(src.name)
        .parent()
        .unwrap_or(Path::new(""))
        .join(template.get_ref());
    match std::fs::read_to_string(&path) {
        Ok(text) => Some((path.display().to_string(), text)),
        Err(e) => {
            errors.push(src.at(
                template.span(),
                format!("cannot read review template `{}`: {e}", template.get_ref()),
            ));
            None
        }
    }
}

/// `runbooks/` beside the config file, then the configured paths (relative to the config file).
pub(super) fn runbook_dirs(config_path: &str, paths: &[String]) -> Vec<PathBuf> {
    let base = Path::new(config_path)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    std::iter::once(base.join("runbooks"))
        .chain(paths.iter().map(|p| base.join(p)))
        .collect()
}

type KeyTable = BTreeMap<Spanned<String>, BTreeMap<Spanned<String>, Spanned<String>>>;

fn key_overrides(src: &Source, keys: &KeyTable, errors: &mut Vec<Diagnostic>) -> Vec<Binding> {
    let mut out = Vec::new();
    for (context, table) in keys {
        let Ok(ctx) = context.get_ref().parse::<Context>() else {
            let names: Vec<String> = keymap::context_names().collect();
            errors.push(src.at(
                context.span(),
                diag::unknown("key context", context.get_ref(), &names),
            ));
            continue;
        };
        for (key, action) in table {
            let parsed_key = key.get_ref().parse::<Key>();
            let parsed_action = action.get_ref().parse::<Action>();
            match (parsed_key, parsed_action) {
                (Err(e), _) => errors.push(src.at(key.span(), e)),
                (_, Err(_)) => {
                    let names: Vec<String> = keymap::action_names().collect();
                    errors.push(src.at(
                        action.span(),
                        diag::unknown("action", action.get_ref(), &names),
                    ));
                }
                (Ok(key), Ok(action)) => out.push(Binding {
                    context: ctx,
                    key,
                    action,
                }),
            }
        }
    }
    out
}

/// `[safety] destructive`: each pattern a regular expression, named by itself.
fn destructive(
    src: &Source,
    patterns: Option<&[Spanned<String>]>,
    errors: &mut Vec<Diagnostic>,
) -> Vec<crate::runbook::destructive::Pattern> {
    patterns
        .unwrap_or_default()
        .iter()
        .filter_map(|p| match regex::Regex::new(p.get_ref()) {
            Ok(regex) => Some(crate::runbook::destructive::Pattern {
                name: p.get_ref().clone(),
                regex,
            }),
            Err(e) => {
                errors.push(src.at(
                    p.span(),
                    format!("`{}` is not a regular expression: {e}", p.get_ref()),
                ));
                None
            }
        })
        .collect()
}
