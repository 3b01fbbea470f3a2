//! The kit's files as text: `warroom.toml`, `runbooks/*.md`, `runbooks/drills/*.toml`, the
//! review template and `IMPORT.md`.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use super::steps::{RunbookDraft, StepDraft};
use super::{Draft, Report};
use anyhow::Context as _;

use crate::sanitize::sanitize;

/// A TOML string literal.
fn q(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| q(i)).collect();
    format!("[{}]", quoted.join(", "))
}

fn dur(d: Duration) -> String {
    if d.is_zero() {
        return q("0s");
    }
    q(&humantime::format_duration(d).to_string().replace(' ', ""))
}

/// Every file of the kit, relative to its folder.
pub fn files(draft: &Draft) -> Vec<(String, String)> {
    let mut files = vec![("warroom.toml".to_owned(), config(draft))];
    for rb in &draft.runbooks {
        files.push((format!("runbooks/{}.md", rb.id), runbook(rb, true)));
    }
    for rb in draft
        .runbooks
        .iter()
        .filter(|r| r.scenario && !r.injects.is_empty())
    {
        files.push((format!("runbooks/drills/{}.toml", rb.id), drill(rb, draft)));
    }
    if let Some((title, items)) = &draft.review {
        files.push(("review-template.md".to_owned(), review(title, items)));
    }
    files.push(("IMPORT.md".to_owned(), report_markdown(&draft.report)));
    crate::config::schema::with_schemas(files)
}

fn config(d: &Draft) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# {}: imported by `warroom import` from {}. IMPORT.md says what each part of the plan",
        d.service, d.report.plan
    );
    s.push_str(
        "# became and what needs a human. Every probe is simulated (kind = \"sim\"): point each at the\n\
         # real service (README \"Probes\") before using this kit in a live incident.\n\n",
    );
    if !d.roles.is_empty() {
        let _ = writeln!(s, "roles = {}\n", list(&d.roles));
    }
    let _ = writeln!(s, "[service]\nname = {}\n", q(&d.service));
    for t in &d.tiers {
        let _ = writeln!(s, "[[tiers]]\nname = {}", q(&t.name));
        for (key, value) in [("rto", t.rto), ("rpo", t.rpo)] {
            if let Some((_, why)) = t.assumed.iter().find(|(k, _)| *k == key) {
                let _ = writeln!(s, "# {why}");
            }
            // `tiers` gives every tier both targets; a tier read after it settled has none.
            let _ = writeln!(
                s,
                "{key} = {}",
                dur(value.unwrap_or(Duration::from_hours(4)))
            );
        }
        s.push('\n');
    }
    for c in &d.components {
        component(&mut s, c);
    }
    for c in &d.contacts {
        if c.is_placeholder() {
            let _ = writeln!(
                s,
                "# placeholder: the plan names no person, phone or email for this role"
            );
        }
        let _ = writeln!(
            s,
            "# plan line {}\n[[contact]]\nid = {}\nname = {}\nrole = {}",
            c.line,
            q(&c.id),
            q(&c.name),
            q(&c.role)
        );
        if let Some(phone) = &c.phone {
            let _ = writeln!(s, "phone = {}", q(phone));
        }
        if let Some(email) = &c.email {
            let _ = writeln!(s, "email = {}", q(email));
        }
        s.push('\n');
    }
    for e in &d.escalation {
        let severities: Vec<String> = e.severities.iter().map(ToString::to_string).collect();
        let levels: Vec<String> = e
            .levels
            .iter()
            .map(|(after, who)| format!("{{ after = {}, notify = {} }}", dur(*after), list(who)))
            .collect();
        for note in &e.assumed {
            let _ = writeln!(s, "# {note}");
        }
        let _ = writeln!(
            s,
            "# plan line {}\n[[escalation]]\nseverity = {}\nlevels = [\n  {},\n]\n",
            e.line,
            list(&severities),
            levels.join(",\n  ")
        );
    }
    for (severity, meaning) in &d.severities {
        let _ = writeln!(s, "[severity.{severity}]\nmeaning = {}\n", q(meaning));
    }
    for t in &d.templates {
        let text = if ["{{", "{%", "{#"].iter().any(|m| t.text.contains(m)) {
            format!("{{% raw %}}{}{{% endraw %}}", t.text)
        } else {
            t.text.clone()
        };
        let _ = writeln!(
            s,
            "[[template]]\nname = {}\ntext = {}\n",
            q(&t.name),
            q(&text)
        );
    }
    if d.review.is_some() {
        s.push_str("[review]\ntemplate = \"review-template.md\"\n");
    }
    s
}

