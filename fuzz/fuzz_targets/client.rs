//! The blocking client, face and session together, against a hostile modem: a
//! port that answers each command (and each payload) with the next piece of
//! fuzzer-chosen bytes, delivered in chunks, and a clock that moves on with every
//! reading.
//!
//! Input (see `ml302_fuzz::Reader`): clock step, read chunk size, the number of
//! answers and the answers themselves, then up to 32 client calls with their
//! arguments (see `call`): the MQTT operations, `send_raw`, `bring_up`,
//! `network_status`, `recover` and `recover_with_reset` (a pin that may fail).
//!
//! Checked: no panic and no hang (every wait ends at its deadline); every write is
//! a well-formed command line or, right after a length-mode `AT+MQTTPUB` header,
//! exactly the payload it announced, once, and only after a `>` arrived; an
//! answer line of `send_raw` holds no LF; `recover` never reports a rung above
//! the highest allowed.
#![no_main]

use embedded_io::{ErrorKind, ErrorType, Read, ReadReady, Write};
use libfuzzer_sys::fuzz_target;
use ml302::blocking::Client;
use ml302::recover::{Recovery, ResetPulse, Rung};
use ml302::{Clock, MqttConfig, NetworkConfig, QoS, Will};
use ml302_fuzz::{check_command_line, Reader};

/// The modem: answers are released one per command line (or payload) written.
struct Modem<'a> {
    answers: Vec<&'a [u8]>,
    next_answer: usize,
    rx: Vec<u8>,
    read_pos: usize,
    chunk: usize,
    pending_write: Vec<u8>,
    /// Announced length of the last length-mode header, until its payload is written.
    announced: Option<usize>,
    /// Whether a `>` was delivered since that header.
    prompt_seen: bool,
    writes: usize,
    /// The payload of the publish call in progress.
    payload: std::rc::Rc<std::cell::RefCell<Vec<u8>>>,
}

/// `ML302_FUZZ_TRACE=1` prints what crosses the port (for reading a reproducer).
fn trace() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("ML302_FUZZ_TRACE").is_some())
}

impl Modem<'_> {
    fn release(&mut self) {
        if let Some(a) = self.answers.get(self.next_answer) {
            self.rx.extend_from_slice(a);
            self.next_answer += 1;
        }
    }

    /// One complete write (a command line or a payload), at `flush`.
    fn on_message(&mut self, msg: &[u8]) {
        self.writes += 1;
        if trace() {
            eprintln!("TX {:?}", String::from_utf8_lossy(msg));
        }
        // After a length-mode header, the payload may follow only once a `>` came;
        // anything else must be a command line (a payload written before the prompt
        // fails that check, unless it happens to spell one).
        if let Some(n) = self.announced.take() {
            let payload = self.payload.borrow();
            if self.prompt_seen && *msg == **payload {
                assert_eq!(
                    msg.len(),
                    n,
                    "payload of {} bytes after a header announcing {n}",
                    msg.len()
                );
                drop(payload);
                self.release();
                return;
            }
        }
        check_command_line(msg);
        if let Some(header) = msg.strip_prefix(b"AT+MQTTPUB=") {
            let body = &header[..header.len() - 2];
            if body.last().is_some_and(u8::is_ascii_digit) {
                let digits = body.iter().rev().take_while(|b| b.is_ascii_digit()).count();
                let n = std::str::from_utf8(&body[body.len() - digits..])
                    .ok()
                    .and_then(|s| s.parse().ok());
                self.announced = n;
                self.prompt_seen = false;
            }
        }
        self.release();
    }
}

impl ErrorType for Modem<'_> {
    type Error = ErrorKind;
}

impl Read for Modem<'_> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        let rest = &self.rx[self.read_pos..];
        if rest.is_empty() {
            return Err(ErrorKind::TimedOut);
        }
        let n = rest.len().min(buf.len()).min(self.chunk);
        buf[..n].copy_from_slice(&rest[..n]);
        if trace() {
            eprintln!("RX {:?}", String::from_utf8_lossy(&rest[..n]));
        }
        if rest[..n].contains(&b'>') {
            self.prompt_seen = true;
        }
        self.read_pos += n;
        Ok(n)
    }
}

impl ReadReady for Modem<'_> {
    /// Ready while released answer bytes remain unread.
    fn read_ready(&mut self) -> Result<bool, ErrorKind> {
        Ok(self.read_pos < self.rx.len())
    }
}

impl Write for Modem<'_> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, ErrorKind> {
        self.pending_write.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> Result<(), ErrorKind> {
        let msg = std::mem::take(&mut self.pending_write);
        if !msg.is_empty() {
            self.on_message(&msg);
        }
        Ok(())
    }
}

/// A clock that moves on by `step` ms each time it is read.
struct Ticking {
    now: u64,
    step: u64,
}

