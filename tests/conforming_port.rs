//! The blocking client over a port that reads exactly as embedded-io specifies:
//! `read` blocks until a byte has arrived, and `Ok(0)` is the end of the stream.
//!
//! The port sits on the scripted modem's simulated clock: a blocking `read`
//! lets simulated time pass until the next byte is due, and counts the
//! milliseconds it spent so. A `read` with nothing ever to come would block
//! forever; the port fails the test instead of hanging it.

mod support;

use std::cell::Cell;
use std::convert::Infallible;
use std::rc::Rc;

use ml302::command::{
    At, Command, Delete, Disconnect, Publish, QueryConfig, QueryState, QuerySubscriptions,
    Subscribe, Unsubscribe,
};
use ml302::session::plan::AT_ATTEMPTS;
use ml302::text::TopicFilter;
use ml302::{Error, Incoming, LinkState, MqttConfig, QoS};
use support::{lines, Modem, SimTime};

/// The embedded-io port over the scripted modem (see the module docs).
#[derive(Clone)]
struct Conforming {
    modem: Modem,
    /// Simulated milliseconds spent blocked inside `read`.
    blocked_ms: Rc<Cell<u64>>,
    /// Set: the stream has ended (`read` returns 0, `read_ready` says yes).
    closed: Rc<Cell<bool>>,
}

impl Conforming {
    fn new(modem: Modem) -> Self {
        Self {
            modem,
            blocked_ms: Rc::default(),
            closed: Rc::default(),
        }
    }
}

impl embedded_io::ErrorType for Conforming {
    type Error = Infallible;
}

impl embedded_io::Read for Conforming {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        if buf.is_empty() || self.closed.get() {
            return Ok(0);
        }
        loop {
            let n = self.modem.take_due(buf);
            if n > 0 {
                return Ok(n);
            }
            assert!(
                self.modem.pending(),
                "read blocked forever: nothing will ever arrive"
            );
            self.modem.time.advance(1);
            self.blocked_ms.set(self.blocked_ms.get() + 1);
        }
    }
}

impl embedded_io::ReadReady for Conforming {
    fn read_ready(&mut self) -> Result<bool, Infallible> {
        Ok(self.closed.get() || self.modem.ready())
    }
}

impl embedded_io::Write for Conforming {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        embedded_io::Write::write(&mut self.modem, buf)
    }
    fn flush(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}

type Client = ml302::blocking::Client<Conforming, SimTime, 512, 64, 2, 8>;

const CFG_LINE: &str = "AT+MQTTCFG=\"broker.example\",1883,\"dev-1\",60,\"\",\"\",1,\"\",0";

fn cfg() -> MqttConfig<'static> {
    MqttConfig::new("broker.example", 1883, "dev-1")
}

/// Start-up, configuration and connection, answered at once.
fn bring_up_script(m: Modem) -> Modem {
    m.on("AT", &lines(&["OK"]))
        .on("ATE0", b"ATE0\r\r\nOK\r\n")
        .on("AT+CMEE=1", &lines(&["OK"]))
        .on("AT+MQTTDISC", &lines(&["ERROR"]))
        .on("AT+MQTTDEL", &lines(&["OK"]))
        .on(CFG_LINE, &lines(&["OK"]))
        .on("AT+MQTTTO=10", &lines(&["OK"]))
        .on("AT+MQTTREC=1", &lines(&["OK"]))
        .on(
            "AT+MQTTOPEN=0,0,0,0,0,\"\",\"\"",
            &lines(&["+MQTTOPEN:OK", "OK"]),
        )
        .on("AT+MQTTPING=0", &lines(&["OK"]))
}

fn client(modem: &Modem) -> (Client, Conforming) {
    let port = Conforming::new(modem.clone());
    (Client::new(port.clone(), modem.time.clone()), port)
}

