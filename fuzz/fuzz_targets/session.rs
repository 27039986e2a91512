//! The sans-IO session driven by an arbitrary script: commands begun with
//! arbitrary values, arbitrary modem bytes (and canned modem lines), time moving
//! on, the face's calls made in and out of turn.
//!
//! Input (see `ml302_fuzz::Reader`): byte 0 picks the buffer sizes; then
//! opcodes, each followed by its operands (see `step`). Every loop is bounded by
//! the input, so a hang is a bug.
//!
//! Checked: no panic; every `Write` is one well-formed command line; `Wait` has a
//! deadline in the future; `Idle` exactly when nothing is pending; a refused
//! `begin` leaves nothing to send; `WritePayload` only after a length-mode
//! `AT+MQTTPUB` header and only while that command is pending; a length-mode
//! publish is reported published only if the face sent its payload; a result
//! needs its answer line (`Subscribed` a `+MQTTSUBACK`, …) among the modem bytes
//! since the command began; a time-out asks for a resynchronisation; a command
//! ends as `Restarted` only after a boot line, with the settings marked lost.
//! Commands include any `AT…` line (`begin_raw`) and the crate's network
//! commands (`begin_command`), with network, SIM and boot lines among the
//! canned modem output.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ml302::command::MAX_LINE;
use ml302::session::{Action, Op, Outcome, Session};
use ml302::{Error, MqttConfig, Published, QoS, Will};
use ml302_fuzz::{check_command_line, Reader};

/// Modem output the fuzzer would take long to spell.
const CANNED: &[&[u8]] = &[
    b"\r\nOK\r\n",
    b"\r\nERROR\r\n",
    b"\r\n> ",
    b">",
    b"\r\n+CME ERROR: 600\r\n",
    b"\r\n+CME ERROR: 601\r\n",
    b"\r\n+CME ERROR: 602\r\n",
    b"\r\n+CME ERROR: 603\r\n",
    b"\r\n+CME ERROR: 605\r\n",
    b"\r\n+CME ERROR: 606\r\n",
    b"\r\n+CME ERROR: 609\r\n",
    b"\r\n+CME ERROR: 614\r\n",
    b"\r\n+CME ERROR: 619\r\n",
    b"\r\n+CME ERROR: 620\r\n",
    b"\r\n+CME ERROR\r\n",
    b"\r\n+MQTTOPEN:OK\r\n",
    b"\r\n+MQTTOPEN: FAIL\r\n",
    b"\r\n+MQTTSUBACK:1,1,t\r\n",
    b"\r\n+MQTTSUBACK:3,128,t\r\n",
    b"\r\n+MQTTSUBACK: 2,2,\"a/b\"\r\n",
    b"\r\n+MQTTUNSUBACK:5,\"t\"\r\n",
    b"\r\n+MQTTPUBACK:0,7\r\n",
    b"\r\n+MQTTPUBREC:0,2\r\n",
    b"\r\n+MQTTPUBCOMP:0,2\r\n",
    b"\r\n+MQTTPUBREL: 0,1\r\n",
    b"\r\n+MQTTCFG: \"h\",1883,\"i\",60,\"u\",\"***\",1,\"\",0\r\n",
    b"\r\n+MQTTCFG:\"(null)\",0,\"(null)\",0,\"(null)\",\"***\",0,\"(null)\",0\r\n",
    b"\r\n+MQTTSTAT: 1\r\n",
    b"\r\n+MQTTSUB:\r\n",
    b"\r\nt/#,1\r\n",
    b"\r\na/b\r\n",
    b"\r\n+MQTTPING: 1\r\n",
    b"\r\n+MQTTREC: 1,0\r\n",
    b"\r\n+MQTTREC: 2\r\n",
    b"\r\n+MQTTTO: 10\r\n",
    b"\r\n+MQTTTO: 3\r\n",
    b"\r\n+MQTTTO:5\r\n",
    b"\r\n+MQTTDISC: OK\r\n",
    b"\r\n+MQTTPINGRSP: OK\r\n",
    b"\r\n+MQTTPUBLISH: 0,1,0,4,\"t\",5,hello\r\n",
    b"\r\n+MQTTPUBLISH:0,2,0,9,a/b,8,a\r\nOK\r\nb\r\n",
    b"\r\n+MQTTPUBLISH: 0,0,0,0,\"t\",100,0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\r\n",
    b"\r\n+MQTTPUBLISH: 0,3,0,0,\"t\",1,x\r\n",
    b"\r\n+MQTTPUBLISH: 0,0,0,0,\"t\",3,abcde\r\n",
    b"AT+MQTTPING=0\r\r\n",
    b"\r\n+MQTTFOO: 1\r\n",
    b"\r\nOK +MQTTSUBACK:1,1,t\r\n",
    // Network, SIM and boot lines (NETWORK.md §2), answers of network commands.
    b"\r\n+CEREG: 1\r\n",
    b"\r\n+CEREG: 0,1\r\n",
    b"\r\n+CGREG: 2,5,\"1A2B\",\"0C3D4E5F\",7\r\n",
    b"\r\n+CGEV: NW PDN DEACT 1\r\n",
    b"\r\n+CGEV: ME PDN ACT 1\r\n",
    b"\r\n+CPIN: READY\r\n",
    b"\r\n+CPIN: NOT READY\r\n",
    b"\r\nRDY\r\n",
    b"\r\n+SIM READY\r\n",
    b"\r\n+MATREADY\r\n",
    b"\r\n+CGACT: 1,1\r\n",
    b"\r\n+CGPADDR: 1,\"10.64.0.2\"\r\n",
    b"\r\n+CSQ: 20,99\r\n",
    b"\r\n+CME ERROR: 10\r\n",
    b"\r\n+CME ERROR: 3\r\n",
    b"\r\n460041234567890\r\n",
];

