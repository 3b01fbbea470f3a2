//! The commander's worst hour, in the real binary in a pseudo-terminal: the screen never claims
//! more than happened (a failed page, acknowledgement, resolving with a component still down,
//! processes that outlive their step, drill time).

mod support;

use support::pty::*;
use support::receiver::receiver;

#[test]
fn a_page_the_receiver_refuses_reads_page_failed_with_whom_to_call_until_it_is_delivered() {
    let data = tempfile::tempdir().unwrap();
    let pager = receiver(&[500, 202]);
    kit(
        data.path(),
        "30m",
        &format!(
            "[notify.pagerduty]\nrouting_key = \"key\"\nurl = \"{}\"\n",
            pager.url
        ),
    );
    let mut session = Session::start(data.path(), (120, 40), &[], &[]);
    declare_from_banner(&mut session);
    session.send("p");
    session.wait_for("Page level 1: Dana Ortiz");
    session.send(ENTER);
    session.wait_for("Recorded: Level 1 page queued for PagerDuty: oncall");
    let screen = session.wait_for("PAGE FAILED (HTTP 500, retrying in");
    assert!(
        screen.contains("call Dana Ortiz (Primary on-call) +1 555 0100"),
        "{screen}"
    );
    assert!(
        !screen.contains("LEVEL 1 DUE"),
        "the failure comes first: {screen}"
    );
    session.send("3");
    session.wait_for_row(&["1", "DUE NOW · page FAILED"]);
    session.wait_for("(PAGE FAILED: HTTP 500, 1 attempts; call them)");
    session.send("4");
    session.wait_for("PagerDuty page level 1 failed (attempt 1): HTTP 500");
    session.wait_for("PagerDuty page level 1 delivered");
    session.wait_gone("PAGE FAILED");
    session.send("3");
    let screen = session.wait_for("(PagerDuty delivered ");
    assert!(screen.contains("DUE NOW · paged "), "{screen}");
    assert!(
        screen.contains("LEVEL 1 DUE: call Dana Ortiz"),
        "delivered is not acknowledged: {screen}"
    );
    assert_eq!(
        pager.bodies.lock().unwrap().len(),
        2,
        "one failure, one delivery"
    );
    session.send("q");
    assert!(session.wait_exit());
    let review = warroom_ok(data.path(), &["review", "export", "latest"]);
    assert!(
        review.contains("level 1 page asked for (oncall); delivered to PagerDuty"),
        "{review}"
    );
}

#[test]
fn resolving_with_the_database_still_down_asks_and_the_review_gives_no_time_to_recover() {
    let data = tempfile::tempdir().unwrap();
    kit(data.path(), "30m", "");
    let mut session = Session::start(data.path(), (80, 24), &[], &[("NO_COLOR", "1")]);
    declare_from_banner(&mut session);
    session.send("R");
    session.wait_for("Resolve");
    session.send(ENTER);
    session.wait_for("Primary database still DOWN. Enter again resolves with it not");
    session.send("\x1b");
    session.wait_gone("still DOWN");
    assert!(
        !journal_text(data.path()).contains("\"resolved\""),
        "Esc resolves nothing"
    );
    session.send("R");
    session.wait_for("Resolve");
    session.send(ENTER);
    session.wait_for("still DOWN");
    session.send(ENTER);
    session.wait_for("Recorded: Resolved (not recovered: db)");
    session.send("q");
    assert!(session.wait_exit());
    let review = warroom_ok(data.path(), &["review", "export", "latest"]);
    assert!(
        review.contains("| none: not recovered at resolution (Primary database) |"),
        "{review}"
    );
    assert!(
        review.contains("| Time to resolve (first failure → resolved) | "),
        "{review}"
    );
    assert!(review.contains("not recovered at resolution"), "{review}");
}

#[test]
fn the_gauges_of_three_failing_components_are_drawn_at_every_size() {
    let data = tempfile::tempdir().unwrap();
    let closed = |n: u16| format!("127.0.0.1:{}", 9 + n);
    let extra: String = ["api", "queue"]
        .iter()
        .enumerate()
        .map(|(n, id)| {
            format!(
                "[[component]]\nid = \"{id}\"\nname = \"Payments {id} service\"\ntier = \"critical\"\n\
                 probe = {{ kind = \"tcp\", address = \"{}\", interval = \"500ms\", timeout = \"300ms\" }}\n",
                closed(u16::try_from(n).unwrap())
            )
        })
        .collect();
    kit(data.path(), "30m", &extra);
    let mut first = Session::start(data.path(), (120, 40), &[], &[]);
    declare_from_banner(&mut first);
    first.wait_for("Payments queue service");
    first.send("q");
    assert!(first.wait_exit());
    for size in [(60, 20), (80, 24), (120, 40), (160, 50)] {
        let mut session = Session::start(data.path(), size, &[], &[("NO_COLOR", "1")]);
        let screen = session.wait_for("RTO [");
        assert!(
            screen.contains("Primary database RTO [")
                || screen.contains("Payments api ser RTO [")
                || screen.contains("Payments queue s RTO ["),
            "{size:?}: a whole 16-character name before the gauge:\n{screen}"
        );
        session.send("q");
        assert!(session.wait_exit());
    }
}
