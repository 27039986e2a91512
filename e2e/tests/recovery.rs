//! Recovery end to end through the simulator (issue 13, item 5; NETWORK.md
//! §4): the network deactivates the PDP context mid-session and `recover`
//! brings delivery back; the module reboots mid-session and `recover` restores
//! the subscriptions, checked with a message another client publishes; a
//! reboot whose boot line is unknown is found by the second signal (no MQTT
//! client where one was known); a module that stopped searching is brought
//! back by the radio cycle (`AT+CFUN=0`, `AT+CFUN=1`); a SIM pulled mid-session
//! defeats every rung but the reboot (`AT+CFUN=1,1`), after which the module
//! finds it again.

mod common;

use std::time::{Duration, Instant};

use common::{mqtt, open, sim_config, E2eClient, Peer};
use ml302::command::net::SimState;
use ml302::{
    BringUpCause, Event, Incoming, LinkState, NetworkConfig, QoS, RecoverCause, Recovery, Rung,
};
use ml302_sim::Fault;

/// Step times short enough for a test, long enough for the simulator.
fn quick() -> NetworkConfig<'static> {
    NetworkConfig {
        sync_ms: 5_000,
        registration_ms: 10_000,
        pdp_ms: 5_000,
        poll_interval_ms: 200,
        ..NetworkConfig::automatic()
    }
}

/// Brought up, connected, subscribed to `topic`.
fn up(c: &mut E2eClient, id: &str, topic: &str) {
    c.bring_up(&quick()).expect("bring-up");
    c.configure(&mqtt(id)).unwrap();
    c.connect(None).unwrap();
    c.subscribe(topic, QoS::AtLeastOnce).unwrap();
}

/// Events until `want` arrives or `ms` pass; whether it did.
fn wait_for(c: &mut E2eClient, want: impl Fn(&Event) -> bool, ms: u64) -> bool {
    let until = Instant::now() + Duration::from_millis(ms);
    while Instant::now() < until {
        c.poll(50).unwrap();
        while let Some(e) = c.next_event() {
            if want(&e) {
                return true;
            }
        }
    }
    false
}

/// The peer publishes `payload` on `topic`; the client must receive it.
fn delivered(c: &mut E2eClient, peer: &Peer, topic: &str, payload: &[u8]) -> bool {
    peer.publish(topic, rumqttc::QoS::AtLeastOnce, false, payload);
    let until = Instant::now() + Duration::from_secs(5);
    while Instant::now() < until {
        match c.receive(200).unwrap() {
            Some(Incoming::Message(m)) if m.topic.as_str() == topic => {
                return &m.payload[..] == payload;
            }
            _ => {}
        }
    }
    false
}

#[test]
fn network_side_pdp_deactivation_then_recover_brings_delivery_back() {
    let (sim, mut c) = open(sim_config());
    let topic = "rec/pdp";
    up(&mut c, "rec-pdp", topic);
    let peer = Peer::connect(sim.broker_addr().unwrap(), "rec-pdp-peer", true);
    assert!(delivered(&mut c, &peer, topic, b"before"));
    // `+CGEV:` reports on.
    assert_eq!(c.send_raw("AT+CGEREP=1", 2_000).unwrap().count(), 0);

    sim.inject(Fault::PdpDeactivated);
    assert!(
        wait_for(&mut c, |e| matches!(e, Event::Pdp(_)), 3_000),
        "no +CGEV event"
    );
    // The data link is gone: nothing reaches the client.
    assert!(!delivered(&mut c, &peer, topic, b"lost"));

    let net = quick();
    let cfg = mqtt("rec-pdp");
    let rung = c.recover(&Recovery::new(&net, &cfg)).expect("recovery");
    // The context is down: the first rung cannot help, re-activation does.
    assert_eq!(rung, Rung::PdpReactivation);
    assert_eq!(c.link_state(), LinkState::Connected);
    assert!(delivered(&mut c, &peer, topic, b"after"));
    drop(peer);
    drop(c);
    sim.shutdown();
}

#[test]
fn reboot_mid_session_then_recover_restores_subscriptions_and_delivery() {
    let (sim, mut c) = open(sim_config().boot_time(Duration::from_millis(300)));
    let topic = "rec/boot";
    up(&mut c, "rec-boot", topic);
    let peer = Peer::connect(sim.broker_addr().unwrap(), "rec-boot-peer", true);
    assert!(delivered(&mut c, &peer, topic, b"before"));

    sim.inject(Fault::Reboot);
    assert!(
        wait_for(&mut c, |e| *e == Event::Restarted, 3_000),
        "no restart event"
    );
    assert_eq!(c.link_state(), LinkState::NoClient);
    assert!(c.session().settings_lost());
    assert_eq!(c.session().subscriptions().count(), 1);

    let net = quick();
    let cfg = mqtt("rec-boot");
    let rung = c.recover(&Recovery::new(&net, &cfg)).expect("recovery");
    assert_eq!(rung, Rung::MqttReopen);
    assert!(!c.session().settings_lost());
    // Subscribed again by the recovery: the peer's message arrives.
    assert!(delivered(&mut c, &peer, topic, b"after"));
    assert_eq!(c.list_subscriptions().unwrap().count(), 1);
    drop(peer);
    drop(c);
    sim.shutdown();
}