/// Typed network commands of the crate a script can begin.
fn begin_network<const T: usize, const P: usize, const Q: usize, const S: usize>(
    s: &mut Session<T, P, Q, S>,
    which: u8,
    limit_ms: u32,
    now: u64,
) -> Result<(), Error> {
    use ml302::command::{net, At};
    match which % 8 {
        0 => s.begin_command(&At, limit_ms, now),
        1 => s.begin_command(&net::QuerySim, limit_ms, now),
        2 => s.begin_command(&net::QueryEpsRegistration, limit_ms, now),
        3 => s.begin_command(&net::QueryPdpActivation, limit_ms, now),
        4 => s.begin_command(&net::SetPdpActivation::new(true, 1), limit_ms, now),
        5 => s.begin_command(
            &net::SetFunctionality::new(net::Functionality::Minimum),
            limit_ms,
            now,
        ),
        6 => s.begin_command(&net::Reboot::new(), limit_ms, now),
        _ => s.begin_command(&net::QuerySignal, limit_ms, now),
    }
}

/// The values of one operation, owned so that an [`Op`] can borrow them.
enum OpIn {
    Simple(u8),
    Configure {
        host: String,
        port: u16,
        id: String,
        keep_alive: u16,
        user: String,
        password: String,
        flags: u8,
        version: String,
        ack: u16,
    },
    SetAckTimeout(u16),
    SetReconnect(bool),
    SetPingEcho(bool),
    Open(Option<(String, String, QoS, bool)>),
    Subscribe(String, QoS),
    Unsubscribe(String),
    Publish(String, Vec<u8>, QoS, bool),
}

fn text(r: &mut Reader<'_>) -> String {
    String::from_utf8_lossy(&r.text()).into_owned()
}

fn qos(r: &mut Reader<'_>) -> QoS {
    match r.u8() % 3 {
        0 => QoS::AtMostOnce,
        1 => QoS::AtLeastOnce,
        _ => QoS::ExactlyOnce,
    }
}