impl Clock for Ticking {
    fn now_ms(&mut self) -> u64 {
        self.now = self.now.saturating_add(self.step);
        self.now
    }
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

type Dut<'a> = Client<Modem<'a>, Ticking, 64, 64, 2, 2>;

/// A reset pin that fails when the fuzzer says so.
struct Pin(bool);

impl embedded_hal::digital::ErrorType for Pin {
    type Error = embedded_hal::digital::ErrorKind;
}

impl embedded_hal::digital::OutputPin for Pin {
    fn set_low(&mut self) -> Result<(), Self::Error> {
        self.result()
    }
    fn set_high(&mut self) -> Result<(), Self::Error> {
        self.result()
    }
}

impl Pin {
    fn result(&self) -> Result<(), embedded_hal::digital::ErrorKind> {
        if self.0 {
            Err(embedded_hal::digital::ErrorKind::Other)
        } else {
            Ok(())
        }
    }
}

/// Step times from the fuzzer, short enough that a run stays quick (the
/// clock moves on with every reading).
fn network<'a>(r: &mut Reader<'_>, apn: Option<&'a str>) -> NetworkConfig<'a> {
    let mut ms = || u32::from(r.u16() % 8_000);
    NetworkConfig {
        apn,
        sync_ms: ms(),
        sim_ms: ms(),
        radio_ms: ms(),
        registration_ms: ms(),
        pdp_ms: ms(),
        address_ms: ms(),
        command_ms: ms(),
        poll_interval_ms: ms(),
    }
}

fn rung(r: &mut Reader<'_>) -> Rung {
    match r.u8() % 4 {
        0 => Rung::MqttReopen,
        1 => Rung::PdpReactivation,
        2 => Rung::RadioCycle,
        _ => Rung::Reboot,
    }
}

/// One client call with arguments from `r`.
fn call(c: &mut Dut<'_>, r: &mut Reader<'_>, payload_slot: &std::cell::RefCell<Vec<u8>>) {
    match r.u8() % 25 {
        0 => drop(c.start()),
        1 => {
            let (host, id, user, password) = (text(r), text(r), text(r), text(r));
            let (port, keep_alive, flags, ack) = (r.u16(), r.u16(), r.u8(), r.u16());
            let mut cfg = MqttConfig::new(&host, port, &id)
                .with_credentials(&user, &password)
                .with_keep_alive(keep_alive)
                .with_clean_session(flags & 1 != 0);
            cfg.auto_reconnect = flags & 2 != 0;
            cfg.ping_echo = flags & 4 != 0;
            cfg.ack_timeout_s = ack;
            drop(c.configure(&cfg));
        }
        2 => {
            if r.bool() {
                let (topic, message) = (text(r), text(r));
                let will = Will {
                    topic: &topic,
                    message: &message,
                    qos: qos(r),
                    retain: r.bool(),
                };
                drop(c.connect(Some(&will)));
            } else {
                drop(c.connect(None));
            }
        }
        3 => {
            let topic = text(r);
            drop(c.subscribe(&topic, qos(r)));
        }
        4 => drop(c.unsubscribe(&text(r))),
        5 => {
            let topic = text(r);
            let payload = r.bytes();
            let (q, retain) = (qos(r), r.bool());
            *payload_slot.borrow_mut() = payload.to_vec();
            drop(c.publish(&topic, payload, q, retain));
        }
        6 => drop(c.disconnect()),
        7 => drop(c.delete()),
        8 => drop(c.set_ping_echo(r.bool())),
        9 => drop(c.ping_echo()),
        10 => drop(c.set_auto_reconnect(r.bool())),
        11 => drop(c.auto_reconnect()),
        12 => drop(c.set_ack_timeout(r.u16())),
        13 => drop(c.ack_timeout()),
        14 => drop(c.modem_state()),
        15 => drop(c.reported_config()),
        16 => drop(c.list_subscriptions()),
        17 => drop(c.poll(r.u16().into())),
        18 => drop(c.receive(r.u16().into())),
        // Any command line, prefixed `AT` (checked as one command line).
        20 => {
            let line = format!("AT{}", text(r));
            let timeout = r.u16().into();
            if let Ok(lines) = c.send_raw(&line, timeout) {
                for l in lines {
                    assert!(!l.contains(&b'\n'), "an answer line holds LF");
                }
            }
        }
        21 => {
            let apn = r.bool().then(|| text(r));
            let cfg = network(r, apn.as_deref());
            drop(c.bring_up(&cfg));
        }
        22 => drop(c.network_status()),
        23 | 24 => {
            let (host, id) = (text(r), text(r));
            let mqtt = MqttConfig::new(&host, r.u16(), &id);
            let apn = r.bool().then(|| text(r));
            let net = network(r, apn.as_deref());
            let mut rec = Recovery::new(&net, &mqtt).up_to(rung(r));
            rec.radio_off_ms = u32::from(r.u16() % 4_000);
            rec.boot_ms = u32::from(r.u16() % 8_000);
            let result = if r.bool() {
                let pulse = ResetPulse {
                    active_high: r.bool(),
                    pulse_ms: u32::from(r.u16() % 4_000),
                };
                c.recover_with_reset(&rec, &mut Pin(r.bool()), pulse)
            } else {
                c.recover(&rec)
            };
            if let Ok(rung) = result {
                assert!(rung <= rec.highest, "{rung:?} above {:?}", rec.highest);
            }
        }
        _ => {
            for _ in 0..8 {
                let (m, e) = (c.next_incoming(), c.next_event());
                if m.is_none() && e.is_none() {
                    break;
                }
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut r = Reader::new(data);
    let step = (u64::from(r.u8() % 64) + 1) * 50;
    let chunk = match r.u8() % 65 {
        0 => 64,
        n => usize::from(n),
    };
    let count = usize::from(r.u8() % 33);
    let answers = (0..count).map(|_| r.bytes()).collect();
    let payload = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let modem = Modem {
        answers,
        next_answer: 0,
        rx: Vec::new(),
        read_pos: 0,
        chunk,
        pending_write: Vec::new(),
        announced: None,
        prompt_seen: false,
        writes: 0,
        payload: payload.clone(),
    };
    let mut client: Dut<'_> = Client::new(modem, Ticking { now: 0, step });
    for _ in 0..32 {
        if r.is_empty() {
            break;
        }
        call(&mut client, &mut r, &payload);
    }
    let (modem, _) = client.release();
    assert!(modem.writes <= 100_000);
});
