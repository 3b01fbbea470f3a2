//! The review draft: every section from a scripted journal, valid Markdown, template errors.

use chrono::{DateTime, FixedOffset, TimeDelta, TimeZone, Utc};
use pulldown_cmark::{Event, Options, Parser, Tag};
use warroom::demo;
use warroom::keymap::Action;
use warroom::msg::Msg;
use warroom::review;
use warroom::state::{Screen, State};
use warroom::update::play;
use warroom::workers::process::{Ending, Outcome};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap()
}

/// A scripted incident: the demo's database failure, a page and an acknowledgement, a runbook step
/// run, the API left down past its RTO, then resolution.
fn scripted() -> State {
    let mut state = demo::showcase(t0());
    let at = |s: i64| t0() + TimeDelta::seconds(s);
    play(&mut state, Msg::Action(Action::Page), at(110));
    play(&mut state, Msg::Action(Action::Confirm), at(110));
    play(&mut state, Msg::Action(Action::Acknowledge), at(115));
    play(&mut state, Msg::Action(Action::Confirm), at(115));
    assert_eq!(state.runbooks[0].id, "db-failover", "the demo's runbooks");
    state.ui.screen = Screen::Runbooks;
    play(&mut state, Msg::Action(Action::Confirm), at(120));
    play(&mut state, Msg::Action(Action::Down), at(120));
    play(&mut state, Msg::Action(Action::Run), at(121));
    let started = state.records.last().unwrap().seq;
    let outcome = Outcome {
        ending: Ending::Exited(0),
        duration: std::time::Duration::from_secs(3),
        tail: "lag 0.8 s".into(),
        dropped: 0,
        total: 9,
    };
    play(&mut state, Msg::RunFinished { started, outcome }, at(124));
    // The scenario stops here (the drill stays: its notifications are still held back).
    state.drill_mut().unwrap().ended = true;
    state
        .world
        .set("api", warroom::domain::Health::Down, None, at(130));
    play(&mut state, Msg::Tick, at(1300));
    play(&mut state, Msg::Action(Action::Resolve), at(1400));
    play(
        &mut state,
        Msg::Input("Failed over to the replica".into()),
        at(1400),
    );
    // The API is down: the first Enter warns, the second resolves with it not recovered.
    play(&mut state, Msg::Action(Action::Confirm), at(1400));
    play(&mut state, Msg::Action(Action::Confirm), at(1400));
    state
}

/// The review's context for `state` now, with local time `offset` hours east of UTC.
fn context(state: &State, offset: i32) -> review::Context {
    review::context(
        state.incident.as_ref().unwrap(),
        &state.records,
        Some(&state.config),
        &state.runbooks,
        state.now,
        FixedOffset::east_opt(offset * 3600).unwrap(),
    )
}

fn draft(state: &State) -> String {
    review::render("template.md", review::DEFAULT_TEMPLATE, &context(state, 1)).unwrap()
}

#[test]
fn a_resolved_review_is_frozen_at_resolution_however_late_the_export() {
    let state = scripted();
    let incident = state.incident.as_ref().unwrap();
    let at = |now| {
        let context = review::context(
            incident,
            &state.records,
            None,
            &[],
            now,
            FixedOffset::east_opt(3600).unwrap(),
        );
        review::render("template.md", review::DEFAULT_TEMPLATE, &context).unwrap()
    };
    let resolved = incident.resolved.unwrap();
    let first = at(resolved);
    assert_eq!(
        first,
        at(resolved + TimeDelta::minutes(9)),
        "minutes later, the same document"
    );
    assert_eq!(first, at(resolved + TimeDelta::days(3)));
    assert!(first.contains("not recovered at resolution"), "{first}");
    let card = |now| review::scorecard(incident, &state.records, now).unwrap();
    assert_eq!(
        card(resolved),
        card(resolved + TimeDelta::days(3)),
        "the exported scorecard is the one at resolution"
    );
}

#[test]
fn the_draft_covers_every_section() {
    let text = draft(&scripted());
    insta::assert_snapshot!("review_draft", text);
    assert!(
        text.contains("| met |") && text.contains("| missed |"),
        "a met and a missed RTO"
    );
    assert!(text.contains("level 1 page asked for (oncall); recorded, not sent (drill)"));
    assert!(text.contains("runbook db-failover, step 2"));
}

#[test]
fn the_draft_is_markdown_that_renders_without_loss() {
    let text = draft(&scripted());
    let mut headings = 0;
    let mut tables = 0;
    let mut tasks = 0;
    for event in Parser::new_ext(&text, Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS) {
        match event {
            Event::Start(Tag::Heading { .. }) => headings += 1,
            Event::Start(Tag::Table(_)) => tables += 1,
            Event::TaskListMarker(_) => tasks += 1,
            _ => {}
        }
    }
    assert_eq!(
        headings, 13,
        "title, ten sections, the phases of the runbook worked and the drill's scorecard"
    );
    assert_eq!(
        tables, 6,
        "header, impact, metrics, scorecard, phases and timeline tables"
    );
    assert_eq!(tasks, 1, "the action item checklist");
}