fn read_op(r: &mut Reader<'_>) -> OpIn {
    match r.u8() % 19 {
        3 => OpIn::Configure {
            host: text(r),
            port: r.u16(),
            id: text(r),
            keep_alive: r.u16(),
            user: text(r),
            password: text(r),
            flags: r.u8(),
            version: text(r),
            ack: r.u16(),
        },
        5 => OpIn::SetAckTimeout(r.u16()),
        7 => OpIn::SetReconnect(r.bool()),
        9 => OpIn::SetPingEcho(r.bool()),
        11 => OpIn::Open(if r.bool() {
            Some((text(r), text(r), qos(r), r.bool()))
        } else {
            None
        }),
        13 => OpIn::Subscribe(text(r), qos(r)),
        15 => OpIn::Unsubscribe(text(r)),
        16 => {
            let topic = text(r);
            let payload = r.bytes().to_vec();
            OpIn::Publish(topic, payload, qos(r), r.bool())
        }
        n => OpIn::Simple(n),
    }
}

/// Runs `f` with the [`Op`] for `op`.
fn with_op<R>(op: &OpIn, f: impl FnOnce(&Op<'_>) -> R) -> R {
    match op {
        OpIn::Simple(n) => f(&match n {
            0 => Op::At,
            1 => Op::EchoOff,
            2 => Op::NumericErrors,
            4 => Op::QueryConfig,
            6 => Op::QueryAckTimeout,
            8 => Op::QueryReconnect,
            10 => Op::QueryPingEcho,
            12 => Op::QueryState,
            14 => Op::QuerySubscriptions,
            17 => Op::Disconnect,
            _ => Op::Delete,
        }),
        OpIn::Configure {
            host,
            port,
            id,
            keep_alive,
            user,
            password,
            flags,
            version,
            ack,
        } => {
            let mut cfg = MqttConfig::new(host, *port, id)
                .with_credentials(user, password)
                .with_keep_alive(*keep_alive)
                .with_clean_session(flags & 1 != 0);
            cfg.version = version.as_str();
            cfg.encrypt = flags & 2 != 0;
            cfg.auto_reconnect = flags & 4 != 0;
            cfg.ping_echo = flags & 8 != 0;
            cfg.ack_timeout_s = *ack;
            f(&Op::Configure(&cfg))
        }
        OpIn::SetAckTimeout(s) => f(&Op::SetAckTimeout(*s)),
        OpIn::SetReconnect(on) => f(&Op::SetReconnect(*on)),
        OpIn::SetPingEcho(on) => f(&Op::SetPingEcho(*on)),
        OpIn::Open(None) => f(&Op::Open(None)),
        OpIn::Open(Some((topic, message, qos, retain))) => {
            let will = Will {
                topic,
                message,
                qos: *qos,
                retain: *retain,
            };
            f(&Op::Open(Some(&will)))
        }
        OpIn::Subscribe(t, q) => f(&Op::Subscribe(t, *q)),
        OpIn::Unsubscribe(t) => f(&Op::Unsubscribe(t)),
        OpIn::Publish(topic, payload, qos, retain) => f(&Op::Publish {
            topic,
            payload,
            qos: *qos,
            retain: *retain,
        }),
    }
}

/// Whether a finding is waived through `ML302_FUZZ_ALLOW` (comma-separated names),
/// so that a known, reported bug does not hide new ones while it is being fixed.
fn known(name: &str) -> bool {
    static ALLOW: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ALLOW
        .get_or_init(|| std::env::var("ML302_FUZZ_ALLOW").unwrap_or_default())
        .split(',')
        .any(|n| n.trim() == name)
}

/// What the script has done to the current command.
#[derive(Default)]
struct Track {
    now: u64,
    /// The last line `poll` asked to write for the current command.
    line: Vec<u8>,
    /// The face reported the payload written during the current command.
    payload_written: bool,
    /// Modem bytes since the current command began (with the line then in progress).
    rx: Vec<u8>,
    /// Modem bytes since the last CR or LF.
    partial: Vec<u8>,
}

impl Track {
    /// A command began.
    fn begun(&mut self) {
        self.line.clear();
        self.payload_written = false;
        self.rx = self.partial.clone();
    }

    fn received(&mut self, bytes: &[u8]) {
        self.rx.extend_from_slice(bytes);
        match bytes.iter().rposition(|&b| b == b'\r' || b == b'\n') {
            Some(k) => self.partial = bytes[k + 1..].to_vec(),
            None => self.partial.extend_from_slice(bytes),
        }
    }

    fn got(&self, token: &[u8]) -> bool {
        self.rx.windows(token.len()).any(|w| w == token)
    }
}

/// The answer line an outcome cannot exist without.
fn evidence(outcome: &Outcome) -> &'static [&'static [u8]] {
    match outcome {
        Outcome::Subscribed(ml302::Subscribed {
            packet_id: Some(_), ..
        }) => &[b"+MQTTSUBACK"],
        Outcome::Unsubscribed(_) => &[b"+MQTTUNSUBACK"],
        Outcome::Published(Published {
            packet_id: Some(_), ..
        }) => &[b"+MQTTPUBACK", b"+MQTTPUBCOMP"],
        Outcome::Config => &[b"+MQTTCFG"],
        Outcome::State(_) => &[b"+MQTTSTAT"],
        Outcome::PingEcho(_) => &[b"+MQTTPING"],
        Outcome::Reconnect { .. } => &[b"+MQTTREC"],
        Outcome::AckTimeout(_) => &[b"+MQTTTO"],
        _ => &[b"OK", b"ERROR"],
    }
}

