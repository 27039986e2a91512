//! The split client (`ml302::split`) against the scripted modem on simulated
//! time: a receiver and a publisher share one control while the runner owns
//! the port halves; no read is ever dropped before it completed; a silent
//! modem ends every operation with its time-out; the end of the stream is a
//! closed port.

mod support;

use std::cell::{Cell, RefCell};
use std::convert::Infallible;
use std::future::poll_fn;
use std::pin::pin;
use std::rc::Rc;
use std::task::{Poll, Waker};

use embassy_futures::join::join;
use embassy_futures::select::{select, Either};
use ml302::split::{self, NoopRawMutex, State};
use ml302::{Error, Event, Incoming, LinkState, MqttConfig, QoS};
use support::{lines, Modem, SimTime};

type St = State<NoopRawMutex, 64, 64, 2, 4, 2, 4>;
type Ctl<'a> = split::Control<'a, NoopRawMutex, SimTime, SimDelay, 64, 64, 2, 4, 2, 4>;

/// Wakes the reader when time passes or bytes were written.
#[derive(Clone, Default)]
struct Kick(Rc<RefCell<Option<Waker>>>);

impl Kick {
    fn park(&self, w: &Waker) {
        *self.0.borrow_mut() = Some(w.clone());
    }
    fn wake(&self) {
        if let Some(w) = self.0.borrow_mut().take() {
            w.wake();
        }
    }
}

/// The reading half: `read` waits (Pending) until a byte is due, as
/// embedded-io-async specifies; counts reads dropped before they completed.
struct Rx {
    modem: Modem,
    kick: Kick,
    dropped: Rc<Cell<u32>>,
    /// `read` returns `Ok(0)` (end of stream) from this simulated time on.
    eof_at: Option<u64>,
}

struct DropCheck(Rc<Cell<u32>>, bool);
impl Drop for DropCheck {
    fn drop(&mut self) {
        if self.1 {
            self.0.set(self.0.get() + 1);
        }
    }
}

impl embedded_io_async::ErrorType for Rx {
    type Error = Infallible;
}

impl embedded_io_async::Read for Rx {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        let mut check = DropCheck(self.dropped.clone(), true);
        let n = poll_fn(|cx| {
            if self.eof_at.is_some_and(|t| self.modem.time.now() >= t) {
                return Poll::Ready(0);
            }
            match self.modem.take_due(buf) {
                0 => {
                    self.kick.park(cx.waker());
                    Poll::Pending
                }
                n => Poll::Ready(n),
            }
        })
        .await;
        check.1 = false;
        Ok(n)
    }
}

/// The writing half.
struct Tx {
    modem: Modem,
    kick: Kick,
}

impl embedded_io_async::ErrorType for Tx {
    type Error = Infallible;
}

impl embedded_io_async::Write for Tx {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        let n = embedded_io::Write::write(&mut self.modem, buf)?;
        self.kick.wake();
        Ok(n)
    }
    async fn flush(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}

/// Simulated delay: lets every other future run a few rounds first (so the
/// runner reads what is already due), then lets the time pass at once.
#[derive(Clone)]
struct SimDelay {
    time: SimTime,
    kick: Kick,
}

impl embedded_hal_async::delay::DelayNs for SimDelay {
    async fn delay_ns(&mut self, ns: u32) {
        for _ in 0..4 {
            let mut yielded = false;
            poll_fn(|cx| {
                if yielded {
                    Poll::Ready(())
                } else {
                    yielded = true;
                    cx.waker().wake_by_ref();
                    Poll::Pending
                }
            })
            .await;
        }
        self.time.advance(u64::from(ns / 1_000_000).max(1));
        self.kick.wake();
    }
}

struct Rig {
    modem: Modem,
    dropped: Rc<Cell<u32>>,
    rx: Option<Rx>,
    tx: Option<Tx>,
    delay: SimDelay,
    kick: Kick,
}