fn bring_up(c: &mut Client, modem: &Modem) {
    let unexpected = |e| {
        format!(
            "{e:?}; unconsumed {:?}",
            String::from_utf8_lossy(&modem.unconsumed())
        )
    };
    c.start().map_err(unexpected).unwrap();
    c.configure(&cfg()).map_err(unexpected).unwrap();
    c.connect(None).map_err(unexpected).unwrap();
    assert_eq!(c.link_state(), LinkState::Connected);
}

#[test]
fn a_whole_session_over_a_port_whose_read_blocks() {
    for one_byte in [false, true] {
        let time = SimTime::default();
        let mut modem = bring_up_script(Modem::new(time))
            // Answers that take their time: the client must wait for them
            // without sitting in `read`.
            .on_delayed(
                "AT+MQTTSUB=\"cmd/#\",1",
                &lines(&["+MQTTSUBACK:1,1,cmd/#", "OK"]),
                150,
            )
            .on_delayed(
                "AT+MQTTPUB=\"dev/1/up\",1,0,0,\"hello\"",
                &lines(&["+MQTTPUBACK:0,2", "OK"]),
                40,
            )
            .on(
                "AT+MQTTUNSUB=\"cmd/#\"",
                &lines(&["+MQTTUNSUBACK:3,\"cmd/#\"", "OK"]),
            )
            .on("AT+MQTTDISC", &lines(&["+MQTTDISC: OK", "OK"]))
            .on("AT+MQTTDEL", &lines(&["OK"]));
        if one_byte {
            modem = modem.one_byte_reads();
        }
        let (mut c, port) = client(&modem);
        bring_up(&mut c, &modem);
        assert_eq!(
            c.subscribe("cmd/#", QoS::AtLeastOnce).unwrap().packet_id,
            Some(1)
        );
        assert_eq!(
            c.publish("dev/1/up", b"hello", QoS::AtLeastOnce, false)
                .unwrap()
                .packet_id,
            Some(2)
        );
        // Nothing for 300 ms: `receive` ends with nothing, on time.
        let t0 = modem.time.now();
        assert!(c.receive(300).unwrap().is_none());
        assert_eq!(modem.time.now() - t0, 300);
        // A message that arrives while the client waits.
        modem.push(&lines(&["+MQTTPUBLISH:0,1,0,0,cmd/led,2,on"]));
        match c.receive(1_000).unwrap() {
            Some(Incoming::Message(m)) => {
                assert_eq!((m.topic.as_str(), &m.payload[..]), ("cmd/led", &b"on"[..]));
            }
            other => panic!("expected the message, got {other:?}"),
        }
        assert_eq!(c.unsubscribe("cmd/#").unwrap(), 3);
        c.disconnect().unwrap();
        c.delete().unwrap();
        modem.assert_done();
        assert_eq!(
            port.blocked_ms.get(),
            0,
            "the client called read with nothing there (one_byte = {one_byte})"
        );
    }
}

/// The host time-out of `cmd` with the default ACK time-out (10 s).
fn own_timeout(cmd: &impl Command) -> u64 {
    u64::from(cmd.timeout_ms(10))
}

