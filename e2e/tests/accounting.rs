//! Loss accounting across broker restarts: with a persistent session (clean
//! session 0) and QoS 1, across 1,000 publishes and 20 restarts of a persistent
//! Mosquitto, every message the client reported as delivered arrives at an
//! independent subscriber, and every message that did not arrive was reported to
//! the caller as failed. Prints the tally.

mod common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use common::{mosquitto_available, mqtt, sim_config, start, ChildGuard, Mosquitto};
use ml302::{LinkState, QoS};
use ml302_sim::BrokerMode;

const MESSAGES: u32 = 1_000;
const RESTARTS: u32 = 20;

#[test]
fn every_reported_delivery_arrives_across_broker_restarts() {
    if !mosquitto_available() {
        return;
    }
    let mut m = Mosquitto::start(None);
    // The independent subscriber: mosquitto_sub with a persistent session (-c),
    // QoS 1; it reconnects by itself after each restart.
    let mut child = std::process::Command::new("mosquitto_sub")
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &m.port.to_string(),
            "-c",
            "-i",
            "acct-peer",
        ])
        .args(["-q", "1", "-t", "acct/#", "-k", "5", "-F", "%p"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("mosquitto_sub runs");
    let stdout = child.stdout.take().expect("piped");
    let _guard = ChildGuard(child);
    let (tx, peer) = std::sync::mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    std::thread::sleep(Duration::from_millis(500));

    let (_sim, mut c) = start(sim_config().broker(BrokerMode::Fixed(m.addr())));
    let cfg = mqtt("acct-dev").with_clean_session(false);
    c.configure(&cfg).unwrap();
    c.connect(None).unwrap();

    let mut ok = BTreeSet::new();
    let mut failed = BTreeSet::new();
    let mut errors = std::collections::BTreeMap::<String, u32>::new();
    let every = MESSAGES / RESTARTS;
    let t0 = Instant::now();
    for i in 0..MESSAGES {
        if i > 0 && i % every == 0 {
            m.restart();
        }
        if c.link_state() == LinkState::Idle {
            // The module gave up: reopen (the application's policy, spec §5.6).
            let _ = c.connect(None);
        }
        match c.publish(
            "acct/msg",
            format!("{i}").as_bytes(),
            QoS::AtLeastOnce,
            false,
        ) {
            Ok(_) => {
                ok.insert(i);
            }
            Err(e) => {
                failed.insert(i);
                *errors.entry(format!("{e:?}")).or_default() += 1;
                // Let the module reconnect before the next attempt.
                let _ = c.poll(50);
            }
        }
    }
    // Collect what the subscriber got (persistent session: queued ones included).
    let mut received = BTreeSet::new();
    let mut duplicates = 0u32;
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline && !ok.is_subset(&received) {
        if let Ok(p) = peer.recv_timeout(Duration::from_millis(500)) {
            let n: u32 = p.trim().parse().unwrap_or(u32::MAX);
            if !received.insert(n) {
                duplicates += 1;
            }
        }
    }
    let lost_but_reported: Vec<_> = ok.difference(&received).collect();
    let not_arrived: BTreeSet<u32> = (0..MESSAGES).filter(|i| !received.contains(i)).collect();
    let unreported: Vec<_> = not_arrived.difference(&failed).collect();
    println!(
        "TALLY publishes={MESSAGES} restarts={RESTARTS} reported_delivered={} reported_failed={} received={} duplicates={duplicates} failed_but_arrived={} lost_but_reported_delivered={} not_arrived_and_not_reported={} errors={errors:?} elapsed={:?}",
        ok.len(),
        failed.len(),
        received.len(),
        failed.intersection(&received).count(),
        lost_but_reported.len(),
        unreported.len(),
        t0.elapsed()
    );
    drop(_guard);
    let _ = reader.join();
    assert!(
        lost_but_reported.is_empty(),
        "reported delivered but lost: {lost_but_reported:?}"
    );
    assert!(
        unreported.is_empty(),
        "lost without a report: {unreported:?}"
    );
    assert!(ok.len() as u32 > MESSAGES / 2, "most publishes succeed");
}
