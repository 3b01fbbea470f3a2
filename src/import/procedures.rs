//! Scenarios and procedures: each becomes a runbook (phases with their windows, numbered steps,
//! shell blocks as confirmed commands, other code verbatim, bullets as checks); each scenario
//! also gets a drill that fails the components it names.

use super::outline::{Block, Section};
use super::steps::{PhaseDraft, RunbookDraft, StepDraft, has_window, is_descriptive, is_signal};
use super::steps::{fill, name_steps, stages};
use super::words::mentions;
use super::{Draft, words};

/// Headings under which nothing is a procedure to follow in an incident: what a plan is for
/// (objectives, scope), what it classifies (failure classes), who does what, contents.
const NOT_PROCEDURES: [&str; 31] = [
    "objective",
    "purpose",
    "scope",
    "principle",
    "definition",
    "class",
    "responsibilit",
    "content",
    "test",
    "drill",
    "training",
    "compliance",
    "audit",
    "documentation",
    "communication",
    "contact",
    "monitoring",
    "alert",
    "metric",
    "review",
    "improvement",
    "template",
    "appendi",
    "escalation",
    "knowledge",
    "priorit",
    "matrix",
    "overview",
    "summary",
    "takeaway",
    "dashboard",
];

const SCENARIO_WORDS: [&str; 13] = [
    "scenario",
    "disaster",
    "outage",
    "failure",
    "breach",
    "corruption",
    "compromise",
    " loss",
    "attack",
    "unavailable",
    "down",
    " lost",
    "playbook",
];

const CONTAINERS: [&str; 7] = [
    "scenarios",
    "procedures",
    "runbooks",
    "playbooks",
    "plans",
    "guides",
    "responses",
];

fn starts_a_word(title: &str, words: &[&str]) -> bool {
    title
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| words.iter().any(|p| w.starts_with(p)))
}

/// A block that says to do something: a numbered list or code (not diagrams or targets).
fn acts(block: &Block) -> bool {
    match block {
        Block::List(list) => list.ordered || list.items.iter().any(|i| i.blocks.iter().any(acts)),
        Block::Code(code) => {
            code.lang != "mermaid"
                && !code.text.trim().is_empty()
                && !is_drawing(&code.text)
                && !super::literal::holds_targets(code)
        }
        Block::Table(table) => super::tables::steps(table).is_some(),
        Block::Para(_) => false,
    }
}

/// A heading that opens with what is no procedure to follow: a status (`Status of a snapshot`,
/// not `Check the status`) or work still to do (`Implementation checklist`, `Required scripts
/// (to implement)`).
fn is_aside(title: &str) -> bool {
    let lower = words::strip_numbering(title).to_lowercase();
    let first = lower
        .split(|c: char| !c.is_alphanumeric())
        .find(|w| !w.is_empty())
        .unwrap_or_default();
    matches!(first, "status" | "implementation") || lower.contains("to implement")
}

/// A heading about how backups are taken (`Backup Strategy`, `Automated Backups`, `Backup
/// Types`), not about restoring from them: no incident procedure.
fn about_taking_backups(title: &str) -> bool {
    mentions(title, &["backup"]) && !mentions(title, &["restor", "recover", "failover", "loss"])
}

/// A diagram drawn in text: box-drawing characters (`┌─┐ │ ▼`), which no command holds.
fn is_drawing(text: &str) -> bool {
    text.chars()
        .any(|c| ('\u{2500}'..='\u{259f}').contains(&c) || ('\u{25b2}'..='\u{25bc}').contains(&c))
}

/// A block of the section that says to do something: `acts`, or bullets of instructions where
/// they are the section's own (not the document's preamble, not a summary under a label such
/// as `**Recovery approach:**`, unless the label announces steps).
fn acts_in(section: &Section, block: &Block) -> bool {
    let bullets = section.level >= 2
        && (!section.from_label
            || mentions(
                &section.title,
                &["step", "procedure", "action", "instruction"],
            ));
    // A checklist's bullets are checks to go through (`## Post-Failover Validation Checklist`).
    let checklist = section.level >= 2 && mentions(&section.title, &["checklist"]);
    acts(block)
        || (bullets && matches!(block, Block::List(l) if l.instructs()))
        || (checklist && matches!(block, Block::List(_)))
}