#[test]
fn with_a_silent_modem_every_operation_ends_with_its_own_timeout() {
    type Op = fn(&mut Client) -> Result<(), Error>;
    let filter = TopicFilter::new("cmd/#").unwrap();
    let cases: [(&str, Op, u64); 7] = [
        (
            "subscribe",
            |c| c.subscribe("cmd/#", QoS::AtLeastOnce).map(drop),
            own_timeout(&Subscribe::new(filter, QoS::AtLeastOnce)),
        ),
        (
            "unsubscribe",
            |c| c.unsubscribe("cmd/#").map(drop),
            own_timeout(&Unsubscribe::new(filter)),
        ),
        (
            "publish",
            |c| {
                c.publish("dev/1/up", b"hi", QoS::ExactlyOnce, false)
                    .map(drop)
            },
            own_timeout(&Publish::new("dev/1/up", b"hi", QoS::ExactlyOnce, false).unwrap()),
        ),
        (
            "modem_state",
            |c| c.modem_state().map(drop),
            own_timeout(&QueryState),
        ),
        (
            "list_subscriptions",
            |c| c.list_subscriptions().map(drop),
            own_timeout(&QuerySubscriptions),
        ),
        ("disconnect", |c| c.disconnect(), own_timeout(&Disconnect)),
        ("delete", |c| c.delete(), own_timeout(&Delete)),
    ];
    for (name, op, timeout) in cases {
        // Answers the bring-up, then nothing ever again.
        let modem = bring_up_script(Modem::new(SimTime::default()));
        let (mut c, port) = client(&modem);
        bring_up(&mut c, &modem);
        let t0 = modem.time.now();
        assert_eq!(op(&mut c), Err(Error::Timeout), "{name}");
        let waited = modem.time.now() - t0;
        assert!(
            (timeout..timeout + 5).contains(&waited),
            "{name}: waited {waited} ms, its time-out is {timeout} ms"
        );
        assert_eq!(port.blocked_ms.get(), 0, "{name}");
    }

    // The start-up with no modem at all: `AT`, then each further attempt ends
    // with the time-out of the resynchronising `AT+MQTTCFG?` before it.
    let modem = Modem::new(SimTime::default());
    let (mut c, port) = client(&modem);
    assert_eq!(c.start(), Err(Error::Timeout));
    let timeout = own_timeout(&At) + u64::from(AT_ATTEMPTS - 1) * own_timeout(&QueryConfig);
    let waited = modem.time.now();
    assert!(
        (timeout..timeout + 10).contains(&waited),
        "start: waited {waited} ms, its time-out is {timeout} ms"
    );
    assert_eq!(port.blocked_ms.get(), 0);
}

#[test]
fn end_of_stream_is_a_closed_port_not_a_retry() {
    let modem = bring_up_script(Modem::new(SimTime::default()));
    let (mut c, port) = client(&modem);
    bring_up(&mut c, &modem);
    port.closed.set(true);
    let t0 = modem.time.now();
    let e = c.subscribe("cmd/#", QoS::AtMostOnce).unwrap_err();
    assert_eq!(e, Error::PortClosed);
    assert!(!e.is_retryable());
    // Reported at once, not after the subscribe's time-out.
    assert_eq!(modem.time.now(), t0);
}

/// An embedded-hal delay on the simulated clock, counting its calls.
#[derive(Clone)]
struct SimDelay {
    time: SimTime,
    calls: Rc<Cell<u32>>,
}

impl embedded_hal::delay::DelayNs for SimDelay {
    fn delay_ns(&mut self, ns: u32) {
        self.calls.set(self.calls.get() + 1);
        self.time.advance(u64::from(ns.div_ceil(1_000_000)));
    }
}

/// A clock without an idle of its own (busy polling).
struct Ticks(SimTime);

impl ml302::Clock for Ticks {
    fn now_ms(&mut self) -> u64 {
        self.0.now()
    }
}

#[test]
fn the_client_idles_through_an_embedded_hal_delay() {
    let time = SimTime::default();
    let modem = bring_up_script(Modem::new(time.clone()));
    let delay = SimDelay {
        time: time.clone(),
        calls: Rc::default(),
    };
    let clock = ml302::clock::DelayIdle::new(Ticks(time.clone()), delay.clone(), 2_000);
    let port = Conforming::new(modem.clone());
    let mut c: ml302::blocking::Client<_, _, 512, 64, 2, 8> =
        ml302::blocking::Client::new(port.clone(), clock);
    c.start().unwrap();
    c.configure(&cfg()).unwrap();
    c.connect(None).unwrap();
    // Silence: the wait of `receive` is slept through in 2 ms steps.
    let (t0, calls0) = (time.now(), delay.calls.get());
    assert!(c.receive(100).unwrap().is_none());
    assert_eq!(time.now() - t0, 100);
    assert_eq!(delay.calls.get() - calls0, 50);
    assert_eq!(port.blocked_ms.get(), 0);
    modem.assert_done();
}