#[test]
fn a_reboot_without_a_known_boot_line_is_found_by_the_missing_client() {
    let cfg = sim_config()
        .boot_time(Duration::from_millis(300))
        .boot_banner(Some("+ML302 BOOTED"));
    let (sim, mut c) = open(cfg);
    let topic = "rec/banner";
    up(&mut c, "rec-banner", topic);
    sim.inject(Fault::Reboot);
    std::thread::sleep(Duration::from_millis(600));
    c.poll(100).unwrap();
    // The banner is an unknown line, not a restart.
    assert_eq!(c.link_state(), LinkState::Connected);
    // The module has no client: the second signal.
    assert!(c.reported_config().unwrap().is_none());
    let events: Vec<Event> = std::iter::from_fn(|| c.next_event()).collect();
    assert_eq!(
        events.iter().filter(|e| **e == Event::Restarted).count(),
        1,
        "{events:?}"
    );
    assert_eq!(c.link_state(), LinkState::NoClient);
    let net = quick();
    let mqtt_cfg = mqtt("rec-banner");
    assert_eq!(
        c.recover(&Recovery::new(&net, &mqtt_cfg)),
        Ok(Rung::MqttReopen)
    );
    let peer = Peer::connect(sim.broker_addr().unwrap(), "rec-banner-peer", true);
    assert!(delivered(&mut c, &peer, topic, b"after"));
    drop(peer);
    drop(c);
    sim.shutdown();
}

#[test]
fn a_sim_pulled_mid_session_is_recovered_by_the_reboot_rung() {
    let (sim, mut c) = open(sim_config().boot_time(Duration::from_millis(300)));
    let topic = "rec/sim";
    up(&mut c, "rec-sim", topic);
    sim.inject(Fault::SimRemoved);
    assert!(
        wait_for(&mut c, |e| *e == Event::Sim(SimState::NotReady), 3_000),
        "no +CPIN: NOT READY"
    );
    let net = quick();
    let cfg = mqtt("rec-sim");
    let mut r = Recovery::new(&net, &cfg);
    r.radio_off_ms = 200;
    r.boot_ms = 3_000;
    // No SIM until the module restarts and finds it again: every rung below
    // the reboot fails.
    let below = c.recover(&r.up_to(Rung::RadioCycle)).unwrap_err();
    assert_eq!(below.rung, Rung::RadioCycle);
    assert!(
        matches!(&below.cause, RecoverCause::BringUp(e) if e.cause == BringUpCause::NoSim),
        "{below:?}"
    );
    assert_eq!(c.recover(&r), Ok(Rung::Reboot));
    assert_eq!(c.link_state(), LinkState::Connected);
    let peer = Peer::connect(sim.broker_addr().unwrap(), "rec-sim-peer", true);
    assert!(delivered(&mut c, &peer, topic, b"after"));
    drop(peer);
    drop(c);
    sim.shutdown();
}

#[test]
fn a_module_that_stopped_searching_is_brought_back_by_the_radio_cycle() {
    let (sim, mut c) = open(sim_config());
    let topic = "rec/radio";
    up(&mut c, "rec-radio", topic);
    let peer = Peer::connect(sim.broker_addr().unwrap(), "rec-radio-peer", true);
    assert!(delivered(&mut c, &peer, topic, b"before"));

    sim.inject(Fault::RegistrationStuck);
    // The data link goes with the registration: nothing reaches the client.
    assert!(!delivered(&mut c, &peer, topic, b"lost"));

    // Registration gets a short step: rung 2 fails on it, rung 3 cures it.
    let net = NetworkConfig {
        registration_ms: 2_000,
        ..quick()
    };
    let cfg = mqtt("rec-radio");
    let rung = c.recover(&Recovery::new(&net, &cfg)).expect("recovery");
    assert_eq!(rung, Rung::RadioCycle);
    assert_eq!(c.link_state(), LinkState::Connected);
    let sent: Vec<String> = sim
        .received_lines()
        .iter()
        .filter_map(|r| match r {
            ml302_sim::Received::Line(l) => Some(String::from_utf8_lossy(l).into_owned()),
            _ => None,
        })
        .collect();
    let off = sent
        .iter()
        .rposition(|l| l == "AT+CFUN=0")
        .expect("AT+CFUN=0 sent");
    assert!(
        sent[off..].iter().any(|l| l == "AT+CFUN=1"),
        "radio switched on again: {sent:?}"
    );
    assert!(!sent.iter().any(|l| l == "AT+CFUN=1,1"), "no reboot");
    // Subscriptions restored, delivery back.
    assert!(delivered(&mut c, &peer, topic, b"after"));
    drop(peer);
    drop(c);
    sim.shutdown();
}