/// One `poll`, with the checks every answer must pass.
fn poll<const T: usize, const P: usize, const Q: usize, const S: usize>(
    s: &mut Session<T, P, Q, S>,
    t: &mut Track,
) -> Polled {
    let busy = s.is_busy();
    let now = t.now;
    let polled = match s.poll(now) {
        Action::Write(line) => {
            assert!(busy, "Write while nothing is pending");
            check_command_line(line);
            t.line = line.to_vec();
            Polled::Write
        }
        Action::WritePayload => {
            assert!(busy, "WritePayload while nothing is pending");
            let header = t.line.strip_prefix(b"AT+MQTTPUB=").unwrap_or_default();
            assert!(
                !header.is_empty() && !header.ends_with(b"\"\r\n"),
                "WritePayload after {:?}",
                String::from_utf8_lossy(&t.line)
            );
            Polled::WritePayload
        }
        Action::Wait { deadline_ms } => {
            assert!(busy, "Wait while nothing is pending");
            assert!(deadline_ms > now, "Wait until {deadline_ms} at {now}");
            Polled::Wait(deadline_ms)
        }
        Action::Done(result) => {
            assert!(busy, "Done while nothing was pending");
            if let Ok(Outcome::Published(Published {
                length_mode: true, ..
            })) = result
            {
                assert!(
                    t.payload_written || known("publish-without-payload"),
                    "length-mode publish reported done but its payload was never sent"
                );
            }
            if let Ok(outcome) = &result {
                assert!(
                    evidence(outcome).iter().any(|e| t.got(e)),
                    "{outcome:?} without any of {:?} from the modem",
                    evidence(outcome)
                        .iter()
                        .map(|e| String::from_utf8_lossy(e))
                        .collect::<Vec<_>>()
                );
            }
            if let Err(Error::Timeout) = result {
                assert!(s.needs_resync(), "time-out without resynchronisation");
            }
            // Only a boot line ends a command as restarted.
            if let Err(Error::Restarted) = result {
                assert!(
                    t.got(b"RDY") || t.got(b"READY"),
                    "Restarted without a boot line from the modem"
                );
                assert!(s.settings_lost(), "restarted, settings not marked lost");
            }
            Polled::Done
        }
        Action::Idle => {
            assert!(!busy, "Idle while a command is pending");
            Polled::Idle
        }
    };
    if let Polled::Done = polled {
        assert!(!s.is_busy(), "still busy after Done");
    }
    polled
}

enum Polled {
    Write,
    WritePayload,
    Wait(u64),
    Done,
    Idle,
}

