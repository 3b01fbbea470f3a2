//! `[[template]]`: message templates that prefill the stakeholder update and resolve dialogs,
//! `MiniJinja` over the incident's fields. Every field a template names is checked at load time.

use super::spanned::Spanned;
use serde::{Deserialize, Serialize};

use super::diag::{self, Diagnostic, Source};

/// Which dialog a template prefills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// The stakeholder update (`u`).
    #[default]
    Update,
    /// The resolution summary (`R`).
    Resolve,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateFile {
    pub name: Spanned<String>,
    #[serde(default, rename = "for")]
    pub purpose: Purpose,
    pub text: Spanned<String>,
}

/// A validated message template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageTemplate {
    pub name: String,
    pub purpose: Purpose,
    pub text: String,
}

/// The fields a message template can use, filled from the open incident.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Fields {
    pub service: String,
    pub id: String,
    pub title: String,
    pub severity: String,
    /// What the severity means to this team.
    pub severity_meaning: String,
    pub status: String,
    pub commander: String,
    /// The declaration time, `HH:MM:SSZ`.
    pub declared: String,
    /// Time since declaration, `1h02m`.
    pub elapsed: String,
    /// Names of the affected components.
    pub affected: Vec<String>,
    /// One line per affected component: `Primary database: down 4m12s of RTO 30m`.
    pub budgets: Vec<String>,
    /// When the next stakeholder update is due, `HH:MM:SSZ`, or `not scheduled`.
    pub next_update: String,
}

/// The names a template may use: the fields of [`Fields`], read from the struct itself.
fn field_names() -> Vec<String> {
    match serde_json::to_value(Fields::default()) {
        Ok(serde_json::Value::Object(fields)) => fields.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

fn environment(text: &str) -> Result<minijinja::Environment<'_>, minijinja::Error> {
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.add_template("message", text)?;
    Ok(env)
}

/// Renders a template with an incident's fields (checked at load, so errors are rare: then the
/// error is the text, for the person to see and fix).
#[must_use]
pub fn render(text: &str, fields: &Fields) -> String {
    environment(text)
        .and_then(|env| {
            env.get_template("message")?
                .render(minijinja::value::Serde(fields))
        })
        .unwrap_or_else(|e| format!("template error: {}", e.detail().unwrap_or("unknown")))
        .trim()
        .to_owned()
}

/// Checks the `[[template]]` entries: each name once per dialog, the text parses, and every field
/// it names exists.
pub fn convert(
    src: &Source,
    files: Vec<TemplateFile>,
    errors: &mut Vec<Diagnostic>,
) -> Vec<MessageTemplate> {
    let mut templates: Vec<MessageTemplate> = Vec::new();
    for file in files {
        let name = file.name.get_ref().trim().to_owned();
        if name.is_empty()
            || templates
                .iter()
                .any(|t| t.name == name && t.purpose == file.purpose)
        {
            errors.push(src.at(
                file.name.span(),
                format!(
                    "template name `{}` is empty or used twice for the same dialog",
                    crate::sanitize::sanitize(&name)
                ),
            ));
        }
        check_text(src, &file.text, errors);
        templates.push(MessageTemplate {
            name,
            purpose: file.purpose,
            text: file.text.into_inner(),
        });
    }
    templates
}

fn check_text(src: &Source, text: &Spanned<String>, errors: &mut Vec<Diagnostic>) {
    let env = match environment(text.get_ref()) {
        Ok(env) => env,
        Err(e) => {
            let why = e.detail().unwrap_or("does not parse").to_owned();
            errors.push(src.at(text.span(), format!("template text: {why}")));
            return;
        }
    };
    let Ok(template) = env.get_template("message") else {
        return;
    };
    let names = field_names();
    let mut unknown: Vec<String> = template
        .undeclared_variables(false)
        .into_iter()
        .filter(|v| !names.contains(v))
        .collect();
    unknown.sort();
    for field in unknown {
        let hint = diag::hint(&field, names.iter().map(String::as_str));
        errors.push(src.at(
            text.span(),
            format!(
                "template uses unknown field `{}`{hint}; the fields are {}",
                crate::sanitize::sanitize(&field),
                names.join(", ")
            ),
        ));
    }
}
