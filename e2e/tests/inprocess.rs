//! End to end through the real stack: client -> serial adapter -> PTY ->
//! simulator -> in-process broker -> independent MQTT client, and back.

mod common;

use std::time::Duration;

use common::{mqtt, sim_config, start, Peer};
use ml302::{CmeError, Error, Event, Incoming, QoS, Will};

const NASTY: &[u8] =
    b"line1\r\nline2 \"quoted\", commas,\x00\x01\xfe\xff OK\r\n+MQTTPUBLISH: 0,0,0,0,\"x\",3,abc";

#[test]
fn publish_qos_0_1_2_with_retain_reaches_an_independent_subscriber() {
    let (sim, mut c) = start(sim_config());
    let broker = sim.broker_addr().expect("in-process broker");
    let peer = Peer::connect(broker, "peer-a", true);
    peer.subscribe("e2e/pub/#", rumqttc::QoS::ExactlyOnce);
    c.configure(&mqtt("dev-pub")).unwrap();
    c.connect(None).unwrap();
    for (i, qos) in [QoS::AtMostOnce, QoS::AtLeastOnce, QoS::ExactlyOnce]
        .into_iter()
        .enumerate()
    {
        let topic = format!("e2e/pub/{i}");
        let payload = [NASTY, format!(" #{i}").as_bytes()].concat();
        let p = c.publish(&topic, &payload, qos, i == 2).unwrap();
        assert_eq!(p.packet_id.is_some(), qos != QoS::AtMostOnce);
        let (t, got, _) = peer.next(5_000).expect("peer receives");
        assert_eq!(t, topic);
        assert_eq!(got, payload, "byte-exact at QoS {qos:?}");
    }
    // The retained one is delivered to a later subscriber, flagged retained.
    let late = Peer::connect(broker, "peer-late", true);
    late.subscribe("e2e/pub/2", rumqttc::QoS::AtLeastOnce);
    let (_, got, retained) = late.next(5_000).expect("retained message");
    assert!(retained);
    assert!(got.starts_with(NASTY));
    c.disconnect().unwrap();
}

#[test]
fn subscription_receives_what_an_independent_client_publishes_byte_exact() {
    let (sim, mut c) = start(sim_config());
    let peer = Peer::connect(sim.broker_addr().unwrap(), "peer-b", true);
    c.configure(&mqtt("dev-sub")).unwrap();
    c.connect(None).unwrap();
    c.subscribe("e2e/in/#", QoS::AtLeastOnce).unwrap();
    let mut payloads: Vec<Vec<u8>> = vec![
        b"plain".to_vec(),
        NASTY.to_vec(),
        (0..=255u8).collect(),
        (0..1024u32).map(|i| (i * 7 % 256) as u8).collect(),
        Vec::new(),
    ];
    payloads[3][10..16].copy_from_slice(b"\r\nOK\r\n");
    for (i, p) in payloads.iter().enumerate() {
        peer.publish(&format!("e2e/in/{i}"), rumqttc::QoS::AtLeastOnce, false, p);
        match c.receive(5_000).unwrap() {
            Some(Incoming::Message(m)) => {
                assert_eq!(m.topic.as_str(), format!("e2e/in/{i}"));
                assert_eq!(&m.payload[..], &p[..], "payload {i} byte-exact");
            }
            other => panic!("payload {i}: {other:?}"),
        }
    }
    // Unsubscribing stops delivery.
    c.unsubscribe("e2e/in/#").unwrap();
    peer.publish("e2e/in/late", rumqttc::QoS::AtLeastOnce, false, b"nobody");
    assert_eq!(c.receive(1_500).unwrap(), None);
    c.disconnect().unwrap();
}

#[test]
fn will_is_delivered_when_the_link_drops() {
    let (sim, mut c) = start(sim_config());
    let peer = Peer::connect(sim.broker_addr().unwrap(), "peer-w", true);
    peer.subscribe("e2e/will", rumqttc::QoS::AtLeastOnce);
    c.configure(&mqtt("dev-will").with_keep_alive(5)).unwrap();
    c.set_auto_reconnect(false).unwrap();
    let will = Will {
        topic: "e2e/will",
        message: "gone",
        qos: QoS::AtLeastOnce,
        retain: false,
    };
    c.connect(Some(&will)).unwrap();
    sim.inject(ml302_sim::Fault::CutLink);
    let (t, p, _) = peer.next(10_000).expect("will delivered");
    assert_eq!((t.as_str(), &p[..]), ("e2e/will", &b"gone"[..]));
    c.poll(500).unwrap();
    let events: Vec<_> = std::iter::from_fn(|| c.next_event()).collect();
    assert!(events.contains(&Event::Disconnected), "{events:?}");
}

#[test]
fn client_rides_through_a_broker_restart_and_resubscribes() {
    let (sim, mut c) = start(sim_config());
    let broker = sim.broker_addr().unwrap();
    c.configure(&mqtt("dev-restart")).unwrap();
    c.connect(None).unwrap();
    c.subscribe("e2e/restart", QoS::AtLeastOnce).unwrap();
    sim.inject(ml302_sim::Fault::RestartBroker);
    // Wait for the module to reconnect and the client to re-subscribe.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let mut resubscribed = false;
    while std::time::Instant::now() < deadline && !resubscribed {
        c.poll(200).unwrap();
        while let Some(e) = c.next_event() {
            resubscribed |= matches!(e, Event::Resubscribed(1));
        }
    }
    assert!(resubscribed, "re-subscribed after the restart");
    let peer = Peer::connect(broker, "peer-r", true);
    peer.publish("e2e/restart", rumqttc::QoS::AtLeastOnce, false, b"after");
    match c.receive(5_000).unwrap() {
        Some(Incoming::Message(m)) => assert_eq!(&m.payload[..], b"after"),
        other => panic!("{other:?}"),
    }
    c.publish("e2e/restart/out", b"x", QoS::AtLeastOnce, false)
        .unwrap();
}

#[test]
fn wrong_password_yields_the_spec_error() {
    let (_sim, mut c) = start(sim_config().users(&[("alice", "right")]));
    c.configure(&mqtt("dev-auth").with_credentials("alice", "wrong"))
        .unwrap();
    let e = c.connect(None).unwrap_err();
    assert_eq!(e, Error::Cme(CmeError::AuthRejected));
    assert!(!e.is_retryable());
    // With the right password (after deleting the stale client) it connects.
    c.delete().unwrap();
    c.configure(&mqtt("dev-auth").with_credentials("alice", "right"))
        .unwrap();
    c.connect(None).unwrap();
    c.disconnect().unwrap();
}