fn component(s: &mut String, c: &super::ComponentDraft) {
    let _ = writeln!(s, "# from {}, plan line {}", c.origin, c.line);
    let _ = writeln!(
        s,
        "[[component]]\nid = {}\nname = {}\ntier = {}",
        q(&c.id),
        q(&c.name),
        q(c.tier.as_deref().unwrap_or("standard"))
    );
    for note in &c.assumed {
        let _ = writeln!(s, "# assumed: {note}");
    }
    if let Some(rto) = c.rto {
        let _ = writeln!(s, "rto = {}", dur(rto));
    }
    if let Some(rpo) = c.rpo {
        let _ = writeln!(s, "rpo = {}", dur(rpo));
    }
    if !c.depends_on.is_empty() {
        let _ = writeln!(s, "depends_on = {}", list(&c.depends_on));
    }
    if !c.runbooks.is_empty() {
        let _ = writeln!(s, "runbooks = {}", list(&c.runbooks));
    }
    let _ = writeln!(
        s,
        "# Simulated: point the probe at {} (kind = \"http\", \"tcp\" or \"command\").\nprobe = {{ kind = \"sim\" }}\n",
        c.name
    );
    for b in &c.backups {
        let _ = writeln!(
            s,
            "# plan line {}. assumed: a simulated copy half a schedule old, shown as simulated\n\
             # (never as a breach) until `source` points at the real backups (kind = \"file\",\n\
             # \"http_json\" or \"command\").\n\
             [[component.backup]]\nname = {}\nevery = {}\nsource = {{ kind = \"sim\", age = {} }}\n",
            b.line,
            q(&b.name),
            dur(b.every),
            dur(b.every / 2)
        );
    }
}

/// A line of Markdown text that cannot be read as structure (a heading, a list, a fence).
fn text_line(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let structural = line.starts_with(['#', '-', '*', '+', '>', '|', '`', '~', '='])
        || line.chars().take_while(char::is_ascii_digit).count() > 0
            && line
                .chars()
                .find(|c| !c.is_ascii_digit())
                .is_some_and(|c| c == '.' || c == ')');
    if structural {
        format!("\\{line}")
    } else {
        line
    }
}

/// A heading's text: no attribute braces, no leading marks.
fn heading(text: &str) -> String {
    let t = text_line(&text.replace('{', "(").replace('}', ")"));
    if t.is_empty() { "Step".to_owned() } else { t }
}

fn fence(code: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in code.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    "`".repeat((longest + 1).max(3))
}

/// A runbook's Markdown; `windows: false` writes phase windows in brackets, not read as windows.
pub fn runbook(rb: &RunbookDraft, windows: bool) -> String {
    let mut s = String::from("+++\n");
    let _ = writeln!(s, "id = {}\ntitle = {}", q(&rb.id), q(&rb.title));
    if !rb.components.is_empty() {
        let _ = writeln!(s, "components = {}", list(&rb.components));
    }
    if !rb.summary.is_empty() {
        let _ = writeln!(s, "summary = {}", q(&rb.summary.join(" ")));
    }
    let _ = writeln!(s, "tags = [\"imported\"]\n+++\n");
    let _ = writeln!(
        s,
        "<!-- imported from plan line {}; shell commands ask before they run -->\n",
        rb.line
    );
    for phase in &rb.phases {
        if let Some(title) = &phase.title {
            let title = if windows {
                title.clone()
            } else {
                title.replace('(', "[").replace(')', "]")
            };
            let _ = writeln!(s, "# {}\n", heading(&title));
        }
        for step in &phase.steps {
            step_text(&mut s, step);
        }
    }
    s
}

fn step_text(s: &mut String, step: &StepDraft) {
    let _ = writeln!(
        s,
        "## {}\n\n<!-- plan line {} -->\n",
        heading(&step.title),
        step.line
    );
    for para in &step.text {
        let _ = writeln!(s, "{}\n", text_line(para));
    }
    for check in &step.checks {
        let _ = writeln!(s, "- [ ] {}", text_line(check));
    }
    if !step.checks.is_empty() {
        s.push('\n');
    }
    for (shell, lang, code) in &step.code {
        let f = fence(code);
        let info = if *shell {
            "sh {confirm=true}".to_owned()
        } else {
            lang.clone()
        };
        let _ = writeln!(s, "{f}{info}\n{code}\n{f}\n");
    }
}

