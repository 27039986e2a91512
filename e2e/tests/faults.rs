//! Fault injection end to end through the simulator: for each fault the client
//! returns a typed error or recovers, never waits past its time-out, never panics.
//! Each test prints one row of the fault table: fault -> what the caller saw ->
//! recovered or not.

mod common;

use std::time::{Duration, Instant};

use common::{mqtt, sim_config, start, E2eClient, Peer};
use ml302::{CmeError, Error, Event, Incoming, QoS};
use ml302_sim::{Fault, SimConfig, Simulator, Target};

fn connected(cfg: SimConfig, id: &str) -> (Simulator, E2eClient) {
    let (sim, mut c) = start(cfg);
    c.configure(&mqtt(id)).unwrap();
    c.set_ack_timeout(2).unwrap();
    c.connect(None).unwrap();
    (sim, c)
}

fn row(fault: &str, saw: &str, recovered: bool) {
    println!(
        "FAULT | {fault} | {saw} | {}",
        if recovered {
            "recovered"
        } else {
            "NOT recovered"
        }
    );
}

fn events(c: &mut E2eClient) -> Vec<Event> {
    std::iter::from_fn(|| c.next_event()).collect()
}

/// Publishes `n` messages from a peer and collects what the client receives.
fn incoming(c: &mut E2eClient, peer: &Peer, topic: &str, n: usize) -> Vec<Vec<u8>> {
    for i in 0..n {
        peer.publish(
            topic,
            rumqttc::QoS::AtLeastOnce,
            false,
            format!("message number {i}").as_bytes(),
        );
    }
    let mut got = Vec::new();
    while let Some(m) = c.receive(1_500).unwrap() {
        if let Incoming::Message(m) = m {
            got.push(m.payload.to_vec());
        }
    }
    got
}

fn byte_fault_on_incoming(target: Target, drop: bool) {
    let (sim, mut c) = connected(sim_config().seed(7), "f-in");
    let peer = Peer::connect(sim.broker_addr().unwrap(), "f-in-peer", true);
    c.subscribe("f/in", QoS::AtLeastOnce).unwrap();
    sim.inject(if drop {
        Fault::DropByte(target)
    } else {
        Fault::CorruptByte(target)
    });
    let got = incoming(&mut c, &peer, "f/in", 4);
    let ev = events(&mut c);
    let intact = got
        .iter()
        .filter(|p| p.starts_with(b"message number "))
        .count();
    // The last message always arrives intact: the stream is back in sync.
    let recovered = got.last().is_some_and(|p| p == b"message number 3");
    let framing = ev.iter().filter(|e| matches!(e, Event::Framing(_))).count();
    row(
        &format!(
            "{} a byte of a {target:?}",
            if drop { "drop" } else { "corrupt" }
        ),
        &format!(
            "{intact}/4 intact, {framing} framing event(s), stats {:?}",
            c.stats()
        ),
        recovered,
    );
    assert!(recovered, "got {got:?}, events {ev:?}");
    assert!(intact >= 3);
}

#[test]
fn drop_byte_in_urc() {
    byte_fault_on_incoming(Target::Urc, true);
}

#[test]
fn corrupt_byte_in_urc() {
    byte_fault_on_incoming(Target::Urc, false);
}

#[test]
fn drop_byte_in_payload() {
    byte_fault_on_incoming(Target::Payload, true);
}

#[test]
fn corrupt_byte_in_payload() {
    byte_fault_on_incoming(Target::Payload, false);
}

fn byte_fault_on_response(drop: bool) {
    let (sim, mut c) = connected(sim_config().seed(11), "f-resp");
    sim.inject(if drop {
        Fault::DropByte(Target::Response)
    } else {
        Fault::CorruptByte(Target::Response)
    });
    let t0 = Instant::now();
    let r = c.subscribe("f/resp", QoS::AtLeastOnce);
    let waited = t0.elapsed();
    // Either the damage hit something the client could do without, or the
    // command failed with a typed error within its time-out (2 s + 10 s).
    assert!(waited < Duration::from_secs(13), "waited {waited:?}");
    let after = c.publish("f/resp/next", b"x", QoS::AtLeastOnce, false);
    row(
        &format!(
            "{} a byte of a response",
            if drop { "drop" } else { "corrupt" }
        ),
        &format!("subscribe -> {r:?} after {waited:?}; next publish -> {after:?}"),
        after.is_ok(),
    );
    assert!(after.is_ok());
}

#[test]
fn drop_byte_in_response() {
    byte_fault_on_response(true);
}

#[test]
fn corrupt_byte_in_response() {
    byte_fault_on_response(false);
}