fn run<const T: usize, const P: usize, const Q: usize, const S: usize>(mut r: Reader<'_>) {
    let mut s: Box<Session<T, P, Q, S>> = Box::new(Session::new());
    let mut t = Track::default();
    while !r.is_empty() {
        match r.u8() % 15 {
            0 => {
                let op = read_op(&mut r);
                let was_busy = s.is_busy();
                let result = with_op(&op, |op| s.begin(op, t.now));
                match result {
                    Ok(()) => {
                        assert!(!was_busy, "begin accepted while busy");
                        t.begun();
                        assert!(
                            matches!(poll(&mut s, &mut t), Polled::Write),
                            "begun, nothing to write"
                        );
                    }
                    Err(_) if !was_busy => {
                        assert!(!s.is_busy(), "a refused begin left a command pending");
                        assert!(
                            matches!(poll(&mut s, &mut t), Polled::Idle),
                            "a refused begin left something to do"
                        );
                    }
                    Err(_) => {}
                }
            }
            1 => {
                t.now = t.now.saturating_add(r.u16().into());
                poll(&mut s, &mut t);
            }
            2 => {
                let bytes = r.bytes();
                t.received(bytes);
                s.receive(bytes);
            }
            3 => {
                let wire = CANNED[usize::from(r.u8()) % CANNED.len()];
                let (a, b) = wire.split_at(usize::from(r.u8()) % (wire.len() + 1));
                t.received(wire);
                s.receive(a);
                s.receive(b);
            }
            4 => s.written(),
            5 => {
                s.payload_written();
                t.payload_written = true;
            }
            6 => {
                let was_busy = s.is_busy();
                if s.begin_resync(t.now).is_ok() {
                    assert!(!was_busy, "resync begun while busy");
                    t.begun();
                }
            }
            7 => {
                let i = usize::from(r.u8());
                let was_busy = s.is_busy();
                if s.begin_resubscribe(i, t.now).is_ok() {
                    assert!(!was_busy, "re-subscription begun while busy");
                    t.begun();
                }
                let _ = s.next_resubscription();
            }
            8 => s.reset(),
            9 => {
                for _ in 0..64 {
                    if s.next_incoming().is_none() {
                        break;
                    }
                }
                for _ in 0..64 {
                    if s.next_event().is_none() {
                        break;
                    }
                }
                let _ = (
                    s.stats(),
                    s.link_state(),
                    s.reported_config(),
                    s.ack_timeout_s(),
                );
                let _ = (
                    s.subscriptions().count(),
                    s.listed_subscriptions().map(Iterator::count),
                );
            }
            10 => {
                // The face's loop: obey `poll` a few times, without new input.
                for _ in 0..=(r.u8() % 16) {
                    match poll(&mut s, &mut t) {
                        Polled::Write => s.written(),
                        Polled::WritePayload => {
                            s.payload_written();
                            t.payload_written = true;
                        }
                        Polled::Wait(_) | Polled::Done | Polled::Idle => break,
                    }
                }
            }
            11 => {
                t.now = t.now.saturating_add(r.u32().into());
                poll(&mut s, &mut t);
            }
            // Any command line (send_raw) and the crate's network commands
            // (bring_up, network_status, recover).
            13 | 14 => {
                let was_busy = s.is_busy();
                let timeout = r.u16().into();
                let result = if r.u8() % 2 == 0 {
                    // `AT` and fuzzer bytes: a refused line is never written,
                    // an accepted one must stay one command line.
                    let mut line = b"AT".to_vec();
                    line.extend_from_slice(r.bytes());
                    s.begin_raw(&line, timeout, t.now)
                } else {
                    let which = r.u8();
                    begin_network(&mut s, which, timeout, t.now)
                };
                if result.is_ok() {
                    assert!(!was_busy, "raw command begun while busy");
                    t.begun();
                    assert!(
                        matches!(poll(&mut s, &mut t), Polled::Write),
                        "begun, nothing to write"
                    );
                } else if !was_busy {
                    assert!(!s.is_busy(), "a refused raw command left a command pending");
                }
                let _ = (s.raw_answer().map(<[u8]>::len), s.settings_lost());
            }
            _ => {
                // Jump to the deadline: the command must end now.
                if let Polled::Wait(deadline) = poll(&mut s, &mut t) {
                    t.now = deadline;
                    assert!(
                        matches!(poll(&mut s, &mut t), Polled::Done),
                        "no Done at the deadline"
                    );
                }
            }
        }
    }
    assert!(MAX_LINE >= t.line.len());
}

fuzz_target!(|data: &[u8]| {
    let mut r = Reader::new(data);
    if r.u8() & 1 == 0 {
        run::<64, 64, 2, 2>(r);
    } else {
        run::<512, 1024, 2, 8>(r);
    }
});