#[test]
fn an_open_incident_gets_a_running_draft() {
    let state = demo::showcase(t0());
    let text = draft(&state);
    assert!(text.contains("| End | still open |"), "{text}");
}

#[test]
fn template_mistakes_are_located() {
    let state = scripted();
    let context = context(&state, 0);
    let syntax = review::render("mine.md", "# {{ title }\n\n{% for x in %}", &context).unwrap_err();
    assert_eq!((syntax.file.as_str(), syntax.line), ("mine.md", 1));
    let unknown =
        review::render("mine.md", "line one\n{{ no_such_field }}\n", &context).unwrap_err();
    assert_eq!(unknown.line, 2, "{unknown}");
}

#[test]
fn hostile_text_is_escaped_in_the_review() {
    let mut state = demo::showcase(t0());
    let now = state.now;
    play(&mut state, Msg::Action(Action::Note), now);
    play(
        &mut state,
        Msg::Input("pipe | and \u{1b}]52;c;eA==\u{7} escape".into()),
        now,
    );
    play(&mut state, Msg::Action(Action::Confirm), now);
    let text = draft(&state);
    assert!(!text.contains('\u{1b}'));
    assert!(
        text.contains("pipe \\| and \\x1b]52;c;eA==\\x07 escape"),
        "{text}"
    );
}

#[test]
fn the_review_lists_planned_against_actual_per_phase() {
    let mut state = scripted();
    let text = "+++\nid = \"dr\"\ntitle = \"Regional DR\"\n+++\n\
        # Immediate (0-5 minutes)\n\n## Assess\n\n## Page\n\n\
        # Short-term (5-15 minutes)\n\n## Fail over\n\n# Long-term (15-60 minutes)\n\n## Rebuild\n\n\
        # Aftercare (1h+)\n\n## Report\n";
    state.runbooks = vec![warroom::runbook::parse("dr.md", text).unwrap()];
    let incident = state.incident.as_mut().unwrap();
    let declared = incident.declared;
    let mark = |minutes: i64| warroom::domain::incident::StepProgress {
        mark: Some(warroom::domain::event::StepMark::Done),
        marked_at: Some(declared + TimeDelta::minutes(minutes)),
        ..Default::default()
    };
    incident.steps.insert(("dr".into(), 0), mark(1));
    incident.steps.insert(("dr".into(), 1), mark(4));
    incident.steps.insert(("dr".into(), 2), mark(17));
    incident.steps.insert(("dr".into(), 4), mark(90));
    let review = draft(&state);
    assert!(review.contains("## Phases: planned and actual"), "{review}");
    assert!(
        review.contains("| Regional DR | Immediate (0-5 minutes) | 0–5m | 1m–4m | met |"),
        "{review}"
    );
    assert!(
        review.contains(
            "| Regional DR | Short-term (5-15 minutes) | 5m–15m | 17m–17m | late by 00:02:00 |"
        ),
        "{review}"
    );
    assert!(
        review.contains("| Long-term (15-60 minutes) | 15m–1h | not started | not done |"),
        "{review}"
    );
    assert!(
        review.contains("| Aftercare (1h+) | 1h+ | 1h30m–1h30m | met |"),
        "a phase with no end is never late: {review}"
    );
}

#[test]
fn the_header_names_every_role_held_and_the_resolution_summary() {
    let mut open = demo::showcase(t0());
    open.incident
        .as_mut()
        .unwrap()
        .roles
        .others
        .insert("technical lead".into(), "lee | jump-3".into());
    let text = draft(&open);
    assert!(
        text.contains("| Technical lead | lee \\| jump-3 |"),
        "{text}"
    );
    assert!(!text.contains("| Resolution |"), "not resolved yet: {text}");
    let resolved = draft(&scripted());
    assert!(
        resolved.contains("| Resolution | Failed over to the replica |"),
        "{resolved}"
    );
}

#[test]
fn a_custom_template_reads_the_timeline_as_an_ordinary_list() {
    let state = scripted();
    let template = "{{ timeline|length }}|{{ timeline[0].utc }} {{ timeline[0].local }} \
        {{ timeline[0].actor }}|{% for e in timeline %}{{ loop.index }}{% endfor %}|\
        {% for e in timeline|reverse %}{% if loop.first %}{{ e.what }}{% endif %}{% endfor %}|\
        {% for k, v in timeline[0]|items %}{{ k }}={{ v }};{% endfor %}|{{ timeline[999999] is undefined }}";
    let text = review::render("mine.md", template, &context(&state, 1)).unwrap();
    let parts: Vec<&str> = text.split('|').collect();
    let count: usize = parts[0].parse().unwrap();
    assert!(count > 5, "{text}");
    assert_eq!(parts[1], "03:00:41Z 04:00:41 dana@jump-1", "{text}");
    let indexes: String = (1..=count).map(|i| i.to_string()).collect();
    assert_eq!(parts[2], indexes, "iterated twice over, in full");
    assert!(parts[3].starts_with("Resolved"), "{text}");
    assert!(
        parts[4].starts_with(
            "utc=03:00:41Z;local=04:00:41;drill=03:00:41;actor=dana@jump-1;what=Declared P2"
        ),
        "{text}"
    );
    assert_eq!(parts[5], "True");
}
