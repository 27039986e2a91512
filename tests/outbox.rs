//! The outbox through both client faces against the scripted modem: queued
//! while the link is down, sent in order once it is up, a publish whose
//! outcome became unknown sent again after the module reconnected, a message
//! the module refuses reported failed without stopping the others.

mod support;

use ml302::outbox::{MessageId, Outbox, Report};
use ml302::{CmeError, Error, LinkState, MqttConfig, QoS};
use support::{lines, Modem, SimTime};

type Blocking = ml302::blocking::Client<Modem, SimTime, 128, 64, 2, 2>;
type Async = ml302::asynch::Client<Modem, SimTime, SimTime, 128, 64, 2, 2>;
type Box4 = Outbox<4, 32, 64>;

/// What the scenarios need of a face.
trait Face {
    fn start(&mut self) -> Result<(), Error>;
    fn configure(&mut self, cfg: &MqttConfig<'_>) -> Result<(), Error>;
    fn connect(&mut self) -> Result<(), Error>;
    fn poll(&mut self, ms: u32) -> Result<(), Error>;
    fn flush(&mut self, o: &mut Box4) -> Result<usize, Error>;
    fn link_state(&self) -> LinkState;
}

macro_rules! face {
    ($ty:ty, $run:path) => {
        impl Face for $ty {
            fn start(&mut self) -> Result<(), Error> {
                $run(<$ty>::start(self))
            }
            fn configure(&mut self, cfg: &MqttConfig<'_>) -> Result<(), Error> {
                $run(<$ty>::configure(self, cfg))
            }
            fn connect(&mut self) -> Result<(), Error> {
                $run(<$ty>::connect(self, None))
            }
            fn poll(&mut self, ms: u32) -> Result<(), Error> {
                $run(<$ty>::poll(self, ms))
            }
            fn flush(&mut self, o: &mut Box4) -> Result<usize, Error> {
                $run(<$ty>::flush_outbox(self, o))
            }
            fn link_state(&self) -> LinkState {
                <$ty>::link_state(self)
            }
        }
    };
}

fn now<T>(t: T) -> T {
    t
}

face!(Blocking, now);
face!(Async, futures_executor::block_on);

/// Runs `scenario` with each face over a fresh modem built by `script`.
fn both(script: impl Fn(Modem) -> Modem, scenario: impl Fn(&mut dyn Face, &Modem, &SimTime)) {
    for name in ["blocking", "async"] {
        let time = SimTime::default();
        let modem = script(Modem::new(time.clone()));
        if name == "blocking" {
            let mut c = Blocking::new(modem.clone(), time.clone());
            scenario(&mut c, &modem, &time);
        } else {
            let mut c = Async::new(modem.clone(), time.clone(), time.clone());
            scenario(&mut c, &modem, &time);
        }
        modem.assert_done();
    }
}

fn configured(m: Modem) -> Modem {
    m.on("AT", &lines(&["OK"]))
        .on("ATE0", &lines(&["OK"]))
        .on("AT+CMEE=1", &lines(&["OK"]))
        .on("AT+MQTTDISC", &lines(&["ERROR"]))
        .on("AT+MQTTDEL", &lines(&["OK"]))
        .on(
            "AT+MQTTCFG=\"127.0.0.1\",1883,\"dev\",60,\"\",\"\",1,\"\",0",
            &lines(&["OK"]),
        )
        .on("AT+MQTTTO=10", &lines(&["OK"]))
        .on("AT+MQTTREC=1", &lines(&["OK"]))
}

fn open(m: Modem) -> Modem {
    m.on(
        "AT+MQTTOPEN=0,0,0,0,0,\"\",\"\"",
        &lines(&["+MQTTOPEN:OK", "OK"]),
    )
    .on("AT+MQTTPING=0", &lines(&["OK"]))
}

fn push(o: &mut Box4, payload: &[u8], qos: QoS, time: &SimTime) -> MessageId {
    o.push("out/t", payload, qos, false, time.now()).unwrap()
}

fn reports(o: &mut Box4) -> Vec<Report> {
    std::iter::from_fn(|| o.next_report()).collect()
}

#[test]
fn queued_while_down_sent_in_order_once_up_and_republished_after_a_broken_link() {
    both(
        |m| {
            open(configured(m))
                .on(
                    "AT+MQTTPUB=\"out/t\",1,0,0,\"a\"",
                    &lines(&["+MQTTPUBACK:0,2", "OK"]),
                )
                // The link breaks while b is in flight: outcome unknown.
                .on(
                    "AT+MQTTPUB=\"out/t\",1,0,0,\"b\"",
                    &lines(&["+CME ERROR: 617"]),
                )
                // After the module reconnected by itself: b again, then c.
                .on(
                    "AT+MQTTPUB=\"out/t\",1,0,0,\"b\"",
                    &lines(&["+MQTTPUBACK:0,3", "OK"]),
                )
                .on("AT+MQTTPUB=\"out/t\",0,0,0,\"c\"", &lines(&["OK"]))
        },
        |c, m, time| {
            let mut o = Box4::new();
            let a = push(&mut o, b"a", QoS::AtLeastOnce, time);
            // Nothing is written while there is no link.
            assert_eq!(c.flush(&mut o), Ok(0));
            assert!(m.log().is_empty(), "{:?}", m.log());
            c.start().unwrap();
            c.configure(&MqttConfig::new("127.0.0.1", 1883, "dev"))
                .unwrap();
            let b = push(&mut o, b"b", QoS::AtLeastOnce, time);
            assert_eq!(c.flush(&mut o), Ok(0), "configured, not connected");
            c.connect().unwrap();
            let cc = push(&mut o, b"c", QoS::AtMostOnce, time);
            assert_eq!(c.flush(&mut o), Err(Error::Cme(CmeError::ConnectionLost)));
            assert_eq!(
                reports(&mut o),
                [Report::Delivered {
                    id: a,
                    packet_id: Some(2),
                    attempts: 1
                }]
            );
            assert_eq!((o.len(), o.front_id()), (2, Some(b)));
            // The module is reconnecting: the flush waits, writing nothing.
            assert_eq!(c.link_state(), LinkState::Reconnecting);
            let written = m.log().len();
            assert_eq!(c.flush(&mut o), Ok(0));
            assert_eq!(m.log().len(), written);
            // It reconnected on its own (spec §5.6).
            m.push(b"\r\n+MQTTOPEN:OK\r\n");
            c.poll(10).unwrap();
            assert_eq!(c.link_state(), LinkState::Connected);
            assert_eq!(c.flush(&mut o), Ok(2));
            assert_eq!(
                reports(&mut o),
                [
                    Report::Delivered {
                        id: b,
                        packet_id: Some(3),
                        attempts: 2
                    },
                    Report::Delivered {
                        id: cc,
                        packet_id: None,
                        attempts: 1
                    }
                ]
            );
            assert!(o.is_empty());
        },
    );
}

#[test]
fn a_refused_message_is_reported_and_the_next_one_goes_on() {
    both(
        |m| {
            open(configured(m))
                .on(
                    "AT+MQTTPUB=\"out/t\",1,0,0,\"x\"",
                    &lines(&["+CME ERROR: 601"]),
                )
                .on(
                    "AT+MQTTPUB=\"out/t\",1,0,0,\"y\"",
                    &lines(&["+MQTTPUBACK:0,5", "OK"]),
                )
        },
        |c, _, time| {
            c.start().unwrap();
            c.configure(&MqttConfig::new("127.0.0.1", 1883, "dev"))
                .unwrap();
            c.connect().unwrap();
            let mut o = Box4::new();
            let x = push(&mut o, b"x", QoS::AtLeastOnce, time);
            let y = push(&mut o, b"y", QoS::AtLeastOnce, time);
            assert_eq!(c.flush(&mut o), Ok(2));
            assert_eq!(
                reports(&mut o),
                [
                    Report::Failed {
                        id: x,
                        error: Error::Cme(CmeError::InvalidParameter),
                        attempts: 1
                    },
                    Report::Delivered {
                        id: y,
                        packet_id: Some(5),
                        attempts: 1
                    }
                ]
            );
        },
    );
}

#[test]
fn a_message_past_its_age_expires_instead_of_going_out() {
    both(
        |m| {
            open(configured(m)).on(
                "AT+MQTTPUB=\"out/t\",1,0,0,\"new\"",
                &lines(&["+MQTTPUBACK:0,1", "OK"]),
            )
        },
        |c, _, time| {
            let mut o = Box4::new().with_max_age_ms(30_000);
            let old = push(&mut o, b"old", QoS::AtLeastOnce, time);
            time.advance(31_000);
            let new = push(&mut o, b"new", QoS::AtLeastOnce, time);
            c.start().unwrap();
            c.configure(&MqttConfig::new("127.0.0.1", 1883, "dev"))
                .unwrap();
            c.connect().unwrap();
            assert_eq!(c.flush(&mut o), Ok(1));
            assert_eq!(
                reports(&mut o),
                [
                    Report::Expired {
                        id: old,
                        attempts: 0
                    },
                    Report::Delivered {
                        id: new,
                        packet_id: Some(1),
                        attempts: 1
                    }
                ]
            );
        },
    );
}
