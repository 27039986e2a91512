//! Soak: mixed traffic with random faults through the simulator for a given time
//! (`SOAK_SECS`, default 60). Not run by default: `scripts/soak.sh` runs it.
//! Prints messages, faults, errors and resident memory at start and end.

mod common;

use std::time::{Duration, Instant};

use common::{mosquitto_available, mqtt, sim_config, start, Mosquitto, Peer};
use ml302::{Incoming, LinkState, QoS};
use ml302_sim::{Fault, Target};

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

#[test]
#[ignore = "long-running: scripts/soak.sh"]
fn soak_mixed_traffic_with_random_faults() {
    let secs: u64 = std::env::var("SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    // The broker runs as its own process (Mosquitto) where installed, so that the
    // resident memory measured here is the driver's, the simulator's and the
    // peer's, not the broker's message log; else the in-process broker.
    let mut mosquitto = mosquitto_available().then(|| Mosquitto::start(None));
    let mut cfg = sim_config().seed(302);
    if let Some(m) = &mosquitto {
        cfg = cfg.broker(ml302_sim::BrokerMode::Fixed(m.addr()));
    }
    let (sim, mut c) = start(cfg);
    let broker = mosquitto
        .as_ref()
        .map_or_else(|| sim.broker_addr().unwrap(), |m| m.addr());
    let peer = Peer::connect(broker, "soak-peer", true);
    peer.subscribe("soak/up/#", rumqttc::QoS::AtLeastOnce);
    c.configure(&mqtt("soak-dev")).unwrap();
    c.set_ack_timeout(2).unwrap();
    c.connect(None).unwrap();
    c.subscribe("soak/down/#", QoS::AtLeastOnce).unwrap();

    let faults = [
        Fault::DropByte(Target::Urc),
        Fault::CorruptByte(Target::Payload),
        Fault::DropByte(Target::Response),
        Fault::WithholdAck,
        Fault::CutLink,
        Fault::RestartBroker,
        Fault::CmeError(608),
        Fault::Garbage(512),
    ];
    let start_rss = rss_kib();
    let t0 = Instant::now();
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let (mut sent_ok, mut sent_err, mut received, mut injected, mut peer_rx) =
        (0u64, 0u64, 0u64, 0u64, 0u64);
    let mut mid_rss = 0;
    let mut errors = std::collections::BTreeMap::<String, u64>::new();
    while t0.elapsed() < Duration::from_secs(secs) {
        if t0.elapsed() > Duration::from_secs(secs / 2) && mid_rss == 0 {
            mid_rss = rss_kib();
        }
        let r = next();
        if r % 50 == 0 {
            match (
                &faults[(r / 50 % faults.len() as u64) as usize],
                mosquitto.as_mut(),
            ) {
                (Fault::RestartBroker, Some(m)) => m.restart(),
                (f, _) => sim.inject(f.clone()),
            }
            injected += 1;
        }
        if c.link_state() == LinkState::Idle {
            let _ = c.connect(None);
        }
        let len = (r % 300) as usize;
        let payload: Vec<u8> = (0..len).map(|i| (r as usize + i * 31) as u8).collect();
        let qos = [QoS::AtMostOnce, QoS::AtLeastOnce, QoS::ExactlyOnce][(r % 3) as usize];
        match c.publish("soak/up/x", &payload, qos, false) {
            Ok(_) => sent_ok += 1,
            Err(e) => {
                sent_err += 1;
                *errors.entry(format!("{e:?}")).or_default() += 1;
                // Give the module time to recover before the next attempt.
                let _ = c.poll(50);
            }
        }
        if r % 4 == 0 {
            peer.publish("soak/down/y", rumqttc::QoS::AtLeastOnce, false, &payload);
        }
        while let Ok(Some(m)) = c.receive(0) {
            if matches!(m, Incoming::Message(_)) {
                received += 1;
            }
        }
        while c.next_event().is_some() {}
        while peer.next(0).is_some() {
            peer_rx += 1;
        }
    }
    let end_rss = rss_kib();
    println!(
        "SOAK secs={secs} published_ok={sent_ok} publish_errors={sent_err} received={received} peer_received={peer_rx} faults_injected={injected} errors={errors:?} stats={:?} rss_kib_start={start_rss} rss_kib_mid={mid_rss} rss_kib_end={end_rss}",
        c.stats()
    );
    assert!(sent_ok > 0 && received > 0);
}