fn acts_here(section: &Section) -> bool {
    section.blocks.iter().any(|b| acts_in(section, b))
        || (is_step_heading(&section.title) && !section.blocks.is_empty())
}

/// A heading that names a step (`Step 1.2 — Verify the recovery region`): a step of the
/// procedure it is in, with what is written under it, never a procedure of its own.
fn is_step_heading(title: &str) -> bool {
    let lower = title.trim().to_lowercase();
    lower
        .strip_prefix("step")
        .is_some_and(|rest| rest.starts_with(|c: char| c == ' ' || c.is_ascii_digit()))
}

fn has_actions(section: &Section) -> bool {
    acts_here(section) || section.children.iter().any(has_actions)
}

/// A heading that names a stage of one response (`Detection`, `2. Restore`, `Verification
/// (15 min)`), not a procedure of its own.
fn is_phase(title: &str) -> bool {
    let title = words::strip_numbering(title);
    let title = title.split('(').next().unwrap_or_default();
    starts_a_word(title, &PHASES)
}

const PHASES: [&str; 29] = [
    "detect",
    "identif",
    "assess",
    "triage",
    "contain",
    "mitigat",
    "respon",
    "recover",
    "restor",
    "verif",
    "validat",
    "communicat",
    "notif",
    "escalat",
    "resum",
    "return",
    "post",
    "phase",
    "step",
    "stage",
    "immediate",
    "short",
    "long",
    "initial",
    "final",
    "prepar",
    "eradicat",
    "investigat",
    "follow",
];

fn is_container(section: &Section) -> bool {
    let acting: Vec<&Section> = section
        .children
        .iter()
        .filter(|c| !c.from_label && has_actions(c))
        .collect();
    // Sections of steps (`### Step 1.1`, `### Step 1.2`) are one procedure.
    if !acting.is_empty() && acting.iter().all(|c| is_step_heading(&c.title)) {
        return false;
    }
    if section.level <= 1 || starts_a_word(&section.title, &CONTAINERS) {
        return true;
    }
    // A scenario's subsections are its phases, unless they are procedures of their own
    // (`## Disaster Recovery` with `### Failover` and `### Failback`).
    let procedures = acting.len() >= 2 && !acting.iter().any(|c| is_phase(&c.title));
    section.level <= 2
        && !acting.is_empty()
        && (!mentions(&section.title, &SCENARIO_WORDS) || procedures)
}

/// Finds the runbooks of the plan.
pub fn read(root: &Section, draft: &mut Draft) {
    visit(root, &mut Vec::new(), draft);
}

pub(super) fn visit<'a>(section: &'a Section, path: &mut Vec<&'a str>, draft: &mut Draft) {
    if section.level > 0
        && (starts_a_word(&section.title, &NOT_PROCEDURES)
            || words::is_example(&section.title)
            || about_taking_backups(&section.title)
            || is_aside(&section.title))
    {
        return;
    }
    if !has_actions(section) {
        return;
    }
    // The document's title says "disaster recovery" of everything: it tells no scenario.
    if section.level >= 2 {
        path.push(&section.title);
    }
    if is_container(section) {
        // The document title's own steps are an introduction where sections of procedures
        // follow (`1. Maximize the effectiveness of contingency operations`).
        let introduction = section.level <= 1 && section.children.iter().any(has_actions);
        if section.level > 0 && !introduction && acts_here(section) {
            let own = Section {
                children: Vec::new(),
                ..section.clone()
            };
            runbook(&own, path, draft);
        }
        for child in &section.children {
            visit(child, path, draft);
        }
    } else {
        runbook(section, path, draft);
    }
    if section.level >= 2 {
        path.pop();
    }
}