#[test]
fn withheld_ack_is_an_ack_timeout() {
    let (sim, mut c) = connected(sim_config(), "f-ack");
    sim.inject(Fault::WithholdAck);
    let t0 = Instant::now();
    let e = c
        .publish("f/ack", b"x", QoS::AtLeastOnce, false)
        .unwrap_err();
    let waited = t0.elapsed();
    let ev = events(&mut c);
    let after = c.publish("f/ack", b"y", QoS::AtLeastOnce, false);
    row(
        "withhold the PUBACK",
        &format!("{e:?} after {waited:?}, events {ev:?}"),
        after.is_ok(),
    );
    assert!(
        matches!(e, Error::Cme(CmeError::AckTimeout) | Error::Timeout),
        "{e:?}"
    );
    assert!(waited < Duration::from_secs(13));
    assert!(
        ev.contains(&Event::AckTimeout(ml302::TimeoutKind::Publish)),
        "{ev:?}"
    );
    assert!(after.is_ok());
}

#[test]
fn delayed_ack_still_completes() {
    let (sim, mut c) = connected(sim_config(), "f-delay");
    sim.inject(Fault::DelayAck(Duration::from_millis(800)));
    let t0 = Instant::now();
    let r = c.publish("f/delay", b"x", QoS::AtLeastOnce, false);
    row(
        "delay the PUBACK 0.8 s",
        &format!("{r:?} after {:?}", t0.elapsed()),
        r.is_ok(),
    );
    assert!(r.is_ok());
}

#[test]
fn cut_link_reconnects_and_resubscribes() {
    let (sim, mut c) = connected(sim_config(), "f-cut");
    c.subscribe("f/cut", QoS::AtLeastOnce).unwrap();
    sim.inject(Fault::CutLink);
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut seen = Vec::new();
    while Instant::now() < deadline && !seen.contains(&Event::Resubscribed(1)) {
        c.poll(100).unwrap();
        seen.extend(events(&mut c));
    }
    let after = c.publish("f/cut", b"x", QoS::AtLeastOnce, false);
    row(
        "cut the broker link",
        &format!("events {seen:?}"),
        after.is_ok(),
    );
    assert!(seen.contains(&Event::Reconnected), "{seen:?}");
    assert!(after.is_ok());
}

#[test]
fn injected_cme_error_is_typed() {
    let (sim, mut c) = connected(sim_config(), "f-cme");
    sim.inject(Fault::CmeError(608));
    let e = c
        .publish("f/cme", b"x", QoS::AtLeastOnce, false)
        .unwrap_err();
    let after = c.publish("f/cme", b"y", QoS::AtLeastOnce, false);
    row(
        "answer +CME ERROR: 608",
        &format!("{e:?} (retryable: {})", e.is_retryable()),
        after.is_ok(),
    );
    assert_eq!(e, Error::Cme(CmeError::SendFailed));
    assert!(e.is_retryable());
    assert!(after.is_ok());
}

#[test]
fn reboot_mid_session_times_out_then_restarts() {
    let (sim, mut c) = connected(sim_config().boot_time(Duration::from_millis(300)), "f-boot");
    sim.inject(Fault::Reboot);
    let t0 = Instant::now();
    let e = c.publish("f/boot", b"x", QoS::AtLeastOnce, false);
    let waited = t0.elapsed();
    // After the reboot the module knows no client: start over.
    std::thread::sleep(Duration::from_millis(400));
    c.start().unwrap();
    c.configure(&mqtt("f-boot")).unwrap();
    c.connect(None).unwrap();
    let after = c.publish("f/boot", b"y", QoS::AtLeastOnce, false);
    row(
        "reboot the module",
        &format!("{e:?} after {waited:?}; start-up again"),
        after.is_ok(),
    );
    assert!(e.is_err());
    assert!(waited < Duration::from_secs(13));
    assert!(after.is_ok());
}

#[test]
fn garbage_burst_is_survived() {
    let (sim, mut c) = connected(sim_config().seed(3), "f-garbage");
    sim.inject(Fault::Garbage(4096));
    c.poll(300).unwrap();
    let ev = events(&mut c);
    let after = c.publish("f/g", b"x", QoS::AtLeastOnce, false);
    let after2 = c.publish("f/g", b"y", QoS::AtLeastOnce, false);
    row(
        "4 KiB of garbage",
        &format!("{} event(s), stats {:?}", ev.len(), c.stats()),
        after2.is_ok(),
    );
    assert!(after.is_ok() || after2.is_ok());
    assert!(after2.is_ok());
}

#[test]
fn paced_bursty_output_one_byte_at_a_time() {
    // 115200 baud pacing with random bursts: the client reads what trickles in.
    let (sim, mut c) = connected(sim_config().pacing_baud(Some(115_200)).bursts(5), "f-slow");
    let peer = Peer::connect(sim.broker_addr().unwrap(), "f-slow-peer", true);
    c.subscribe("f/slow", QoS::AtLeastOnce).unwrap();
    let got = incoming(&mut c, &peer, "f/slow", 5);
    row(
        "paced 115200 baud, random bursts",
        &format!("{}/5 received", got.len()),
        got.len() == 5,
    );
    assert_eq!(got.len(), 5);
}
