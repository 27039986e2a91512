//! Loss accounting against a persistent Mosquitto (clean session 0, QoS 1,
//! 1,000 publishes) and an independent `mosquitto_sub` (persistent too):
//!
//! - through the outbox (`TALLY`), across 20 broker restarts, 5 module reboots
//!   and 5 network-side PDP losses: every message arrives, none is reported
//!   failed, none reported delivered is lost, none is lost without a report;
//! - publishing directly (`TALLY_UNQUEUED`), across 20 broker restarts: every
//!   message reported delivered arrives and every one that did not arrive was
//!   reported failed.
//!
//! `cargo test -p ml302-e2e --test accounting -- --nocapture` prints both lines.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::mpsc::Receiver;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::{
    mosquitto_available, mqtt, relink, sim_config, start, trace, ChildGuard, E2eClient, Mosquitto,
};
use ml302::outbox::{MessageId, Outbox, Report};
use ml302::{LinkState, QoS};
use ml302_sim::{BrokerMode, Fault, Simulator};

const MESSAGES: u32 = 1_000;
const RESTARTS: u32 = 20;
const REBOOTS: u32 = 5;
const PDP_LOSSES: u32 = 5;

/// The independent subscriber: `mosquitto_sub` with a persistent session
/// (`-c`) at QoS 1, printing each payload on a line; it reconnects by itself
/// after each broker restart.
struct Peer {
    lines: Receiver<String>,
    reader: Option<JoinHandle<()>>,
    guard: Option<ChildGuard>,
}