fn drill(rb: &RunbookDraft, d: &Draft) -> String {
    let mut s = String::new();
    let names: Vec<String> = rb
        .injects
        .iter()
        .filter_map(|id| d.components.iter().find(|c| &c.id == id))
        .map(|c| c.name.clone())
        .collect();
    let _ = writeln!(
        s,
        "# The plan's scenario \"{}\" (line {}) as a drill: {} fails 30 seconds in.\n\
         # Nothing real runs: commands are dry runs and notifications are recorded.\n\
         #   warroom drill runbooks/drills/{}.toml\n",
        rb.title.replace('\n', " "),
        rb.line,
        names.join(", "),
        rb.id
    );
    let mut briefing = rb.summary.join(" ");
    if briefing.is_empty() {
        briefing = format!("{} fails.", names.join(", "));
    }
    let _ = write!(
        briefing,
        " Declare an incident (D), open the runbook \"{}\" (2, Enter) and work its steps; \
         as facilitator, bring each failed component back on the drill screen (6, then c) when its recovery is done, then resolve (R).",
        rb.title
    );
    let _ = writeln!(
        s,
        "title = {}\ntype = \"simulation\"\nbriefing = {}\nconfig = \"../../warroom.toml\"\n",
        q(&rb.title),
        q(&briefing)
    );
    let message = rb.signals.first().cloned();
    for id in &rb.injects {
        let name = d
            .components
            .iter()
            .find(|c| &c.id == id)
            .map_or(id.as_str(), |c| c.name.as_str());
        let message = message
            .clone()
            .unwrap_or_else(|| format!("{name} is failing"));
        let _ = writeln!(
            s,
            "# assumed: the failure comes 30 seconds in (the plan gives no timeline)\n\
             [[inject]]\nat = \"30s\"\ncomponent = {}\nstate = \"down\"\ncascade = true\nmessage = {}\n",
            q(id),
            q(&message)
        );
    }
    let _ = writeln!(
        s,
        "# assumed: declare within 5 minutes (the plan gives no time to declare)\n\
         [[objective]]\ndeclared_within = \"5m\"\n[[objective]]\nrunbook = {}",
        q(&rb.id)
    );
    let mut longest = Duration::ZERO;
    for id in &rb.injects {
        let _ = writeln!(s, "[[objective]]\nrto_met = {}", q(id));
        longest = longest.max(rto_of(d, id));
    }
    let _ = writeln!(
        s,
        "# the longest RTO of what fails (at least 15 minutes)\n[[objective]]\nresolved_within = {}",
        dur(longest.max(Duration::from_mins(15)))
    );
    s
}

/// A component's RTO: its own, else its tier's.
fn rto_of(d: &Draft, id: &str) -> Duration {
    let Some(c) = d.components.iter().find(|c| c.id == id) else {
        return Duration::ZERO;
    };
    c.rto
        .or_else(|| {
            d.tiers
                .iter()
                .find(|t| c.tier.as_deref() == Some(&t.name))
                .and_then(|t| t.rto)
        })
        .unwrap_or(Duration::ZERO)
}

/// The default review with the plan's own review sections after it.
fn review(title: &str, items: &[String]) -> String {
    let mut s = crate::review::DEFAULT_TEMPLATE.trim_end().to_owned();
    let _ = writeln!(s, "\n\n## {}\n\n{{% raw %}}", heading(title));
    for item in items {
        let _ = writeln!(
            s,
            "### {}\n\n_To be written._\n",
            heading(&super::words::strip_numbering(item))
        );
    }
    s.push_str("{% endraw %}\n");
    s
}

fn report_markdown(report: &Report) -> String {
    let mut s = format!(
        "# Import of {}\n\n## What each part of the plan became\n\n| Plan line | Became |\n| --- | --- |\n",
        report.plan
    );
    let cell = |t: &str| t.replace('|', "\\|");
    for e in &report.made {
        let _ = writeln!(s, "| {} | {} |", e.line, cell(&e.text));
    }
    s.push_str("\n## Needs a human\n\n");
    if report.human.is_empty() {
        s.push_str("Nothing.\n");
    }
    for e in &report.human {
        let at = if e.line == 0 {
            "plan".to_owned()
        } else {
            format!("line {}", e.line)
        };
        let _ = writeln!(s, "- {at}: {}", e.text);
    }
    s
}

/// The report as printed on the terminal.
#[must_use]
pub fn report_text(report: &Report) -> String {
    let mut s = String::new();
    for e in &report.made {
        let _ = writeln!(s, "  line {:>4}  {}", e.line, e.text);
    }
    if !report.human.is_empty() {
        s.push_str("Needs a human:\n");
        for e in &report.human {
            let at = if e.line == 0 {
                "     plan".to_owned()
            } else {
                format!("line {:>4}", e.line)
            };
            let _ = writeln!(s, "  {at}  {}", e.text);
        }
    }
    s
}

/// Writes a kit's `files` (relative path, text) into `dir`, made if missing. Nothing is written
/// when any of them is already there.
pub fn write(dir: &Path, files: &[(String, String)]) -> anyhow::Result<()> {
    let taken: Vec<String> = files
        .iter()
        .map(|(path, _)| dir.join(path))
        .filter(|path| path.exists())
        .map(|path| sanitize(&path.display().to_string()).into_owned())
        .collect();
    if !taken.is_empty() {
        anyhow::bail!(
            "{} already exists; warroom writes nothing over existing files. Choose an empty or new folder",
            taken.join(", ")
        );
    }
    if !dir.exists() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        std::fs::set_permissions(
            dir,
            std::os::unix::fs::PermissionsExt::from_mode(crate::files::SHARED_DIR),
        )
        .with_context(|| format!("cannot set the mode of {}", dir.display()))?;
    }
    for (path, text) in files {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            // A symlinked part of the kit (`KIT/runbooks` -> elsewhere) is refused, not followed.
            crate::files::make_dirs(dir, parent, crate::files::SHARED_DIR)?;
        }
        let mut file = crate::files::open_for_writing(&target, crate::files::SHARED, true)?;
        std::io::Write::write_all(&mut file, text.as_bytes())
            .with_context(|| format!("cannot write {}", target.display()))?;
    }
    Ok(())
}