pub(super) fn runbook(section: &Section, path: &[&str], draft: &mut Draft) {
    let title = words::strip_numbering(&section.title);
    let mut rb = RunbookDraft {
        title: title.clone(),
        line: section.line,
        scenario: path.iter().any(|p| mentions(p, &SCENARIO_WORDS)),
        ..RunbookDraft::default()
    };
    let mut opening = PhaseDraft::default();
    fill(&mut opening, &section.blocks, &mut rb, draft);
    rb.phases.push(opening);
    for child in &section.children {
        if child.from_label && is_descriptive(&child.title) {
            describe(child, &mut rb);
            continue;
        }
        if is_step_heading(&child.title) {
            let steps = heading_steps(child, &mut rb, draft);
            if let Some(phase) = rb.phases.last_mut() {
                phase.steps.extend(steps);
            }
            continue;
        }
        phases_of(child, &mut rb, draft);
    }
    for phase in &mut rb.phases {
        phase
            .steps
            .retain(|s| !(s.title.trim().is_empty() && s.is_empty()));
    }
    rb.phases.retain(|p| !p.steps.is_empty());
    if rb.phases.is_empty() {
        let why = unclosed(section).map_or_else(
            || "nothing in it to do".to_owned(),
            |line| format!("the plan ends inside the code block opened at line {line}"),
        );
        draft.report.human(
            section.line,
            format!("\"{title}\": no runbook made ({why})"),
        );
        return;
    }
    draft.report.covered.push(section.line);
    rb.id = words::unique_slug(&title, "runbook", &mut draft.ids.runbooks);
    dedupe_titles(&mut rb);
    let steps = rb.steps().count();
    let commands = rb.steps().flat_map(|s| &s.code).filter(|c| c.0).count();
    draft.report.made(
        section.line,
        format!(
            "runbook `{}`: {} phases, {steps} steps, {commands} command(s)",
            rb.id,
            rb.phases.iter().filter(|p| p.title.is_some()).count(),
        ),
    );
    draft.runbooks.push(rb);
}

pub(super) fn unclosed(section: &Section) -> Option<usize> {
    let own = section.blocks.iter().find_map(|b| match b {
        Block::Code(c) if c.unclosed => Some(c.line),
        _ => None,
    });
    own.or_else(|| section.children.iter().find_map(unclosed))
}

/// Step titles are unique in a runbook: a repeated one gets ` (2)`.
fn dedupe_titles(rb: &mut RunbookDraft) {
    let mut seen = std::collections::HashSet::new();
    // The next number to try for each title: a thousand steps of one title stay linear.
    let mut next: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for step in rb.phases.iter_mut().flat_map(|p| &mut p.steps) {
        let mut title = step.title.clone();
        let n = next.entry(step.title.clone()).or_insert(2);
        while seen.contains(&title) {
            title = format!("{} ({n})", step.title);
            *n += 1;
        }
        seen.insert(title.clone());
        step.title = title;
    }
}

/// A descriptive part (cause, impact, detection) joins the summary; detection also gives the
/// drill's signals.
pub(super) fn describe(section: &Section, rb: &mut RunbookDraft) {
    let mut items = Vec::new();
    for block in &section.blocks {
        match block {
            Block::List(list) => items.extend(list.items.iter().map(|i| i.text.whole())),
            Block::Para(text) => items.push(text.whole()),
            _ => {}
        }
    }
    if is_signal(&section.title) {
        rb.signals.extend(items.iter().cloned());
    }
    if !items.is_empty() {
        rb.summary.push(format!(
            "{}: {}.",
            section.title,
            items.join("; ").trim_end_matches('.')
        ));
    }
}

