//! Unsolicited lines that are not MQTT (NETWORK.md §2) through both client faces
//! against a scripted modem: `+CEREG:`, `+CGEV:`, `+CPIN:`, `RDY` and unknown
//! lines become typed events (unknown ones with their text) and are never taken
//! as part of an answer: not inside the `AT+MQTTSUB?` listing, not while waiting
//! for `>`, not between an ACK line and `OK`.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

mod support;

use ml302::command::net::{Domain, Location, RegStatus, Registration, SimState};
use ml302::urc::{Initiator, PdpEvent};
use ml302::{Error, Event, LinkState, MqttConfig, Published, QoS, Subscribed};
use support::{lines, Modem, SimTime};

type Blocking = ml302::blocking::Client<Modem, SimTime, 512, 64, 2, 8>;
type Async = ml302::asynch::Client<Modem, SimTime, SimTime, 512, 64, 2, 8>;

/// The operations these scenarios need, on both faces.
trait Face {
    fn start(&mut self) -> Result<(), Error>;
    fn configure(&mut self, cfg: &MqttConfig<'_>) -> Result<(), Error>;
    fn connect(&mut self) -> Result<(), Error>;
    fn subscribe(&mut self, t: &str, q: QoS) -> Result<Subscribed, Error>;
    fn publish(&mut self, t: &str, p: &[u8], q: QoS) -> Result<Published, Error>;
    /// The listing as owned (topic, QoS) pairs.
    fn list(&mut self) -> Result<Vec<(String, Option<QoS>)>, Error>;
    fn poll(&mut self, ms: u32) -> Result<(), Error>;
    fn next_event(&mut self) -> Option<Event>;
    fn link_state(&self) -> LinkState;
}

macro_rules! run {
    ($e:expr) => {
        $e
    };
    ($e:expr, async) => {
        futures_executor::block_on($e)
    };
}

macro_rules! face {
    ($ty:ty, $($aw:tt)*) => {
        impl Face for $ty {
            fn start(&mut self) -> Result<(), Error> { run!(self.start() $($aw)*) }
            fn configure(&mut self, cfg: &MqttConfig<'_>) -> Result<(), Error> { run!(self.configure(cfg) $($aw)*) }
            fn connect(&mut self) -> Result<(), Error> { run!(self.connect(None) $($aw)*) }
            fn subscribe(&mut self, t: &str, q: QoS) -> Result<Subscribed, Error> { run!(self.subscribe(t, q) $($aw)*) }
            fn publish(&mut self, t: &str, p: &[u8], q: QoS) -> Result<Published, Error> { run!(self.publish(t, p, q, false) $($aw)*) }
            fn list(&mut self) -> Result<Vec<(String, Option<QoS>)>, Error> { run!(self.list_subscriptions() $($aw)*).map(|s| s.map(|e| (e.topic.to_owned(), e.qos)).collect()) }
            fn poll(&mut self, ms: u32) -> Result<(), Error> { run!(self.poll(ms) $($aw)*) }
            fn next_event(&mut self) -> Option<Event> { self.next_event() }
            fn link_state(&self) -> LinkState { self.link_state() }
        }
    };
}

face!(Blocking,);
face!(Async, , async);

/// Runs `scenario` with each face, whole and one-byte reads.
fn both(script: impl Fn(Modem) -> Modem, scenario: impl Fn(&mut dyn Face, &Modem)) {
    for (blocking, one_byte) in [(true, false), (false, false), (true, true), (false, true)] {
        let time = SimTime::default();
        let mut modem = script(Modem::new(time.clone()));
        if one_byte {
            modem = modem.one_byte_reads();
        }
        if blocking {
            let mut c: Blocking = Blocking::new(modem.clone(), time.clone());
            scenario(&mut c, &modem);
        } else {
            let mut c: Async = Async::new(modem.clone(), time.clone(), time.clone());
            scenario(&mut c, &modem);
        }
        modem.assert_done();
    }
}

fn connected(m: Modem) -> Modem {
    m.on("AT", &lines(&["OK"]))
        .on("ATE0", &lines(&["OK"]))
        .on("AT+CMEE=1", &lines(&["OK"]))
        .on("AT+MQTTDISC", &lines(&["ERROR"]))
        .on("AT+MQTTDEL", &lines(&["OK"]))
        .on(
            "AT+MQTTCFG=\"h\",1883,\"id\",60,\"\",\"\",1,\"\",0",
            &lines(&["OK"]),
        )
        .on("AT+MQTTTO=10", &lines(&["OK"]))
        .on("AT+MQTTREC=1", &lines(&["OK"]))
        .on(
            "AT+MQTTOPEN=0,0,0,0,0,\"\",\"\"",
            &lines(&["+MQTTOPEN:OK", "OK"]),
        )
        .on("AT+MQTTPING=0", &lines(&["OK"]))
}

fn bring_up(c: &mut dyn Face) {
    c.start().unwrap();
    c.configure(&MqttConfig::new("h", 1883, "id")).unwrap();
    c.connect().unwrap();
    assert_eq!(c.link_state(), LinkState::Connected);
    while c.next_event().is_some() {}
}

fn events(c: &mut dyn Face) -> Vec<Event> {
    std::iter::from_fn(|| c.next_event()).collect()
}

/// The text of an [`Event::UnknownLine`].
fn unknown_text(e: &Event) -> Option<Vec<u8>> {
    match e {
        Event::UnknownLine(t) => Some(t.as_bytes().to_vec()),
        _ => None,
    }
}

fn eps(code: u8, location: Option<Location>) -> Event {
    Event::Registration(Registration {
        domain: Domain::Eps,
        status: RegStatus::from_code(code),
        location,
    })
}

const PDN_DEACT: Event = Event::Pdp(PdpEvent::Deactivated {
    cid: 1,
    by: Initiator::Network,
});

#[test]
fn network_lines_inside_the_subscription_listing() {
    both(
        |m| {
            connected(m).on(
                "AT+MQTTSUB?",
                &lines(&[
                    "+MQTTSUB:",
                    "dev/gsm/u,1",
                    "+CEREG: 1",
                    "+CGEV: NW PDN DEACT 1",
                    "sensors/+/temp,0",
                    "+CPIN: NOT READY",
                    "+CSQ: 20,99",
                    "+CGREG: 2",
                    "+/x",
                    "OK",
                ]),
            )
        },
        |c, _| {
            bring_up(c);
            let list = c.list().unwrap();
            let topics: Vec<_> = list.iter().map(|e| e.0.as_str()).collect();
            assert_eq!(topics, ["dev/gsm/u", "sensors/+/temp", "+/x"]);
            let ev = events(c);
            assert_eq!(ev[0], eps(1, None));
            assert_eq!(ev[1], PDN_DEACT);
            assert_eq!(ev[2], Event::Sim(SimState::NotReady));
            assert_eq!(unknown_text(&ev[3]).unwrap(), b"+CSQ: 20,99");
            assert_eq!(
                ev[4],
                Event::Registration(Registration {
                    domain: Domain::Gprs,
                    status: RegStatus::Searching,
                    location: None
                })
            );
            assert_eq!(ev.len(), 5, "{ev:?}");
        },
    );
}

#[test]
fn network_lines_while_waiting_for_the_prompt() {
    let payload = b"\x00bin\r\nOK\r\n";
    both(
        |m| {
            connected(m)
                .on(
                    "AT+MQTTPUB=\"t\",1,0,0,10",
                    b"\r\n+CEREG: 5\r\n\r\n+CGEV: NW PDN DEACT 1\r\n\r\nRDY?\r\n\r\n> ",
                )
                .on_bytes(payload, &lines(&["+MQTTPUBACK:0,2", "OK"]), 0)
        },
        |c, m| {
            bring_up(c);
            let p = c.publish("t", payload, QoS::AtLeastOnce).unwrap();
            assert_eq!((p.packet_id, p.length_mode), (Some(2), true));
            assert_eq!(
                m.log().last().unwrap(),
                payload,
                "the payload went after `>`"
            );
            let ev = events(c);
            assert_eq!(ev[..2], [eps(5, None), PDN_DEACT]);
            assert_eq!(unknown_text(&ev[2]).unwrap(), b"RDY?");
            assert_eq!(ev.len(), 3, "{ev:?}");
            assert_eq!(c.link_state(), LinkState::Connected);
        },
    );
}

#[test]
fn network_lines_between_an_ack_and_ok() {
    both(
        |m| {
            connected(m).on(
                "AT+MQTTPUB=\"t\",1,0,0,\"x\"",
                &lines(&[
                    "+MQTTPUBACK:0,9",
                    "+CPIN: NOT READY",
                    "+CEREG: 1,\"00C3\",\"0A1B2C3D\",7",
                    "+CGEV: ME PDN ACT 1",
                    "SMS Ready",
                    "OK",
                ]),
            )
        },
        |c, _| {
            bring_up(c);
            let p = c.publish("t", b"x", QoS::AtLeastOnce).unwrap();
            assert_eq!(p.packet_id, Some(9));
            let ev = events(c);
            assert_eq!(ev[0], Event::Sim(SimState::NotReady));
            assert_eq!(
                ev[1],
                eps(
                    1,
                    Some(Location {
                        area: 0xc3,
                        cell: 0x0a1b_2c3d,
                        act: Some(7)
                    })
                )
            );
            assert_eq!(
                ev[2],
                Event::Pdp(PdpEvent::Activated {
                    cid: 1,
                    by: Initiator::Module
                })
            );
            assert_eq!(unknown_text(&ev[3]).unwrap(), b"SMS Ready");
            assert_eq!(ev.len(), 4, "{ev:?}");
        },
    );
}

#[test]
fn network_lines_between_ok_and_a_late_suback() {
    both(
        |m| {
            connected(m).on(
                "AT+MQTTSUB=\"s\",1",
                &lines(&["OK", "+CEREG: 2", "+CPIN: READY", "+MQTTSUBACK:4,1,s"]),
            )
        },
        |c, _| {
            bring_up(c);
            assert_eq!(
                c.subscribe("s", QoS::AtLeastOnce).unwrap().packet_id,
                Some(4)
            );
            assert_eq!(events(c), [eps(2, None), Event::Sim(SimState::Ready)]);
        },
    );
}

#[test]
fn a_boot_line_means_the_module_restarted() {
    both(connected, |c, m| {
        bring_up(c);
        m.push(&lines(&["RDY", "+CPIN: READY", "+CEREG: 2"]));
        c.poll(5).unwrap();
        assert_eq!(
            events(c),
            [Event::Restarted, Event::Sim(SimState::Ready), eps(2, None)]
        );
        assert_eq!(c.link_state(), LinkState::NoClient);
        // Nothing MQTT can be done until the client is configured again.
        assert_eq!(
            c.publish("t", b"x", QoS::AtMostOnce).unwrap_err(),
            Error::InvalidState
        );
    });
}

#[test]
fn unknown_lines_reach_the_caller_with_their_text() {
    both(connected, |c, m| {
        bring_up(c);
        let long = format!("+XYZ: {}", "9".repeat(60));
        m.push(&lines(&["+CSQ: 20,99", "+MQTTNEW: 1", &long, "AT+ECHO"]));
        c.poll(5).unwrap();
        let ev = events(c);
        assert_eq!(unknown_text(&ev[0]).unwrap(), b"+CSQ: 20,99");
        assert_eq!(unknown_text(&ev[1]).unwrap(), b"+MQTTNEW: 1");
        let Event::UnknownLine(t) = ev[2] else {
            panic!("{ev:?}")
        };
        assert_eq!(t.as_bytes(), &long.as_bytes()[..ml302::session::LINE_TEXT]);
        assert!(t.is_truncated());
        assert_eq!(t.len(), long.len());
        assert_eq!(std::mem::size_of::<Event>(), 16, "an event stays small");
        // An echo is not an event.
        assert_eq!(ev.len(), 3, "{ev:?}");
    });
}