fn rig(modem: Modem, eof_at: Option<u64>) -> Rig {
    let kick = Kick::default();
    let dropped = Rc::new(Cell::new(0));
    Rig {
        rx: Some(Rx {
            modem: modem.clone(),
            kick: kick.clone(),
            dropped: dropped.clone(),
            eof_at,
        }),
        tx: Some(Tx {
            modem: modem.clone(),
            kick: kick.clone(),
        }),
        delay: SimDelay {
            time: modem.time.clone(),
            kick: kick.clone(),
        },
        modem,
        dropped,
        kick,
    }
}

/// Runs `body` with a control while the runner runs; returns `body`'s result
/// (the runner is dropped only then).
fn with_split<T>(r: &mut Rig, body: impl AsyncFnOnce(&Ctl<'_>) -> T) -> T {
    let mut state = St::new();
    let port = (r.rx.take().expect("rx"), r.tx.take().expect("tx"));
    let (runner, control) = split::new(&mut state, port, r.modem.time.clone(), r.delay.clone());
    let run = pin!(runner.run());
    let body = pin!(body(&control));
    futures_executor::block_on(async {
        match select(run, body).await {
            Either::First(never) => never,
            Either::Second(t) => t,
        }
    })
}

const CFG_LINE: &str = "AT+MQTTCFG=\"broker\",1883,\"dev\",60,\"\",\"\",1,\"\",0";

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
            "AT+MQTTOPEN=0,0,0,0,0,\"\",\"\"",
            &lines(&["+MQTTOPEN:OK", "OK"]),
        )
        .on("AT+MQTTPING=0", &lines(&["OK"]))
}

#[test]
fn a_receiver_and_a_publisher_share_one_control() {
    // Each publish comes back (after its ACKs, some time later); the last
    // message is pushed while nobody publishes.
    let modem = connected(Modem::new(SimTime::default()))
        .on("AT+MQTTSUB=\"t\",2", &lines(&["+MQTTSUBACK:1,2,t", "OK"]))
        .on(
            "AT+MQTTPUB=\"t\",0,0,0,\"m0\"",
            &lines(&["OK", "+MQTTPUBLISH:0,0,0,0,t,2,m0"]),
        )
        .on(
            "AT+MQTTPUB=\"t\",1,0,0,\"m1\"",
            &lines(&["+MQTTPUBACK:0,2", "+MQTTPUBLISH:0,1,0,7,t,2,m1", "OK"]),
        )
        .on(
            "AT+MQTTPUB=\"t\",2,0,0,\"m2\"",
            &lines(&["+MQTTPUBREC:0,3", "+MQTTPUBCOMP:0,3", "OK"]),
        )
        .on(
            "AT+MQTTUNSUB=\"t\"",
            &lines(&["+MQTTUNSUBACK:4,\"t\"", "OK"]),
        );
    let mut r = rig(modem.clone(), None);
    let dropped = r.dropped.clone();
    let got = with_split(&mut r, async |c| {
        let receiver = async {
            let mut got = Vec::new();
            for _ in 0..3 {
                match c.receive().await {
                    Incoming::Message(m) => got.push((m.qos, m.payload.to_vec())),
                    other => panic!("unexpected {other:?}"),
                }
            }
            got
        };
        let publisher = async {
            c.start().await.unwrap();
            c.configure(&MqttConfig::new("broker", 1883, "dev"))
                .await
                .unwrap();
            c.connect(None).await.unwrap();
            assert_eq!(c.link_state(), LinkState::Connected);
            c.subscribe("t", QoS::ExactlyOnce).await.unwrap();
            c.publish("t", b"m0", QoS::AtMostOnce, false).await.unwrap();
            c.publish("t", b"m1", QoS::AtLeastOnce, false)
                .await
                .unwrap();
            let p = c
                .publish("t", b"m2", QoS::ExactlyOnce, false)
                .await
                .unwrap();
            assert_eq!(p.packet_id, Some(3));
            // Unsolicited, between two operations: the runner delivers it.
            modem.push(&lines(&["+MQTTPUBLISH:0,2,0,8,t,2,m2"]));
        };
        let (got, ()) = join(receiver, publisher).await;
        assert_eq!(c.unsubscribe("t").await, Ok(4));
        // Still running: no read was given up.
        assert_eq!(dropped.get(), 0, "a read was dropped before it completed");
        got
    });
    assert_eq!(
        got,
        [
            (QoS::AtMostOnce, b"m0".to_vec()),
            (QoS::AtLeastOnce, b"m1".to_vec()),
            (QoS::ExactlyOnce, b"m2".to_vec()),
        ]
    );
    // Ending the test dropped the runner with its one read in flight.
    assert_eq!(dropped.get(), 1);
    modem.assert_done();
}

