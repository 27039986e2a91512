//! No value a caller passes can smuggle a second command or break the `>`
//! exchange: checked end to end through the simulator's log of received lines.
//! Each call produced exactly the commands it should, well formed, or was refused
//! before a byte was written.

mod common;

use common::{mqtt, sim_config, start};
use ml302::{Error, QoS, Will};
use ml302_sim::{Received, Simulator};

/// Hostile values for string fields (the API takes `&str`, so non-UTF-8 is
/// tried on payloads, which take bytes).
fn hostile(max: usize) -> Vec<String> {
    vec![
        "a\"b".into(),
        "a\\b".into(),
        "a\rb".into(),
        "a\nb".into(),
        "a\r\nAT+MQTTDISC".into(),
        "a\0b".into(),
        "a\u{1a}b".into(),
        ">ab".into(),
        "é".into(),
        "x".repeat(max),
        "x".repeat(max + 1),
    ]
}

fn lines(sim: &Simulator) -> Vec<Vec<u8>> {
    sim.received_lines()
        .into_iter()
        .filter_map(|r| match r {
            Received::Line(l) => Some(l),
            Received::Payload(_) => None,
        })
        .collect()
}

/// Runs `call`; on success exactly `expected` well-formed new lines arrived (the
/// first starting with `prefix`), on a refusal none did.
fn check(
    sim: &Simulator,
    what: &str,
    expected: usize,
    prefix: &str,
    call: impl FnOnce() -> Result<(), Error>,
) {
    let before = lines(sim).len();
    let result = call();
    std::thread::sleep(std::time::Duration::from_millis(50));
    let new: Vec<Vec<u8>> = lines(sim).split_off(before);
    match result {
        Err(Error::Invalid(_)) => assert!(new.is_empty(), "{what}: refused but sent {new:?}"),
        ref r => {
            let result = r;
            assert_eq!(
                new.len(),
                expected,
                "{what}: {result:?}, lines {:?}",
                new.iter()
                    .map(|l| String::from_utf8_lossy(l).into_owned())
                    .collect::<Vec<_>>()
            );
            assert!(
                new[0].starts_with(prefix.as_bytes()),
                "{what}: {:?}",
                String::from_utf8_lossy(&new[0])
            );
            for l in &new {
                assert!(l.starts_with(b"AT"), "{what}");
                assert!(
                    !l.iter().any(|b| *b == b'\r' || *b == b'\n' || *b == 0),
                    "{what}"
                );
            }
        }
    }
}

#[test]
fn configuration_strings() {
    let (sim, mut c) = start(sim_config());
    for v in hostile(128) {
        for field in ["host", "client id", "user", "password", "version"] {
            let mut cfg = mqtt("id");
            match field {
                "host" => cfg.host = &v,
                "client id" => cfg.client_id = &v,
                "user" => cfg.user = &v,
                "password" => {
                    cfg.user = "u";
                    cfg.password = &v
                }
                _ => cfg.version = &v,
            }
            // Each configure is preceded by deleting the previous client.
            let _ = c.delete();
            check(&sim, &format!("{field} = {v:?}"), 3, "AT+MQTTCFG=", || {
                c.configure(&cfg)
            });
        }
    }
}

#[test]
fn will_topic_and_message() {
    let (sim, mut c) = start(sim_config());
    for v in hostile(512) {
        for field in ["will topic", "will message"] {
            let _ = c.disconnect();
            let _ = c.delete();
            c.configure(&mqtt("will-inj")).unwrap();
            let will = if field == "will topic" {
                Will {
                    topic: &v,
                    message: "m",
                    qos: QoS::AtMostOnce,
                    retain: false,
                }
            } else {
                Will {
                    topic: "w",
                    message: &v,
                    qos: QoS::AtMostOnce,
                    retain: false,
                }
            };
            check(&sim, &format!("{field} = {v:?}"), 2, "AT+MQTTOPEN=", || {
                c.connect(Some(&will))
            });
        }
    }
}

#[test]
fn topics_and_payloads() {
    let (sim, mut c) = start(sim_config());
    c.configure(&mqtt("topic-inj")).unwrap();
    c.connect(None).unwrap();
    for v in hostile(512) {
        check(&sim, &format!("subscribe {v:?}"), 1, "AT+MQTTSUB=", || {
            c.subscribe(&v, QoS::AtMostOnce).map(|_| ())
        });
        check(
            &sim,
            &format!("unsubscribe {v:?}"),
            1,
            "AT+MQTTUNSUB=",
            || c.unsubscribe(&v).map(|_| ()),
        );
        check(
            &sim,
            &format!("publish topic {v:?}"),
            1,
            "AT+MQTTPUB=",
            || c.publish(&v, b"x", QoS::AtMostOnce, false).map(|_| ()),
        );
    }
    // Payloads are never refused for their content: inline when plain, length
    // mode otherwise, and in length mode exactly the announced bytes arrive.
    let mut payloads: Vec<Vec<u8>> = hostile(1024).into_iter().map(String::into_bytes).collect();
    payloads.push(vec![0xff, 0xfe, b'\r', b'\n', b'"']);
    payloads.push(b"\x1a".to_vec());
    for p in payloads {
        let before = sim.received_lines().len();
        let r = c.publish("inj/payload", &p, QoS::AtLeastOnce, false);
        let new = sim.received_lines().split_off(before);
        match r {
            // Over the length-mode cap (1024 by default): refused before writing.
            Err(Error::Invalid(_)) if p.len() > 1024 => {
                assert!(new.is_empty(), "refused but sent {new:?}");
                continue;
            }
            Err(e) => panic!("payload {p:?}: {e}"),
            Ok(_) => {}
        }
        match &new[..] {
            [Received::Line(l)] => {
                assert!(
                    l.starts_with(b"AT+MQTTPUB=\"inj/payload\",1,0,0,\""),
                    "{:?}",
                    String::from_utf8_lossy(l)
                );
            }
            [Received::Line(l), Received::Payload(bytes)] => {
                assert_eq!(
                    l,
                    format!("AT+MQTTPUB=\"inj/payload\",1,0,0,{}", p.len()).as_bytes()
                );
                assert_eq!(bytes, &p, "exactly the announced bytes");
            }
            other => panic!("payload {p:?}: {other:?}"),
        }
    }
}