/// A child of a runbook's section: one phase, or several when it is a numbered list of
/// windowed stages (`1. **Immediate (0-5 minutes)**:` with what to do under each).
fn phases_of(section: &Section, rb: &mut RunbookDraft, draft: &mut Draft) {
    let staged = section.blocks.iter().find_map(|b| match b {
        Block::List(list)
            if list
                .items
                .iter()
                .any(|i| has_window(i.text.label.as_deref())) =>
        {
            Some(list)
        }
        _ => None,
    });
    if let Some(list) = staged {
        return stages(list, rb, draft);
    }
    let mut phase = PhaseDraft {
        title: Some(words::strip_numbering(&section.title)),
        steps: Vec::new(),
    };
    fill(&mut phase, &section.blocks, rb, draft);
    for child in &section.children {
        let steps = heading_steps(child, rb, draft);
        phase.steps.extend(steps);
        for grandchild in &child.children {
            let mut deeper = PhaseDraft::default();
            fill(&mut deeper, &grandchild.blocks, rb, draft);
            name_steps(
                &mut deeper.steps,
                &words::strip_numbering(&grandchild.title),
            );
            phase.steps.extend(deeper.steps);
        }
    }
    rb.phases.push(phase);
}

/// The steps under a heading, named after it; a step heading with only text under it is one
/// step to do by hand (`### Step 1.3 — Confirm failover authorization`).
fn heading_steps(section: &Section, rb: &mut RunbookDraft, draft: &mut Draft) -> Vec<StepDraft> {
    let title = words::strip_numbering(&section.title);
    // Its title is the context its text and bullets are read in, not the runbook's.
    let mut sub = PhaseDraft {
        title: Some(title.clone()),
        steps: Vec::new(),
    };
    fill(&mut sub, &section.blocks, rb, draft);
    if sub.steps.is_empty() && is_step_heading(&section.title) {
        let text = section
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Para(p) => Some(p.whole()),
                _ => None,
            })
            .collect();
        return vec![StepDraft {
            title,
            line: section.line,
            text,
            ..StepDraft::default()
        }];
    }
    name_steps(&mut sub.steps, &title);
    sub.steps
}

#[cfg(test)]
mod tests {
    fn runbooks(plan: &str) -> Vec<(String, usize)> {
        let (kit, _) = crate::import::imported(plan);
        kit.files
            .iter()
            .filter(|(p, _)| p.starts_with("runbooks/") && !p.starts_with("runbooks/drills"))
            .map(|(p, t)| {
                let rb = crate::runbook::parse(p, t).unwrap();
                (rb.title, rb.steps.len())
            })
            .collect()
    }

    #[test]
    fn bullets_of_instructions_are_steps_and_sibling_procedures_are_runbooks() {
        let plan = "# Shop\n\nSee also:\n\n- Restore HSM\n- Restore SLS\n\n\
            ## Disaster Recovery\n\n### Failover (abrupt shutdown)\n\n\
            - If the PV exists, remove its claimRef.\n- Create the PVC on the secondary site.\n\
            - Once it is primary, the PVC is ready.\n\n### Failback\n\n\
            - Scale down the applications.\n- Update the replication state.\n\n\
            ## Scenario: Database corruption\n\n**Symptoms:**\n\n- Errors in logs\n\n\
            **Recovery approach:**\n\n- Restore from backup\n- Verify integrity\n\n\
            ## Goals during beta\n\n- Identify how the service fails\n- Define an RPO\n";
        assert_eq!(
            runbooks(plan),
            [
                ("Failover (abrupt shutdown)".to_owned(), 3),
                ("Failback".to_owned(), 2)
            ],
            "the title's links, a scenario's summary under a label and planning advice are none"
        );
    }

    #[test]
    fn a_scenario_with_phases_stays_one_runbook() {
        let plan = "# Shop\n\n## Database outage\n\n### Detection\n\n1. Check the alerts\n\n\
            ### Recovery\n\n1. Restore the dump\n";
        assert_eq!(runbooks(plan), [("Database outage".to_owned(), 2)]);
    }