#[test]
fn a_silent_modem_ends_every_operation_with_its_time_out() {
    let mut r = rig(Modem::new(SimTime::default()), None);
    let dropped = r.dropped.clone();
    let time = r.modem.time.clone();
    with_split(&mut r, async |c| {
        assert_eq!(c.start().await, Err(Error::Timeout));
        let t0 = time.now();
        assert_eq!(
            c.configure(&MqttConfig::new("broker", 1883, "dev")).await,
            Err(Error::Timeout)
        );
        assert!(time.now() > t0, "the time-out is the session's deadline");
        assert_eq!(c.modem_state().await, Err(Error::Timeout));
        assert_eq!(c.ack_timeout().await, Err(Error::Timeout));
        assert_eq!(
            c.send_raw("AT+CSQ", 300, |lines| lines.count()).await,
            Err(Error::Timeout)
        );
        // Nothing arrived, nothing is waiting.
        assert!(c.try_receive().is_none());
        assert_eq!(dropped.get(), 0);
    });
}

#[test]
fn the_end_of_the_stream_closes_the_port_for_every_operation() {
    let mut r = rig(Modem::new(SimTime::default()), Some(0));
    with_split(&mut r, async |c| {
        assert_eq!(c.start().await, Err(Error::PortClosed));
        assert_eq!(c.port_status(), Err(Error::PortClosed));
        assert_eq!(c.ack_timeout().await, Err(Error::PortClosed));
        assert_eq!(c.receive_within(1_000).await, None);
    });
    // Nothing was written after the port closed.
    assert!(r.modem.log().is_empty() && r.modem.unconsumed().is_empty());
}

#[test]
fn an_operation_dropped_halfway_does_not_leave_the_session_busy() {
    let modem = Modem::new(SimTime::default())
        .on_delayed("AT+MQTTTO?", &lines(&["+MQTTTO: 10", "OK"]), 2_000)
        .on("AT+MQTTTO?", &lines(&["+MQTTTO: 20", "OK"]));
    let mut r = rig(modem.clone(), None);
    let mut delay = r.delay.clone();
    with_split(&mut r, async |c| {
        // The caller gives up after 100 ms; its command is on the wire.
        use embedded_hal_async::delay::DelayNs;
        match select(c.ack_timeout(), delay.delay_ms(100)).await {
            Either::First(r) => panic!("answered early: {r:?}"),
            Either::Second(()) => {}
        }
        // The next operation waits for the abandoned answer, then runs.
        assert_eq!(c.ack_timeout().await, Ok(20));
    });
    modem.assert_done();
}

/// A `State` fits a `StaticCell` (it is `Send`) with the one-executor mutex,
/// and a plain `static` shared across executors (it is `Sync`) with the
/// critical-section mutex.
#[test]
fn state_fits_static_storage() {
    fn send<T: Send>() {}
    fn sync<T: Sync>() {}
    send::<State<NoopRawMutex>>();
    sync::<State<ml302::split::CriticalSectionRawMutex>>();
}

