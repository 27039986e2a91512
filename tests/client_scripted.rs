//! The client faces against an in-memory scripted modem (vectors of
//! transcripts.md), every scenario through the blocking AND the async face.

mod support;

use ml302::{
    CmeError, Error, Event, Incoming, LinkState, MqttConfig, Published, QoS, Stats, Subscribed,
    Will,
};
use support::{lines, Modem, SimTime};

const PAYLOAD: usize = 16;
type Blocking = ml302::blocking::Client<Modem, SimTime, 512, PAYLOAD, 2, 8>;
type Async = ml302::asynch::Client<Modem, SimTime, SimTime, 512, PAYLOAD, 2, 8>;
type In = Incoming<512, PAYLOAD>;

/// The operations both faces offer, so every scenario runs on both.
trait Face {
    fn start(&mut self) -> Result<(), Error>;
    fn configure(&mut self, cfg: &MqttConfig<'_>) -> Result<(), Error>;
    fn connect(&mut self, will: Option<&Will<'_>>) -> Result<(), Error>;
    fn subscribe(&mut self, t: &str, q: QoS) -> Result<Subscribed, Error>;
    fn unsubscribe(&mut self, t: &str) -> Result<u16, Error>;
    fn publish(&mut self, t: &str, p: &[u8], q: QoS, r: bool) -> Result<Published, Error>;
    fn disconnect(&mut self) -> Result<(), Error>;
    fn delete(&mut self) -> Result<(), Error>;
    fn poll(&mut self, ms: u32) -> Result<(), Error>;
    fn receive(&mut self, ms: u32) -> Result<Option<In>, Error>;
    fn next_event(&mut self) -> Option<Event>;
    fn link_state(&self) -> LinkState;
    fn stats(&self) -> Stats;
    fn modem_state(&mut self) -> Result<ml302::ModemState, Error>;
    /// The listing as owned (topic, QoS) pairs.
    fn list(&mut self) -> Result<Vec<(String, Option<QoS>)>, Error>;
    /// The configuration as owned (host, port, user).
    fn reported(&mut self) -> Result<Option<(String, u16, String)>, Error>;
    fn auto_reconnect(&mut self) -> Result<(bool, u16), Error>;
    fn ack_timeout(&mut self) -> Result<u16, Error>;
    fn ping_echo(&mut self) -> Result<bool, Error>;
    fn set_ping_echo(&mut self, on: bool) -> Result<(), Error>;
    fn set_ack_timeout(&mut self, s: u16) -> Result<(), Error>;
    fn set_auto_reconnect(&mut self, on: bool) -> Result<(), Error>;
}

macro_rules! face {
    ($ty:ty, $($aw:tt)*) => {
        impl Face for $ty {
            fn start(&mut self) -> Result<(), Error> { run!(self.start() $($aw)*) }
            fn configure(&mut self, cfg: &MqttConfig<'_>) -> Result<(), Error> { run!(self.configure(cfg) $($aw)*) }
            fn connect(&mut self, will: Option<&Will<'_>>) -> Result<(), Error> { run!(self.connect(will) $($aw)*) }
            fn subscribe(&mut self, t: &str, q: QoS) -> Result<Subscribed, Error> { run!(self.subscribe(t, q) $($aw)*) }
            fn unsubscribe(&mut self, t: &str) -> Result<u16, Error> { run!(self.unsubscribe(t) $($aw)*) }
            fn publish(&mut self, t: &str, p: &[u8], q: QoS, r: bool) -> Result<Published, Error> { run!(self.publish(t, p, q, r) $($aw)*) }
            fn disconnect(&mut self) -> Result<(), Error> { run!(self.disconnect() $($aw)*) }
            fn delete(&mut self) -> Result<(), Error> { run!(self.delete() $($aw)*) }
            fn poll(&mut self, ms: u32) -> Result<(), Error> { run!(self.poll(ms) $($aw)*) }
            fn receive(&mut self, ms: u32) -> Result<Option<In>, Error> { run!(self.receive(ms) $($aw)*) }
            fn next_event(&mut self) -> Option<Event> { self.next_event() }
            fn link_state(&self) -> LinkState { self.link_state() }
            fn stats(&self) -> Stats { self.stats() }
            fn modem_state(&mut self) -> Result<ml302::ModemState, Error> { run!(self.modem_state() $($aw)*) }
            fn list(&mut self) -> Result<Vec<(String, Option<QoS>)>, Error> { run!(self.list_subscriptions() $($aw)*).map(|s| s.map(|e| (e.topic.to_owned(), e.qos)).collect()) }
            fn reported(&mut self) -> Result<Option<(String, u16, String)>, Error> { run!(self.reported_config() $($aw)*).map(|c| c.map(|c| (c.host.to_owned(), c.port, c.user.to_owned()))) }
            fn auto_reconnect(&mut self) -> Result<(bool, u16), Error> { run!(self.auto_reconnect() $($aw)*) }
            fn ack_timeout(&mut self) -> Result<u16, Error> { run!(self.ack_timeout() $($aw)*) }
            fn ping_echo(&mut self) -> Result<bool, Error> { run!(self.ping_echo() $($aw)*) }
            fn set_ping_echo(&mut self, on: bool) -> Result<(), Error> { run!(self.set_ping_echo(on) $($aw)*) }
            fn set_ack_timeout(&mut self, s: u16) -> Result<(), Error> { run!(self.set_ack_timeout(s) $($aw)*) }
            fn set_auto_reconnect(&mut self, on: bool) -> Result<(), Error> { run!(self.set_auto_reconnect(on) $($aw)*) }
        }
    };
}

macro_rules! run {
    ($e:expr) => {
        $e
    };
    ($e:expr, async) => {
        futures_executor::block_on($e)
    };
}

face!(Blocking,);
face!(Async, , async);

/// Runs `scenario` once with each face over a fresh modem built by `script`.
fn both(script: impl Fn(Modem) -> Modem, scenario: impl Fn(&mut dyn Face, &Modem)) {
    for (name, one_byte) in [
        ("blocking", false),
        ("async", false),
        ("blocking/1-byte", true),
        ("async/1-byte", true),
    ] {
        let time = SimTime::default();
        let mut modem = script(Modem::new(time.clone()));
        if one_byte {
            modem = modem.one_byte_reads();
        }
        if name.starts_with("blocking") {
            let mut c: Blocking = Blocking::new(modem.clone(), time.clone());
            scenario(&mut c, &modem);
        } else {
            let mut c: Async = Async::new(modem.clone(), time.clone(), time.clone());
            scenario(&mut c, &modem);
        }
        modem.assert_done();
    }
}

const CFG_LINE: &str = "AT+MQTTCFG=\"183.230.40.39\",6002,\"532337966\",60,\"246883\",\"VACC79esEWuVK5j73b3cqWzrD7U=\",0,\"\",0";

fn cfg() -> MqttConfig<'static> {
    MqttConfig::new("183.230.40.39", 6002, "532337966")
        .with_credentials("246883", "VACC79esEWuVK5j73b3cqWzrD7U=")
        .with_clean_session(false)
}

/// Start-up, configuration and connection (T-01, T-03, spec §5.8).
fn connected(m: Modem) -> Modem {
    m.on("AT", &lines(&["OK"]))
        .on("ATE0", b"ATE0\r\r\nOK\r\n")
        .on("AT+CMEE=1", &lines(&["OK"]))
        .on("AT+MQTTDISC", &lines(&["ERROR"]))
        .on("AT+MQTTDEL", &lines(&["OK"]))
        .on(CFG_LINE, &lines(&["OK"]))
        .on("AT+MQTTTO=10", &lines(&["OK"]))
        .on("AT+MQTTREC=1", &lines(&["OK"]))
        .on(
            "AT+MQTTOPEN=1,1,0,0,0,\"\",\"\"",
            &lines(&["+MQTTOPEN:OK", "OK"]),
        )
        .on("AT+MQTTPING=0", &lines(&["OK"]))
}

fn bring_up(c: &mut dyn Face) {
    c.start().unwrap();
    assert_eq!(c.link_state(), LinkState::NoClient);
    c.configure(&cfg()).unwrap();
    assert_eq!(c.link_state(), LinkState::Idle);
    c.connect(None).unwrap();
    assert_eq!(c.link_state(), LinkState::Connected);
}

#[test]
fn t17_chapter3_session() {
    both(
        |m| {
            connected(m)
                .on(
                    "AT+MQTTSUB=\"pyr\",1",
                    &lines(&["+MQTTSUBACK:1,1,pyr", "OK"]),
                )
                .on(
                    "AT+MQTTPUB=\"dev/gsm/u\",1,0,0,\"abc\"",
                    &lines(&["+MQTTPUBACK:0,2", "OK"]),
                )
                .on(
                    "AT+MQTTPUB=\"pyr\",1,0,0,\"abc\"",
                    &lines(&["+MQTTPUBACK:0,3", "+MQTTPUBLISH:0,1,0,1,pyr,3,abc", "OK"]),
                )
                .on(
                    "AT+MQTTUNSUB=\"pyr\"",
                    &lines(&["+MQTTUNSUBACK:5,\"pyr\"", "OK"]),
                )
                .on("AT+MQTTDISC", &lines(&["+MQTTDISC: OK", "OK"]))
                .on("AT+MQTTDEL", &lines(&["OK"]))
        },
        |c, _| {
            bring_up(c);
            assert_eq!(
                c.subscribe("pyr", QoS::AtLeastOnce).unwrap(),
                Subscribed {
                    packet_id: Some(1),
                    granted: QoS::AtLeastOnce
                }
            );
            assert_eq!(
                c.publish("dev/gsm/u", b"abc", QoS::AtLeastOnce, false)
                    .unwrap()
                    .packet_id,
                Some(2)
            );
            // T-17d: the message between PUBACK and OK is delivered, the publish completes.
            let p = c.publish("pyr", b"abc", QoS::AtLeastOnce, false).unwrap();
            assert_eq!(
                p,
                Published {
                    packet_id: Some(3),
                    length_mode: false
                }
            );
            match c.receive(0).unwrap() {
                Some(Incoming::Message(m)) => {
                    assert_eq!(m.topic.as_str(), "pyr");
                    assert_eq!(&m.payload[..], b"abc");
                    assert_eq!(
                        (m.qos, m.packet_id, m.retained, m.dup),
                        (QoS::AtLeastOnce, 1, false, false)
                    );
                }
                other => panic!("expected the message, got {other:?}"),
            }
            assert_eq!(c.unsubscribe("pyr").unwrap(), 5);
            c.disconnect().unwrap();
            assert_eq!(c.link_state(), LinkState::Idle);
            assert_eq!(
                c.next_event(),
                None,
                "a requested disconnect is not an event (T-10)"
            );
            c.delete().unwrap();
            assert_eq!(c.link_state(), LinkState::NoClient);
        },
    );
}

#[test]
fn t07_qos2_waits_for_pubrec_and_pubcomp() {
    both(
        |m| {
            connected(m).on(
                "AT+MQTTPUB=\"dev/gsm/u\",2,0,0,\"update message\"",
                &lines(&["+MQTTPUBREC:0,2", "+MQTTPUBCOMP:0,2", "OK"]),
            )
        },
        |c, _| {
            bring_up(c);
            let p = c
                .publish("dev/gsm/u", b"update message", QoS::ExactlyOnce, false)
                .unwrap();
            assert_eq!(p.packet_id, Some(2));
        },
    );
}

#[test]
fn t31_length_mode_sends_exactly_the_payload_after_the_prompt() {
    // 16 bytes: the client's whole PAYLOAD (a publish may not exceed it).
    let payload = b"a,\"b\"\r\nOK\r\nc\\d\x00\xff";
    both(
        |m| {
            connected(m)
                .on("AT+MQTTPUB=\"dev/gsm/u\",1,0,0,16", b"\r\n> ")
                .on_bytes(payload, &lines(&["+MQTTPUBACK:0,7", "OK"]), 0)
        },
        |c, m| {
            bring_up(c);
            let p = c
                .publish("dev/gsm/u", payload, QoS::AtLeastOnce, false)
                .unwrap();
            assert_eq!(
                p,
                Published {
                    packet_id: Some(7),
                    length_mode: true
                }
            );
            assert_eq!(m.log().last().unwrap(), payload);
        },
    );
}

#[test]
fn t32_length_mode_refused_before_prompt_sends_no_payload() {
    both(
        |m| connected(m).on("AT+MQTTPUB=\"x\",1,0,0,5", &lines(&["+CME ERROR: 600"])),
        |c, m| {
            bring_up(c);
            let e = c
                .publish("x", b"\x01\x02\x03\x04\x05", QoS::AtLeastOnce, false)
                .unwrap_err();
            assert_eq!(e, Error::Cme(CmeError::NotConnected));
            assert!(m.unconsumed().is_empty(), "payload must not be sent");
        },
    );
}

#[test]
fn t43_ok_before_open_line() {
    both(
        |m| {
            m.on("AT", &lines(&["OK"]))
                .on("ATE0", &lines(&["OK"]))
                .on("AT+CMEE=1", &lines(&["OK"]))
                .on("AT+MQTTDISC", &lines(&["+CME ERROR: 620"]))
                .on("AT+MQTTDEL", &lines(&["OK"]))
                .on(CFG_LINE, &lines(&["OK"]))
                .on("AT+MQTTTO=10", &lines(&["OK"]))
                .on("AT+MQTTREC=1", &lines(&["OK"]))
                .on(
                    "AT+MQTTOPEN=1,1,0,0,0,\"\",\"\"",
                    &lines(&["OK", "+MQTTOPEN: OK"]),
                )
                .on("AT+MQTTPING=0", &lines(&["OK"]))
        },
        |c, _| bring_up(c),
    );
}

#[test]
fn t44_connack_refused_is_auth_error_not_retryable() {
    both(
        |m| {
            m.on("AT", &lines(&["OK"]))
                .on("ATE0", &lines(&["OK"]))
                .on("AT+CMEE=1", &lines(&["OK"]))
                .on("AT+MQTTDISC", &lines(&["ERROR"]))
                .on("AT+MQTTDEL", &lines(&["ERROR"]))
                // `AT+MQTTDEL` refused: the dialect check asks once
                .on("AT+MQTTCFG?", &lines(&["+MQTTCFG:\"(null)\"", "OK"]))
                .on(CFG_LINE, &lines(&["OK"]))
                .on("AT+MQTTTO=10", &lines(&["OK"]))
                .on("AT+MQTTREC=1", &lines(&["OK"]))
                .on(
                    "AT+MQTTOPEN=1,1,0,0,0,\"\",\"\"",
                    &lines(&["+MQTTOPEN:FAIL", "+CME ERROR: 614"]),
                )
        },
        |c, _| {
            c.start().unwrap();
            c.configure(&cfg()).unwrap();
            let e = c.connect(None).unwrap_err();
            assert_eq!(e, Error::Cme(CmeError::AuthRejected));
            assert!(!e.is_retryable());
            assert_eq!(c.link_state(), LinkState::Idle);
        },
    );
}

#[test]
fn t17a_connect_with_will() {
    both(
        |m| {
            m.on("AT", &lines(&["OK"]))
                .on("ATE0", &lines(&["OK"]))
                .on("AT+CMEE=1", &lines(&["OK"]))
                .on("AT+MQTTDISC", &lines(&["ERROR"]))
                .on("AT+MQTTDEL", &lines(&["OK"]))
                .on(CFG_LINE, &lines(&["OK"]))
                .on("AT+MQTTTO=10", &lines(&["OK"]))
                .on("AT+MQTTREC=1", &lines(&["OK"]))
                .on(
                    "AT+MQTTOPEN=1,1,1,1,1,\"mywill\",\"001bye\"",
                    &lines(&["+MQTTOPEN:OK", "OK"]),
                )
                .on("AT+MQTTPING=0", &lines(&["OK"]))
        },
        |c, _| {
            c.start().unwrap();
            c.configure(&cfg()).unwrap();
            let will = Will {
                topic: "mywill",
                message: "001bye",
                qos: QoS::AtLeastOnce,
                retain: true,
            };
            c.connect(Some(&will)).unwrap();
        },
    );
}

#[test]
fn t45_subscription_refused_in_all_three_forms() {
    for reply in [
        lines(&["+MQTTSUBACK:3,128,no/such", "+CME ERROR: 605"]),
        lines(&["+CME ERROR: 605"]),
        lines(&["+MQTTSUBACK:3,128,no/such", "OK"]),
    ] {
        both(
            |m| connected(m).on("AT+MQTTSUB=\"no/such\",1", &reply),
            |c, _| {
                bring_up(c);
                assert_eq!(
                    c.subscribe("no/such", QoS::AtLeastOnce).unwrap_err(),
                    Error::SubscribeRejected
                );
            },
        );
    }
}

#[test]
fn every_cme_code_is_a_typed_error() {
    for code in (600u16..=621).filter(|c| *c != 609 && *c != 619) {
        let reply = lines(&[&format!("+CME ERROR: {code}")]);
        both(
            |m| connected(m).on("AT+MQTTPUB=\"t\",1,0,0,\"x\"", &reply),
            |c, _| {
                bring_up(c);
                let e = c.publish("t", b"x", QoS::AtLeastOnce, false).unwrap_err();
                assert_eq!(e, Error::Cme(CmeError::from_code(code)), "code {code}");
                assert_eq!(e.is_retryable(), CmeError::from_code(code).is_retryable());
            },
        );
    }
}

#[test]
fn t42_unsolicited_609_does_not_complete_a_publish() {
    both(
        |m| {
            connected(m).on(
                "AT+MQTTPUB=\"t\",1,0,0,\"x\"",
                &lines(&["+CME ERROR: 609", "+MQTTPUBACK:0,9", "OK"]),
            )
        },
        |c, _| {
            bring_up(c);
            assert_eq!(
                c.publish("t", b"x", QoS::AtLeastOnce, false)
                    .unwrap()
                    .packet_id,
                Some(9)
            );
            assert_eq!(
                c.next_event(),
                Some(Event::ModemError(CmeError::BadIncomingPublish))
            );
        },
    );
}

#[test]
fn ack_after_ok_and_urcs_between() {
    both(
        |m| {
            connected(m).on(
                "AT+MQTTSUB=\"s\",1",
                b"\r\nOK\r\n\r\n+MQTTPINGRSP: OK\r\n\r\n+MQTTSUBACK:9,1,s\r\n",
            )
        },
        |c, _| {
            bring_up(c);
            assert_eq!(
                c.subscribe("s", QoS::AtLeastOnce).unwrap().packet_id,
                Some(9)
            );
            assert_eq!(c.next_event(), Some(Event::PingResp));
        },
    );
}

#[test]
fn t37_binary_message_between_ack_and_ok() {
    both(
        |m| {
            connected(m).on(
                "AT+MQTTSUB=\"s\",1",
                b"\r\n+MQTTSUBACK:9,1,s\r\n\r\n+MQTTPUBLISH: 0,1,0,4,\"s\",5,\r\n\x00OK\r\n\r\nOK\r\n",
            )
        },
        |c, _| {
            bring_up(c);
            c.subscribe("s", QoS::AtLeastOnce).unwrap();
            match c.receive(0).unwrap() {
                Some(Incoming::Message(m)) => assert_eq!(&m.payload[..], b"\r\n\x00OK"),
                other => panic!("{other:?}"),
            }
        },
    );
}

#[test]
fn timeout_then_late_answer_is_drained_before_next_command() {
    both(
        |m| {
            connected(m)
                // Answered 22 s later: after the host's 20 s time-out (ACK time-out + 10 s).
                .on_delayed("AT+MQTTPUB=\"t\",1,0,0,\"x\"", &lines(&["+MQTTPUBACK:0,5", "OK"]), 22_000)
                .on("AT+MQTTCFG?", &lines(&[
                    "+MQTTCFG: \"183.230.40.39\",6002,\"532337966\",60,\"246883\",\"***\",0,\"\",0",
                    "OK",
                ]))
                .on("AT+MQTTSUB=\"s\",0", &lines(&["+MQTTSUBACK:6,0,s", "OK"]))
        },
        |c, m| {
            bring_up(c);
            let t0 = m.time.now();
            assert_eq!(
                c.publish("t", b"x", QoS::AtLeastOnce, false).unwrap_err(),
                Error::Timeout
            );
            let waited = m.time.now() - t0;
            assert!((20_000..20_100).contains(&waited), "waited {waited} ms");
            // The late PUBACK and OK must not complete the subscribe.
            assert_eq!(
                c.subscribe("s", QoS::AtMostOnce).unwrap().packet_id,
                Some(6)
            );
            assert!(c.stats().stray_lines >= 2);
        },
    );
}

#[test]
fn no_answer_at_all_times_out_at_the_spec_timeout() {
    both(
        |m| connected(m).on_delayed("AT+MQTTSTAT?", b"", 0),
        |c, m| {
            bring_up(c);
            let t0 = m.time.now();
            assert_eq!(c.modem_state().unwrap_err(), Error::Timeout);
            assert!((5_000..5_100).contains(&(m.time.now() - t0)));
        },
    );
}

#[test]
fn resubscribes_after_module_reconnects() {
    both(
        |m| {
            connected(m)
                .on(
                    "AT+MQTTSUB=\"a/b\",1",
                    &lines(&["+MQTTSUBACK:1,1,a/b", "OK"]),
                )
                .on(
                    "AT+MQTTSUB=\"a/b\",1",
                    &lines(&["+MQTTSUBACK:4,1,a/b", "OK"]),
                )
        },
        |c, m| {
            bring_up(c);
            c.subscribe("a/b", QoS::AtLeastOnce).unwrap();
            m.push(&lines(&[
                "+MQTTTO:5",
                "+MQTTTO:5",
                "+MQTTTO:5",
                "+MQTTREC:0",
            ]));
            c.poll(10).unwrap();
            assert_eq!(c.link_state(), LinkState::Reconnecting);
            m.push(&lines(&["+MQTTOPEN:OK"]));
            c.poll(10).unwrap();
            assert_eq!(c.link_state(), LinkState::Connected);
            let events: Vec<_> = std::iter::from_fn(|| c.next_event()).collect();
            assert!(events.contains(&Event::ReconnectAttempt(0)));
            assert!(events.contains(&Event::Reconnected));
            assert!(events.contains(&Event::Resubscribed(1)), "{events:?}");
        },
    );
}

#[test]
fn t21_link_given_up_is_an_event() {
    both(connected, |c, m| {
        bring_up(c);
        m.push(&lines(&[
            "+MQTTPINGRESP:OK",
            "+MQTTREC:0",
            "+MQTTREC:1",
            "+MQTTREC:2",
            "+MQTTDISC:OK",
        ]));
        c.poll(5).unwrap();
        let events: Vec<_> = std::iter::from_fn(|| c.next_event()).collect();
        assert_eq!(events.first(), Some(&Event::PingResp));
        assert_eq!(events.last(), Some(&Event::Disconnected));
        assert_eq!(c.link_state(), LinkState::Idle);
        assert_eq!(c.stats().reconnect_attempts, 3);
        assert_eq!(
            c.publish("t", b"x", QoS::AtMostOnce, false).unwrap_err(),
            Error::InvalidState
        );
    });
}

#[test]
fn full_inbox_drops_newest_and_says_so() {
    both(connected, |c, m| {
        bring_up(c);
        for i in 0..5 {
            m.push(format!("\r\n+MQTTPUBLISH: 0,0,0,0,\"t\",1,{i}\r\n").as_bytes());
        }
        c.poll(5).unwrap();
        let first: Vec<_> = std::iter::from_fn(|| match c.receive(0).unwrap() {
            Some(Incoming::Message(m)) => Some(m.payload[0]),
            _ => None,
        })
        .collect();
        assert_eq!(first, b"01", "oldest kept");
        assert_eq!(c.next_event(), Some(Event::MessagesDropped(3)));
        assert_eq!(c.stats().messages_dropped, 3);
    });
}

#[test]
fn t40_message_too_large_is_reported_with_topic_and_length() {
    both(connected, |c, m| {
        bring_up(c);
        m.push(b"\r\n+MQTTPUBLISH: 0,0,0,0,\"t\",20,01234567890123456789\r\n\r\n+MQTTPUBLISH: 0,0,0,0,\"t\",2,ok\r\n");
        match c.receive(10).unwrap() {
            Some(Incoming::TooLarge { topic, len }) => assert_eq!((topic.as_str(), len), ("t", 20)),
            other => panic!("{other:?}"),
        }
        assert!(matches!(c.receive(10).unwrap(), Some(Incoming::Message(_))));
    });
}

#[test]
fn queries_decode() {
    both(
        |m| {
            connected(m)
                .on("AT+MQTTSTAT?", &lines(&["+MQTTSTAT: 1", "OK"]))
                .on("AT+MQTTSUB?", b"\r\n+MQTTSUB:\r\n\r\na/b,1\r\n\r\n+/x,0\r\n\r\nOK\r\n")
                .on("AT+MQTTREC?", &lines(&["+MQTTREC: 1,0", "OK"]))
                .on("AT+MQTTTO?", &lines(&["+MQTTTO: 10", "OK"]))
                .on("AT+MQTTPING?", &lines(&["+MQTTPING: 1", "OK"]))
                .on("AT+MQTTCFG?", &lines(&[
                    "+MQTTCFG: \"183.230.40.39\",6002,\"532337966\",60,\"246883\",\"***\",0,\"\",0",
                    "OK",
                ]))
                .on("AT+MQTTPING=1", &lines(&["OK"]))
                .on("AT+MQTTTO=30", &lines(&["OK"]))
                .on("AT+MQTTREC=0", &lines(&["OK"]))
        },
        |c, _| {
            bring_up(c);
            assert_eq!(c.modem_state().unwrap(), ml302::ModemState::Connected);
            let l = c.list().unwrap();
            assert_eq!(l.len(), 2);
            assert_eq!((l[1].0.as_str(), l[1].1), ("+/x", Some(QoS::AtMostOnce)));
            assert_eq!(c.auto_reconnect().unwrap(), (true, 0));
            assert_eq!(c.ack_timeout().unwrap(), 10);
            assert!(c.ping_echo().unwrap());
            let r = c.reported().unwrap().unwrap();
            assert_eq!(
                (r.0.as_str(), r.1, r.2.as_str()),
                ("183.230.40.39", 6002, "246883")
            );
            c.set_ping_echo(true).unwrap();
            c.set_ack_timeout(30).unwrap();
            c.set_auto_reconnect(false).unwrap();
        },
    );
}

/// The `AT+MQTTSUB?` listing is kept in the command buffer: one longer than the
/// buffer is an error the caller sees, never a silently shortened list.
#[test]
fn a_listing_longer_than_the_command_buffer_is_an_overflow() {
    let long_a = format!("a/{}", "x".repeat(508));
    let long_b = format!("b/{}", "y".repeat(508));
    let listing = format!("\r\n+MQTTSUB:\r\n\r\n{long_a},1\r\n\r\n{long_b},0\r\n\r\nOK\r\n");
    both(
        |m| {
            connected(m)
                .on("AT+MQTTSUB?", listing.as_bytes())
                .on("AT+MQTTSUB?", b"\r\n+MQTTSUB:\r\n\r\nc/d,2\r\n\r\nOK\r\n")
        },
        |c, _| {
            bring_up(c);
            assert_eq!(c.list().unwrap_err(), Error::Overflow);
            assert_eq!(
                c.list().unwrap(),
                [("c/d".to_owned(), Some(QoS::ExactlyOnce))]
            );
        },
    );
}

#[test]
fn invalid_values_are_refused_before_any_byte() {
    both(connected, |c, m| {
        bring_up(c);
        let before = m.log().len();
        assert!(matches!(
            c.subscribe("a\r\nAT+MQTTDISC", QoS::AtMostOnce),
            Err(Error::Invalid(_))
        ));
        assert!(matches!(
            c.publish("a\"b", b"x", QoS::AtMostOnce, false),
            Err(Error::Invalid(_))
        ));
        assert_eq!(m.log().len(), before);
        assert!(m.unconsumed().is_empty());
    });
}

#[test]
fn password_never_in_debug() {
    let c = cfg();
    let shown = format!("{c:?}");
    assert!(!shown.contains("VACC79"), "{shown}");
}

#[test]
fn ok_before_the_prompt_is_not_a_completed_publish() {
    let payload = b"\x00\x01\x02";
    both(
        |m| {
            connected(m)
                // A late PUBACK and OK arrive before the prompt: they are not ours.
                .on(
                    "AT+MQTTPUB=\"t\",1,0,0,3",
                    b"\r\n+MQTTPUBACK:0,1\r\n\r\nOK\r\n\r\n> ",
                )
                .on_bytes(payload, &lines(&["+MQTTPUBACK:0,2", "OK"]), 0)
        },
        |c, m| {
            bring_up(c);
            let p = c.publish("t", payload, QoS::AtLeastOnce, false).unwrap();
            assert_eq!(p.packet_id, Some(2), "completed by its own acknowledgement");
            assert_eq!(m.log().last().unwrap(), payload, "the payload was sent");
            assert!(c.stats().stray_lines >= 2);
        },
    );
}