    #[test]
    fn the_titles_own_list_introduces_procedures_and_obligations_instruct() {
        let plan = "# Disaster Recover Policy\n\n1. Maximize the effectiveness of operations\n\
            2. Identify the activities needed\n\n## 1. Notification and Activation Phase\n\n\
            * The first responder is to notify the CTO.\n* The plan is to be activated if needed.\n\n\
            ## Status of a snapshot\n\n```sh\netcdutl snapshot status snapshot.db\n```\n";
        assert_eq!(
            runbooks(plan),
            [("Notification and Activation Phase".to_owned(), 2)],
            "the title's objectives and a status are no procedures"
        );
        let single = "# Restore the database\n\n1. Stop the writers\n2. Restore the dump\n";
        assert_eq!(runbooks(single), [("Restore the database".to_owned(), 2)]);
    }

    #[test]
    fn a_sub_step_keeps_its_command_under_its_parents_title() {
        let plan = "# Ops\n\n## Restore Keycloak\n\n1. (`ncn-mw#`) Re-run the setup job.\n\n\
            \x20  1. Fetch the job definition.\n\n\
            \x20     ```bash\n      kubectl get job -o yaml > job.yaml\n      ```\n\n\
            \x20  1. Restart the job.\n\n\
            \x20     ```bash\n      kubectl replace --force -f job.yaml\n      ```\n\n\
            1. Check the login page.\n";
        let (kit, _) = crate::import::imported(plan);
        let steps = crate::import::runbook_steps(&kit, "runbooks/restore-keycloak.md");
        assert_eq!(
            steps,
            [
                (
                    "Re-run the setup job: Fetch the job definition.".to_owned(),
                    1
                ),
                ("Re-run the setup job: Restart the job.".to_owned(), 1),
                ("Check the login page.".to_owned(), 0)
            ]
        );
    }

    #[test]
    fn step_headings_and_step_tables_are_one_procedures_steps() {
        let plan = "# Playbook\n\n## Phase 1: Validation (T+0 to T+30)\n\n\
            ### Step 1.1 — Check replication health\n\nRun the query to confirm the lag.\n\n\
            ### Step 1.2 — Fail over\n\n```bash\naz sql db replica set-primary\n```\n\n\
            ## Recovery workflow\n\n| Step | Action | Owner | Target Time |\n|---|---|---|---|\n\
            | 1 | Declare the incident | Incident Commander | Immediate |\n\
            | 2 | Switch to the replica | DBA Team | < 15 min |\n";
        let (kit, config) = crate::import::imported(plan);
        assert_eq!(
            runbooks(plan),
            [
                ("Validation (T+0 to T+30)".to_owned(), 2),
                ("Recovery workflow".to_owned(), 2)
            ]
        );
        assert!(
            !config.contains("[[escalation]]"),
            "steps are no ladder: {config}"
        );
        let workflow = &kit
            .files
            .iter()
            .find(|(p, _)| p == "runbooks/recovery-workflow.md")
            .unwrap()
            .1;
        assert!(
            workflow.contains("## Declare the incident\n\n<!-- plan line 19 -->\n\nOwner: Incident Commander\n\nTarget Time: Immediate"),
            "{workflow}"
        );
    }

    #[test]
    fn a_status_or_future_work_opens_no_procedure_but_checking_a_status_does() {
        let plan = "# Shop DR\n\n## Recovery Objectives\n\n- **RTO**: 4 hours\n- **MTD**: 8 hours\n\n\
            ## Status of a snapshot\n\n```sh\netcdutl snapshot status db\n```\n\n\
            ## Implementation checklist\n\n1. Write the scripts\n\n\
            ## Check the status of the replica\n\n1. Run the check\n\n## Implement failover\n\n1. Promote\n";
        assert_eq!(
            runbooks(plan),
            [
                ("Check the status of the replica".to_owned(), 1),
                ("Implement failover".to_owned(), 1)
            ]
        );
        let (kit, config) = crate::import::imported(plan);
        assert!(!config.contains("MTD"), "the MTD is no component: {config}");
        assert!(
            kit.report
                .made
                .iter()
                .any(|e| e.text.contains("a maximum tolerable downtime")),
            "{:?}",
            kit.report.made
        );
    }
}