#[test]
fn the_runner_resubscribes_after_the_module_reconnected_while_a_task_awaits_events() {
    let modem = connected(Modem::new(SimTime::default()))
        .on(
            "AT+MQTTSUB=\"a/b\",1",
            &lines(&["+MQTTSUBACK:1,1,a/b", "OK"]),
        )
        .on(
            "AT+MQTTSUB=\"a/b\",1",
            &lines(&["+MQTTSUBACK:4,1,a/b", "OK"]),
        );
    let mut r = rig(modem.clone(), None);
    let kick = r.kick.clone();
    let events = with_split(&mut r, async |c| {
        c.start().await.unwrap();
        c.configure(&MqttConfig::new("broker", 1883, "dev"))
            .await
            .unwrap();
        c.connect(None).await.unwrap();
        c.subscribe("a/b", QoS::AtLeastOnce).await.unwrap();
        // The module loses the link and gets it back; no operation runs.
        modem.push(&lines(&["+MQTTTO:5", "+MQTTREC:0", "+MQTTOPEN:OK"]));
        kick.wake();
        let mut events = Vec::new();
        loop {
            let e = c.next_event().await;
            events.push(e);
            if e == Event::Resubscribed(1) {
                break events;
            }
        }
    });
    assert!(events.contains(&Event::ReconnectAttempt(0)), "{events:?}");
    assert!(events.contains(&Event::Reconnected), "{events:?}");
    // The runner issued the second `AT+MQTTSUB` by itself.
    modem.assert_done();
}

#[test]
fn the_outbox_goes_through_the_control_and_republishes_after_a_broken_link() {
    use ml302::outbox::{Outbox, Report};
    let modem = connected(Modem::new(SimTime::default()))
        .on(
            "AT+MQTTPUB=\"out/t\",1,0,0,\"a\"",
            &lines(&["+MQTTPUBACK:0,2", "OK"]),
        )
        // The link breaks while b is in flight: its outcome is unknown.
        .on(
            "AT+MQTTPUB=\"out/t\",1,0,0,\"b\"",
            &lines(&["+CME ERROR: 617"]),
        )
        .on(
            "AT+MQTTPUB=\"out/t\",1,0,0,\"b\"",
            &lines(&["+MQTTPUBACK:0,3", "OK"]),
        )
        .on("AT+MQTTPUB=\"out/t\",0,0,0,\"c\"", &lines(&["OK"]));
    let mut r = rig(modem.clone(), None);
    let time = r.modem.time.clone();
    with_split(&mut r, async |c| {
        let mut o: Outbox<4, 32, 64> = Outbox::new();
        let a = o
            .push("out/t", b"a", QoS::AtLeastOnce, false, time.now())
            .unwrap();
        // No link yet: queued, nothing written.
        assert_eq!(c.flush_outbox(&mut o).await, Ok(0));
        assert!(modem.log().is_empty());
        c.start().await.unwrap();
        c.configure(&MqttConfig::new("broker", 1883, "dev"))
            .await
            .unwrap();
        c.connect(None).await.unwrap();
        let b = o
            .push("out/t", b"b", QoS::AtLeastOnce, false, time.now())
            .unwrap();
        let cc = o
            .push("out/t", b"c", QoS::AtMostOnce, false, time.now())
            .unwrap();
        assert_eq!(
            c.flush_outbox(&mut o).await,
            Err(Error::Cme(ml302::CmeError::ConnectionLost))
        );
        assert_eq!(c.link_state(), LinkState::Reconnecting);
        assert_eq!(c.flush_outbox(&mut o).await, Ok(0), "waits for the link");
        // The module reconnects by itself; the runner sees it between operations.
        modem.push(b"\r\n+MQTTOPEN:OK\r\n");
        while c.link_state() != LinkState::Connected {
            assert!(c.next_event().await != Event::Disconnected);
        }
        assert_eq!(c.flush_outbox(&mut o).await, Ok(2));
        let reports: Vec<Report> = std::iter::from_fn(|| o.next_report()).collect();
        assert_eq!(
            reports,
            [
                Report::Delivered {
                    id: a,
                    packet_id: Some(2),
                    attempts: 1
                },
                Report::Delivered {
                    id: b,
                    packet_id: Some(3),
                    attempts: 2
                },
                Report::Delivered {
                    id: cc,
                    packet_id: None,
                    attempts: 1
                },
            ]
        );
        assert!(o.is_empty());
    });
    modem.assert_done();
}
