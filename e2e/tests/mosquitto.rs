//! End to end against Mosquitto: client -> PTY -> simulator -> mosquitto, with
//! `mosquitto_pub` / `mosquitto_sub` as the independent peer. Skipped (with a
//! plain message) where mosquitto is not installed; a failure in CI.

mod common;

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{mosquitto_available, mqtt, sim_config, start, ChildGuard, Mosquitto};
use ml302::{CmeError, Error, Event, Incoming, QoS, Will};
use ml302_sim::BrokerMode;

const NASTY: &[u8] = b"a\r\nOK\r\n\"q\",\x00\xff+MQTTPUBLISH: 0,0,0,0,\"x\",1,y";

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn sub(m: &Mosquitto, topic: &str, count: u32) -> ChildGuard {
    let child = Command::new("mosquitto_sub")
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &m.port.to_string(),
            "-t",
            topic,
            "-q",
            "2",
        ])
        .args(["-C", &count.to_string(), "-F", "%t %x", "-W", "20"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("mosquitto_sub runs");
    std::thread::sleep(Duration::from_millis(500));
    ChildGuard(child)
}

fn output(mut g: ChildGuard) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = g.0.try_wait() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut s = String::new();
    if let Some(mut out) = g.0.stdout.take() {
        let _ = out.read_to_string(&mut s);
    }
    s
}

fn publish(m: &Mosquitto, topic: &str, payload: &[u8]) {
    let file = std::env::temp_dir().join(format!("ml302-pub-{}-{}", std::process::id(), m.port));
    std::fs::write(&file, payload).unwrap();
    let st = Command::new("mosquitto_pub")
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &m.port.to_string(),
            "-t",
            topic,
            "-q",
            "1",
            "-f",
        ])
        .arg(&file)
        .status()
        .expect("mosquitto_pub runs");
    let _ = std::fs::remove_file(&file);
    assert!(st.success());
}

#[test]
fn publishes_at_every_qos_reach_mosquitto_sub_byte_exact() {
    if !mosquitto_available() {
        return;
    }
    let m = Mosquitto::start(None);
    let (_sim, mut c) = start(sim_config().broker(BrokerMode::Fixed(m.addr())));
    c.configure(&mqtt("mq-pub")).unwrap();
    c.connect(None).unwrap();
    let peer = sub(&m, "e2e/m/#", 3);
    let mut expected = String::new();
    for (i, qos) in [QoS::AtMostOnce, QoS::AtLeastOnce, QoS::ExactlyOnce]
        .into_iter()
        .enumerate()
    {
        let payload = [NASTY, &[i as u8]].concat();
        c.publish(&format!("e2e/m/{i}"), &payload, qos, false)
            .unwrap();
        expected += &format!("e2e/m/{i} {}\n", hex(&payload));
    }
    assert_eq!(output(peer), expected);
    c.disconnect().unwrap();
}

#[test]
fn mosquitto_pub_reaches_the_subscription_byte_exact_and_unsubscribe_stops_it() {
    if !mosquitto_available() {
        return;
    }
    let m = Mosquitto::start(None);
    let (_sim, mut c) = start(sim_config().broker(BrokerMode::Fixed(m.addr())));
    c.configure(&mqtt("mq-sub")).unwrap();
    c.connect(None).unwrap();
    c.subscribe("e2e/m/in", QoS::AtLeastOnce).unwrap();
    let big: Vec<u8> = (0..1024u32).map(|i| (i * 13 % 256) as u8).collect();
    for p in [NASTY.to_vec(), big] {
        publish(&m, "e2e/m/in", &p);
        match c.receive(5_000).unwrap() {
            Some(Incoming::Message(msg)) => assert_eq!(&msg.payload[..], &p[..]),
            other => panic!("{other:?}"),
        }
    }
    c.unsubscribe("e2e/m/in").unwrap();
    publish(&m, "e2e/m/in", b"late");
    assert_eq!(c.receive(1_000).unwrap(), None);
}

#[test]
fn wrong_password_is_auth_rejected_by_mosquitto() {
    if !mosquitto_available() {
        return;
    }
    let m = Mosquitto::start(Some(("alice", "right")));
    let (_sim, mut c) = start(sim_config().broker(BrokerMode::Fixed(m.addr())));
    c.configure(&mqtt("mq-auth").with_credentials("alice", "wrong"))
        .unwrap();
    // Mosquitto refuses a wrong password with CONNACK 5 (not authorised); the
    // module's library maps only 2 and 4 to 614 and everything else to 603
    // (spec §4, S-OC), and so does the simulator. 614 for CONNACK 4 is covered
    // against the in-process broker.
    let e = c.connect(None).unwrap_err();
    assert_eq!(e, Error::Cme(CmeError::ConnectFailed));
    c.delete().unwrap();
    c.configure(&mqtt("mq-auth").with_credentials("alice", "right"))
        .unwrap();
    c.connect(None).unwrap();
}

#[test]
fn will_is_published_by_mosquitto_when_the_link_drops() {
    if !mosquitto_available() {
        return;
    }
    let m = Mosquitto::start(None);
    let (sim, mut c) = start(sim_config().broker(BrokerMode::Fixed(m.addr())));
    c.configure(&mqtt("mq-will")).unwrap();
    c.set_auto_reconnect(false).unwrap();
    let will = Will {
        topic: "e2e/m/will",
        message: "gone",
        qos: QoS::AtLeastOnce,
        retain: false,
    };
    c.connect(Some(&will)).unwrap();
    let peer = sub(&m, "e2e/m/will", 1);
    sim.inject(ml302_sim::Fault::CutLink);
    assert_eq!(output(peer), format!("e2e/m/will {}\n", hex(b"gone")));
}

#[test]
fn client_rides_through_a_mosquitto_restart() {
    if !mosquitto_available() {
        return;
    }
    let mut m = Mosquitto::start(None);
    let (_sim, mut c) = start(sim_config().broker(BrokerMode::Fixed(m.addr())));
    c.configure(&mqtt("mq-restart")).unwrap();
    c.connect(None).unwrap();
    c.subscribe("e2e/m/r", QoS::AtLeastOnce).unwrap();
    m.restart();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut back = false;
    while Instant::now() < deadline && !back {
        c.poll(200).unwrap();
        while let Some(e) = c.next_event() {
            back |= matches!(e, Event::Resubscribed(_));
        }
    }
    assert!(back, "reconnected and re-subscribed");
    publish(&m, "e2e/m/r", b"after restart");
    match c.receive(5_000).unwrap() {
        Some(Incoming::Message(msg)) => assert_eq!(&msg.payload[..], b"after restart"),
        other => panic!("{other:?}"),
    }
}
