use super::{Event, Record};

/// Lines as warroom wrote them before the large events were boxed.
const WRITTEN_EARLIER: [&str; 4] = [
    r#"{"seq":1,"at":"2026-12-03T07:41:34.405Z","actor":"root@vm","kind":"declared","id":"20261203-0741-checkout-5xx-for-all-eu","title":"Checkout 5xx for all EU shoppers","severity":"P1","commander":"root@vm","drill":false,"outages":[{"component":"api","state":"down","since":"2026-12-03T07:41:07.070040523Z"},{"component":"checkout","state":"down","since":"2026-12-03T07:41:18.510040523Z"}],"targets":[{"component":"monitoring","name":"Prometheus itself","rto_secs":86400,"rpo_secs":86400},{"component":"api","name":"Payments API","rto_secs":900,"rpo_secs":300},{"component":"workers","name":"Settlement workers","rto_secs":3600,"rpo_secs":1800},{"component":"errors","name":"API error ratio","rto_secs":3600,"rpo_secs":1800},{"component":"db","name":"Primary database","rto_secs":900,"rpo_secs":300},{"component":"queue","name":"Settlement queue","rto_secs":14400,"rpo_secs":14400},{"component":"checkout","name":"Checkout","rto_secs":900,"rpo_secs":300}],"alerts":[{"source":"main","fingerprint":"fd61e34d06e46af4","labels":{"alertname":"CheckoutErrors","component":"checkout","service":"payments","severity":"critical"},"starts_at":"2026-12-03T09:41:09Z","summary":"5xx above 5% for 5m"}]}"#,
    r#"{"seq":1,"at":"2026-12-03T03:00:00.000Z","actor":"fac@host","kind":"drill","title":"Primary lost","started":"2026-12-03T03:00:00.000Z","allow_commands":false,"allow_notify":false,"objectives":[],"exercise":"tabletop"}"#,
    r#"{"seq":5,"at":"2026-12-03T07:42:00.000Z","actor":"root@vm","kind":"alert_started","source":"main","fingerprint":"fd61e34d06e46af4","labels":{"alertname":"CheckoutErrors"},"starts_at":"2026-12-03T09:41:09Z"}"#,
    r#"{"seq":3,"at":"2026-12-03T07:41:38.607Z","actor":"root@vm","kind":"silence_requested","source":"main","fingerprint":"fd61e34d06e46af4","name":"CheckoutErrors","matchers":[{"name":"alertname","value":"CheckoutErrors","isRegex":false,"isEqual":true},{"name":"component","value":"checkout","isRegex":false,"isEqual":true},{"name":"service","value":"payments","isRegex":false,"isEqual":true},{"name":"severity","value":"critical","isRegex":false,"isEqual":true}],"ends_at":"2026-12-03T08:41:38.607040523Z","comment":"warroom 20261203-0741-checkout-5xx-for-all-eu: Checkout 5xx for all EU shoppers"}"#,
];

#[test]
fn boxed_events_read_and_write_the_journal_lines_they_always_did() {
    for line in WRITTEN_EARLIER {
        let record: Record = serde_json::from_str(line).unwrap();
        assert!(
            matches!(
                record.event,
                Event::Declared(_)
                    | Event::Drill(_)
                    | Event::AlertStarted(_)
                    | Event::SilenceRequested(_)
            ),
            "{record:?}"
        );
        assert_eq!(serde_json::to_string(&record).unwrap(), line);
    }
}

#[test]
fn a_record_stays_small_in_memory() {
    // A long incident holds 100,000 records in memory: a new large event is boxed, and so is a
    // drill record's wall-clock time (8 bytes for every record, not 16).
    assert!(size_of::<Record>() <= 136, "{} bytes", size_of::<Record>());
}

#[test]
fn a_drill_record_stores_the_wall_clock_as_at_and_its_drill_time_apart() {
    let line = r#"{"seq":2,"at":"2026-12-03T03:00:05.000Z","drill_at":"2026-12-03T03:00:50.000Z","actor":"fac@host","kind":"note_added","text":"x"}"#;
    let record: Record = serde_json::from_str(line).unwrap();
    assert_eq!(
        record.at.to_rfc3339(),
        "2026-12-03T03:00:50+00:00",
        "folds read the drill clock"
    );
    assert_eq!(record.wall_time().to_rfc3339(), "2026-12-03T03:00:05+00:00");
    assert!(record.is_drill_time());
    assert_eq!(serde_json::to_string(&record).unwrap(), line);
    let live = r#"{"seq":2,"at":"2026-12-03T03:00:05.000Z","actor":"ic@host","kind":"note_added","text":"x"}"#;
    let record: Record = serde_json::from_str(live).unwrap();
    assert!(!record.is_drill_time());
    assert_eq!(record.wall_time(), record.at);
    assert_eq!(serde_json::to_string(&record).unwrap(), live);
}