impl Peer {
    fn start(m: &Mosquitto, id: &str, filter: &str) -> Peer {
        let mut child = std::process::Command::new("mosquitto_sub")
            .args(["-h", "127.0.0.1", "-p", &m.port.to_string(), "-c", "-i", id])
            .args(["-q", "1", "-t", filter, "-k", "5", "-F", "%p"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("mosquitto_sub runs");
        let stdout = child.stdout.take().expect("piped");
        let (tx, lines) = std::sync::mpsc::channel::<String>();
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
        Peer {
            lines,
            reader: Some(reader),
            guard: Some(ChildGuard(child)),
        }
    }

    /// What arrived (as numbers) until every one of `want` did or 30 s passed
    /// without it, and how many arrived twice.
    fn collect(&self, want: &BTreeSet<u32>) -> (BTreeSet<u32>, u32) {
        let mut received = BTreeSet::new();
        let mut duplicates = 0u32;
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline && !want.is_subset(&received) {
            if let Ok(p) = self.lines.recv_timeout(Duration::from_millis(500)) {
                let n: u32 = p.trim().parse().unwrap_or(u32::MAX);
                if !received.insert(n) {
                    duplicates += 1;
                }
            }
        }
        // Late duplicates: whatever else is already on its way.
        while let Ok(p) = self.lines.recv_timeout(Duration::from_millis(300)) {
            let n: u32 = p.trim().parse().unwrap_or(u32::MAX);
            if !received.insert(n) {
                duplicates += 1;
            }
        }
        (received, duplicates)
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        drop(self.guard.take());
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
    }
}

/// The fault planned before publish `i`, if any: broker restarts every 50
/// publishes (from 25), reboots and PDP losses every 200 (offset so none coincide).
fn fault_at(i: u32) -> Option<Fault> {
    if i == 0 {
        return None;
    }
    match (i % 50, i % 200) {
        (25, _) => Some(Fault::RestartBroker),
        (_, 70) => Some(Fault::Reboot),
        (_, 130) => Some(Fault::PdpDeactivated),
        _ => None,
    }
}

#[test]
fn through_the_outbox_nothing_is_lost_across_restarts_reboots_and_pdp_losses() {
    if !mosquitto_available() {
        return;
    }
    let mut m = Mosquitto::start(None);
    let peer = Peer::start(&m, "acct-q-peer", "acctq/#");
    let (sim, mut c): (Simulator, E2eClient) =
        start(sim_config().broker(BrokerMode::Fixed(m.addr())));
    let cfg = mqtt("acct-q-dev").with_clean_session(false);
    c.configure(&cfg).unwrap();
    c.connect(None).unwrap();

    let mut outbox: Outbox<64, 32, 16> = Outbox::new();
    let mut ids = BTreeMap::<MessageId, u32>::new();
    let mut delivered = BTreeSet::new();
    let mut failed = BTreeSet::new();
    let mut errors = BTreeMap::<String, u32>::new();
    let mut rungs = BTreeMap::<String, u64>::new();
    let (mut restarts, mut reboots, mut pdp_losses) = (0u32, 0u32, 0u32);
    let mut settle = |outbox: &mut Outbox<64, 32, 16>, ids: &BTreeMap<MessageId, u32>| {
        while let Some(r) = outbox.next_report() {
            let n = ids[&r.id()];
            match r {
                Report::Delivered { .. } => assert!(delivered.insert(n), "one report each"),
                Report::Failed { .. } | Report::Expired { .. } => assert!(failed.insert(n)),
            }
        }
    };
    let t0 = Instant::now();
    for i in 0..MESSAGES {
        let fault = fault_at(i);
        if let Some(f) = &fault {
            trace(format_args!("publish {i}: {f:?}, queued {}", outbox.len()));
        }
        match fault {
            Some(Fault::RestartBroker) => {
                m.restart();
                restarts += 1;
            }
            Some(f) => {
                if f == Fault::Reboot {
                    reboots += 1;
                } else {
                    pdp_losses += 1;
                }
                sim.inject(f);
                // Let the module act on it before the next publish.
                let _ = c.poll(50);
            }
            None => {}
        }
        let id = loop {
            match outbox.push(
                "acctq/msg",
                format!("{i}").as_bytes(),
                QoS::AtLeastOnce,
                false,
                0,
            ) {
                Ok(id) => break id,
                Err(ml302::Error::QueueFull) => {
                    relink(&mut c, &cfg, &mut rungs);
                    if let Err(e) = c.flush_outbox(&mut outbox) {
                        *errors.entry(format!("{e:?}")).or_default() += 1;
                    }
                    settle(&mut outbox, &ids);
                }
                Err(e) => panic!("a valid publish refused: {e:?}"),
            }
        };
        ids.insert(id, i);
        if let Err(e) = c.flush_outbox(&mut outbox) {
            *errors.entry(format!("{e:?}")).or_default() += 1;
        }
        if c.link_state() != LinkState::Connected {
            relink(&mut c, &cfg, &mut rungs);
        }
        settle(&mut outbox, &ids);
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while !outbox.is_empty() && Instant::now() < deadline {
        relink(&mut c, &cfg, &mut rungs);
        if let Err(e) = c.flush_outbox(&mut outbox) {
            *errors.entry(format!("{e:?}")).or_default() += 1;
        }
        settle(&mut outbox, &ids);
    }
    settle(&mut outbox, &ids);
    let still_queued = outbox.len();

    let (received, duplicates) = peer.collect(&delivered);
    let lost_but_reported: Vec<_> = delivered.difference(&received).collect();
    let not_arrived: BTreeSet<u32> = (0..MESSAGES).filter(|i| !received.contains(i)).collect();
    let unreported: Vec<_> = not_arrived.difference(&failed).collect();
    println!(
        "TALLY publishes={MESSAGES} restarts={restarts} reboots={reboots} pdp_losses={pdp_losses} delivered_unique={} duplicates={duplicates} reported_delivered={} reported_failed={} still_queued={still_queued} lost_but_reported_delivered={} not_arrived_and_not_reported={} send_errors={errors:?} recovered_at={rungs:?} elapsed={:?}",
        received.iter().filter(|n| **n < MESSAGES).count(),
        delivered.len(),
        failed.len(),
        lost_but_reported.len(),
        unreported.len(),
        t0.elapsed()
    );
    drop(peer);
    drop(sim);
    assert_eq!(
        (restarts, reboots, pdp_losses),
        (RESTARTS, REBOOTS, PDP_LOSSES)
    );
    assert!(
        lost_but_reported.is_empty(),
        "reported delivered but lost: {lost_but_reported:?}"
    );
    assert!(
        unreported.is_empty(),
        "lost without a report: {unreported:?}"
    );
    assert_eq!(still_queued, 0, "the outbox drained");
    assert!(failed.is_empty(), "reported failed: {failed:?}");
    assert_eq!(received.len() as u32, MESSAGES, "every message arrived");
}

#[test]
fn unqueued_every_reported_delivery_arrives_across_broker_restarts() {
    if !mosquitto_available() {
        return;
    }
    let mut m = Mosquitto::start(None);
    let peer = Peer::start(&m, "acct-peer", "acct/#");
    let (_sim, mut c) = start(sim_config().broker(BrokerMode::Fixed(m.addr())));
    let cfg = mqtt("acct-dev").with_clean_session(false);
    c.configure(&cfg).unwrap();
    c.connect(None).unwrap();

    let mut ok = BTreeSet::new();
    let mut failed = BTreeSet::new();
    let mut errors = BTreeMap::<String, u32>::new();
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
    let (received, duplicates) = peer.collect(&ok);
    let lost_but_reported: Vec<_> = ok.difference(&received).collect();
    let not_arrived: BTreeSet<u32> = (0..MESSAGES).filter(|i| !received.contains(i)).collect();
    let unreported: Vec<_> = not_arrived.difference(&failed).collect();
    println!(
        "TALLY_UNQUEUED publishes={MESSAGES} restarts={RESTARTS} reboots=0 pdp_losses=0 delivered_unique={} duplicates={duplicates} reported_delivered={} reported_failed={} failed_but_arrived={} lost_but_reported_delivered={} not_arrived_and_not_reported={} errors={errors:?} elapsed={:?}",
        received.len(),
        ok.len(),
        failed.len(),
        failed.intersection(&received).count(),
        lost_but_reported.len(),
        unreported.len(),
        t0.elapsed()
    );
    drop(peer);
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
