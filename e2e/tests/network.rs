//! End to end through the simulator's network layer (NETWORK.md §1): the
//! bring-up, then a full MQTT session; manual PDP with an APN; a user-defined
//! command through `send`; and the typed failures that end a bring-up early
//! (no SIM within a few seconds, registration denied).

mod common;

use std::time::{Duration, Instant};

use atat::atat_derive::{AtatCmd, AtatResp};
use common::{open, E2eClient};
use ml302::command::net::RegStatus;
use ml302::{BringUpCause, BringUpStep, Incoming, MqttConfig, NetworkConfig, QoS};
use ml302_sim::{Registration, SimCard, SimConfig};

/// The user's own `AT+CSQ`: not a type of the driver.
#[derive(Clone, Debug, PartialEq, Eq, AtatResp)]
struct UserSignal {
    #[at_arg(position = 0)]
    rssi: u8,
    #[at_arg(position = 1)]
    ber: u8,
}

#[derive(Clone, AtatCmd)]
#[at_cmd("+CSQ", UserSignal, timeout_ms = 2000)]
struct UserCsq;

/// Step times short enough for a test, long enough for the simulator.
fn quick(apn: Option<&str>) -> NetworkConfig<'_> {
    NetworkConfig {
        apn,
        sync_ms: 5_000,
        registration_ms: 10_000,
        poll_interval_ms: 200,
        ..NetworkConfig::automatic()
    }
}

fn session(c: &mut E2eClient, id: &str) {
    c.configure(&MqttConfig::new("183.230.40.39", 1883, id).with_keep_alive(30))
        .unwrap();
    c.connect(None).unwrap();
    let topic = format!("e2e/net/{id}");
    c.subscribe(&topic, QoS::AtLeastOnce).unwrap();
    c.publish(&topic, b"over the air", QoS::AtLeastOnce, false)
        .unwrap();
    match c.receive(5_000).unwrap() {
        Some(Incoming::Message(m)) => {
            assert_eq!(m.topic.as_str(), topic);
            assert_eq!(&m.payload[..], b"over the air");
        }
        other => panic!("expected our message back, got {other:?}"),
    }
    c.disconnect().unwrap();
}

#[test]
fn bring_up_after_a_registration_delay_then_a_full_session() {
    let cfg = SimConfig::default()
        .registration_delay(Duration::from_millis(1_500))
        .signal(20, 0);
    let (sim, mut c) = open(cfg);
    let info = c.bring_up(&quick(None)).expect("bring-up");
    assert_eq!(info.imei.0.len(), 15);
    assert!(info.iccid.0.starts_with("8986"));
    assert!(info.imsi.is_china_mobile());
    assert_eq!(info.registration.status, RegStatus::Home);
    assert_eq!(info.signal.dbm(), Some(-73));
    assert!(info.address.is_assigned());
    let status = c.network_status().unwrap();
    assert!(status.is_up(), "{status:?}");
    assert_eq!(c.send(&UserCsq).unwrap(), UserSignal { rssi: 20, ber: 0 });
    session(&mut c, "net-auto");
    drop(c);
    sim.shutdown();
}

#[test]
fn manual_pdp_with_an_apn_then_a_full_session() {
    let cfg = SimConfig::default()
        .auto_pdp(false)
        .registration(Registration::Roaming);
    let (sim, mut c) = open(cfg);
    let info = c.bring_up(&quick(Some("CMIOT"))).expect("bring-up");
    assert_eq!(info.registration.status, RegStatus::Roaming);
    assert!(info.address.is_assigned());
    let lines: Vec<String> = c
        .send_raw("AT+CGDCONT?", 2_000)
        .unwrap()
        .map(|l| String::from_utf8_lossy(l).into_owned())
        .collect();
    assert_eq!(lines, vec!["+CGDCONT: 1,\"IP\",\"CMIOT\"".to_owned()]);
    session(&mut c, "net-manual");
    drop(c);
    sim.shutdown();
}

#[test]
fn no_sim_gives_its_typed_error_within_a_few_seconds() {
    let (sim, mut c) = open(SimConfig::default().sim(SimCard::Absent));
    let t = Instant::now();
    let e = c.bring_up(&NetworkConfig::automatic()).unwrap_err();
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    assert_eq!(
        (e.step, e.cause.clone()),
        (BringUpStep::Sim, BringUpCause::NoSim)
    );
    assert!(!e.can_retry());
    drop(c);
    sim.shutdown();
}

#[test]
fn registration_denied_is_typed_and_not_retryable() {
    let cfg = SimConfig::default()
        .registration(Registration::Denied)
        .registration_delay(Duration::from_millis(500));
    let (sim, mut c) = open(cfg);
    let t = Instant::now();
    let e = c.bring_up(&quick(None)).unwrap_err();
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    assert_eq!(
        (e.step, e.cause.clone()),
        (BringUpStep::Registration, BringUpCause::RegistrationDenied)
    );
    assert!(!e.can_retry());
    drop(c);
    sim.shutdown();
}
