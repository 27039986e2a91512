//! Soak: mixed traffic with random faults through the simulator for a given time
//! (`SOAK_SECS`, default 60). Not run by default: `scripts/soak.sh` runs it.
//! Publishes go through the offline queue (`Outbox`); the faults include module
//! reboots, network-side PDP losses, pulled SIMs and a module that stopped
//! searching, after which the application brings the
//! link back (`common::relink`). Prints messages, faults, every message's fate,
//! errors and resident memory after warm-up, half-way and at the end.

mod common;

use std::time::{Duration, Instant};

use common::{mosquitto_available, mqtt, relink, sim_config, start, Mosquitto, Peer};
use ml302::outbox::{Outbox, Report};
use ml302::{Incoming, QoS};
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
    let mqtt_cfg = mqtt("soak-dev");
    c.configure(&mqtt_cfg).unwrap();
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
        Fault::Reboot,
        Fault::PdpDeactivated,
        Fault::SimRemoved,
        Fault::RegistrationStuck,
    ];
    let mut rungs = std::collections::BTreeMap::<String, u64>::new();
    let mut failed_causes = std::collections::BTreeMap::<String, u64>::new();
    // Static-size queue on the host: it survives every fault of the module.
    let mut outbox: Outbox<32, 16, 320> = Outbox::new().with_max_attempts(20);
    let (mut delivered, mut failed, mut expired, mut refused_full, mut max_depth) =
        (0u64, 0u64, 0u64, 0u64, 0usize);
    let mut warm_rss = 0;
    let mut rss_series = Vec::with_capacity(11);
    let (mut reboots, mut pdp_losses, mut sims_pulled, mut stuck) = (0u64, 0u64, 0u64, 0u64);
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
        if t0.elapsed() > Duration::from_secs(secs / 10) && warm_rss == 0 {
            warm_rss = rss_kib();
        }
        // One sample every tenth of the run: memory flat after warm-up shows as a
        // plateau (the simulator's log of received lines fills up to its cap).
        if t0.elapsed() >= Duration::from_secs(secs * rss_series.len() as u64 / 10) {
            rss_series.push(rss_kib());
        }
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
                (f, _) => {
                    match f {
                        Fault::Reboot => reboots += 1,
                        Fault::PdpDeactivated => pdp_losses += 1,
                        Fault::SimRemoved => sims_pulled += 1,
                        Fault::RegistrationStuck => stuck += 1,
                        _ => {}
                    }
                    sim.inject(f.clone())
                }
            }
            injected += 1;
        }
        relink(&mut c, &mqtt_cfg, &mut rungs);
        let len = (r % 300) as usize;
        let payload: Vec<u8> = (0..len).map(|i| (r as usize + i * 31) as u8).collect();
        let qos = [QoS::AtMostOnce, QoS::AtLeastOnce, QoS::ExactlyOnce][(r % 3) as usize];
        match outbox.push("soak/up/x", &payload, qos, false, 0) {
            Ok(_) => sent_ok += 1,
            Err(ml302::Error::QueueFull) => refused_full += 1,
            Err(e) => panic!("a valid publish refused: {e:?}"),
        }
        max_depth = max_depth.max(outbox.len());
        if let Err(e) = c.flush_outbox(&mut outbox) {
            sent_err += 1;
            *errors.entry(format!("{e:?}")).or_default() += 1;
        }
        while let Some(report) = outbox.next_report() {
            match report {
                Report::Delivered { .. } => delivered += 1,
                Report::Failed {
                    error, attempts, ..
                } => {
                    failed += 1;
                    *failed_causes
                        .entry(format!("{error:?} after {attempts}"))
                        .or_default() += 1;
                }
                Report::Expired { .. } => expired += 1,
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
        "SOAK secs={secs} queued={sent_ok} refused_full={refused_full} delivered={delivered} failed={failed} failed_causes={failed_causes:?} expired={expired} still_queued={} max_depth={max_depth} flush_errors={sent_err} received={received} peer_received={peer_rx} faults_injected={injected} reboots={reboots} pdp_losses={pdp_losses} sims_pulled={sims_pulled} registrations_stuck={stuck} recovered_at={rungs:?} errors={errors:?} stats={:?} rss_kib_warm={warm_rss} rss_kib_mid={mid_rss} rss_kib_end={end_rss} rss_kib_every_tenth={rss_series:?}",
        outbox.len(),
        c.stats()
    );
    assert!(delivered > 0 && received > 0);
    assert_eq!(
        sent_ok,
        delivered + failed + expired + outbox.len() as u64,
        "every queued message has a fate or is still queued"
    );
}
