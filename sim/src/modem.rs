//! The simulated module: one thread that reads AT command lines, answers them as
//! the spec says, and runs the MQTT 3.1.1 session with the broker.
//!
//! Everything the module does happens on this thread, driven by [`CoreEvent`]s
//! (serial input, link events, injected faults) and by its own timers; output goes
//! to the output thread in order.

use std::collections::{HashSet, VecDeque};
use std::net::{SocketAddr, TcpStream};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rumqttc::mqttbytes::v4::{
    ConnAck, Connect, LastWill, Login, Packet, PubAck, PubComp, PubRec, PubRel, Publish,
    SubscribeFilter, SubscribeReasonCode, Unsubscribe,
};
use rumqttc::mqttbytes::{Protocol, QoS};

use crate::at::{self, Basic, Form, Param, Parsed};
use crate::config::{BrokerMode, Fault, Received, SimConfig, Spelling, Target};
use crate::mqtt::{self, LinkEvent, LinkShared, LinkTarget};
use crate::output::OutMsg;
use crate::rng::Rng;

/// Input of the module thread.
#[derive(Debug)]
pub(crate) enum CoreEvent {
    /// Bytes from the serial line.
    Input(Vec<u8>),
    /// Something happened on broker link number `.0`.
    Link(u64, LinkEvent),
    /// A fault to inject.
    Fault(Fault),
    /// Power off for good (simulator shutdown).
    Shutdown,
}

/// What the module thread needs.
pub(crate) struct CoreSetup {
    pub cfg: SimConfig,
    pub rx: Receiver<CoreEvent>,
    pub tx: Sender<CoreEvent>,
    pub out: Sender<OutMsg>,
    pub log: Arc<Mutex<Vec<Received>>>,
    pub broker_addr: Option<SocketAddr>,
}

/// Runs the module until [`CoreEvent::Shutdown`].
pub(crate) fn run(setup: CoreSetup) {
    let mut core = Core::new(setup);
    core.boot_banner();
    core.run();
}

const CR: u8 = b'\r';
const LF: u8 = b'\n';
/// Attempts of one automatic reconnect procedure (spec §5.6).
const RECONNECT_ATTEMPTS: u8 = 3;
/// Unanswered pings before the link is declared dead (spec §5.4).
const MAX_LOST_PINGS: u8 = 3;
/// The length-mode buffer of the module: 2048 bytes including the MQTT header (§1.3).
const LENGTH_MODE_BUFFER: usize = 2048;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Response,
    Urc,
    Payload,
    Raw,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    NoClient,
    Idle,
    Connected,
    Reconnecting,
}

#[derive(Debug, Clone)]
struct ClientCfg {
    host: String,
    port: u16,
    id: String,
    keep_alive: u16,
    user: String,
    pass: String,
    clean: bool,
    version: String,
    encrypt: bool,
}

#[derive(Debug, Clone)]
struct OpenParams {
    user: bool,
    pass: bool,
    will: Option<LastWill>,
}

#[derive(Debug, Clone)]
struct PubCmd {
    topic: String,
    qos: u8,
    retain: bool,
    dup: bool,
}

enum Mode {
    Command,
    /// Length mode: waiting for the LF of the command's CR LF before the prompt.
    PromptWait {
        cmd: PubCmd,
        len: usize,
        until: Instant,
    },
    /// Length mode: collecting the announced bytes.
    Payload {
        cmd: PubCmd,
        need: usize,
        got: Vec<u8>,
        deadline: Instant,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Connecting,
    AwaitConnAck(Instant),
    Up,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Open,
    Reconnect,
}

struct Link {
    gen: u64,
    shared: Arc<LinkShared>,
    thread: Option<JoinHandle<()>>,
    stream: Option<TcpStream>,
    phase: Phase,
    purpose: Purpose,
    last_sent: Instant,
    ping_out: bool,
    lost_pings: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PubStage {
    Ack,
    Rec,
    Comp,
}

#[derive(Debug, Clone)]
enum Pending {
    Open,
    Sub {
        id: u16,
        topic: String,
        deadline: Instant,
    },
    Unsub {
        id: u16,
        topic: String,
        deadline: Instant,
    },
    Pub {
        id: u16,
        stage: PubStage,
        deadline: Instant,
    },
    Linger {
        until: Instant,
    },
}

#[derive(Debug, Clone, Copy)]
enum Fail {
    Connect,
    Closed,
    Timeout,
    Refused(u16),
}

struct Reconnect {
    attempt: u8,
    next_at: Option<Instant>,
}

struct Core {
    cfg: SimConfig,
    rx: Receiver<CoreEvent>,
    tx: Sender<CoreEvent>,
    out: Sender<OutMsg>,
    log: Arc<Mutex<Vec<Received>>>,
    broker_addr: Option<SocketAddr>,
    rng: Rng,

    // serial side
    echo: bool,
    cmee: u8,
    inbuf: VecDeque<u8>,
    line: Vec<u8>,
    line_too_long: bool,
    last_cr: bool,
    mode: Mode,
    echo_buf: Vec<u8>,
    booting_until: Option<Instant>,

    // faults
    next_cme: Option<u16>,
    byte_faults: Vec<(Target, bool)>,
    /// What happens to the next ACKs from the broker, in order: `None` = withhold,
    /// `Some(d)` = delay by `d`.
    ack_faults: VecDeque<Option<Duration>>,
    delayed: Vec<(Instant, u64, Packet)>,

    // MQTT client
    client: Option<ClientCfg>,
    state: State,
    was_connected: bool,
    subs: Vec<(String, u8)>,
    next_id: u16,
    ping_echo: bool,
    rec_enabled: bool,
    rec_count: u32,
    ack_to: u32,
    open: Option<OpenParams>,
    link: Option<Link>,
    link_broken: bool,
    gen: u64,
    pending: Option<Pending>,
    ok_sent: bool,
    held: Vec<(Kind, Vec<u8>)>,
    reconnect: Option<Reconnect>,
    qos2_in: HashSet<u16>,
}

impl Core {
    fn new(s: CoreSetup) -> Core {
        let seed = s.cfg.seed;
        Core {
            echo: s.cfg.echo,
            cmee: s.cfg.cmee,
            cfg: s.cfg,
            rx: s.rx,
            tx: s.tx,
            out: s.out,
            log: s.log,
            broker_addr: s.broker_addr,
            rng: Rng::new(seed),
            inbuf: VecDeque::new(),
            line: Vec::new(),
            line_too_long: false,
            last_cr: false,
            mode: Mode::Command,
            echo_buf: Vec::new(),
            booting_until: None,
            next_cme: None,
            byte_faults: Vec::new(),
            ack_faults: VecDeque::new(),
            delayed: Vec::new(),
            client: None,
            state: State::NoClient,
            was_connected: false,
            subs: Vec::new(),
            next_id: 1,
            ping_echo: false,
            rec_enabled: true,
            rec_count: 0,
            ack_to: 10,
            open: None,
            link: None,
            link_broken: false,
            gen: 0,
            pending: None,
            ok_sent: false,
            held: Vec::new(),
            reconnect: None,
            qos2_in: HashSet::new(),
        }
    }

    fn run(&mut self) {
        loop {
            let ev = match self.next_deadline() {
                Some(t) => {
                    let wait = t.saturating_duration_since(Instant::now());
                    self.rx.recv_timeout(wait)
                }
                None => self.rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
            };
            match ev {
                Ok(CoreEvent::Shutdown) | Err(RecvTimeoutError::Disconnected) => break,
                Ok(ev) => self.handle(ev),
                Err(RecvTimeoutError::Timeout) => {}
            }
            self.after_event();
        }
        self.drop_link(false);
        self.flush_echo();
        let _ = self.out.send(OutMsg::Stop);
    }

    fn after_event(&mut self) {
        // timers and input until nothing changes
        for _ in 0..64 {
            let before = self.progress_marker();
            self.timers();
            if self.link_broken {
                self.link_broken = false;
                self.link_failed(Fail::Closed);
            }
            self.process_input();
            if self.progress_marker() == before {
                break;
            }
        }
        if !self.holding() && !self.held.is_empty() {
            self.flush_held();
        }
        self.flush_echo();
    }

    fn progress_marker(&self) -> (usize, bool, bool) {
        (
            self.inbuf.len(),
            self.pending.is_some(),
            matches!(self.mode, Mode::Command),
        )
    }

    fn sec(&self, n: u64) -> Duration {
        self.cfg
            .module_second
            .saturating_mul(u32::try_from(n).unwrap_or(u32::MAX))
    }

    // ------------------------------------------------------------------ events

    fn handle(&mut self, ev: CoreEvent) {
        match ev {
            CoreEvent::Input(bytes) => {
                if self.booting_until.is_none() {
                    self.inbuf.extend(bytes);
                }
            }
            CoreEvent::Link(gen, ev) => self.link_event(gen, ev),
            CoreEvent::Fault(f) => self.fault(f),
            CoreEvent::Shutdown => {}
        }
    }

    fn fault(&mut self, f: Fault) {
        match f {
            Fault::DropByte(t) => self.byte_faults.push((t, true)),
            Fault::CorruptByte(t) => self.byte_faults.push((t, false)),
            Fault::WithholdAck => self.ack_faults.push_back(None),
            Fault::DelayAck(d) => self.ack_faults.push_back(Some(d)),
            Fault::CutLink => {
                if self.link.is_some() {
                    self.link_failed(Fail::Closed);
                }
            }
            Fault::RestartBroker => {}
            Fault::CmeError(n) => self.next_cme = Some(n),
            Fault::Reboot => self.reboot(),
            Fault::Garbage(n) => {
                let bytes: Vec<u8> = (0..n).map(|_| self.rng.below(256) as u8).collect();
                self.emit(Kind::Raw, bytes);
            }
            Fault::Raw(bytes) => self.emit(Kind::Raw, bytes),
        }
    }

    fn reboot(&mut self) {
        self.drop_link(false);
        self.echo = self.cfg.echo;
        self.cmee = self.cfg.cmee;
        self.inbuf.clear();
        self.line.clear();
        self.line_too_long = false;
        self.last_cr = false;
        self.mode = Mode::Command;
        self.echo_buf.clear();
        self.next_cme = None;
        self.ack_faults.clear();
        self.delayed.clear();
        self.client = None;
        self.state = State::NoClient;
        self.was_connected = false;
        self.subs.clear();
        self.next_id = 1;
        self.ping_echo = false;
        self.rec_enabled = true;
        self.rec_count = 0;
        self.ack_to = 10;
        self.open = None;
        self.link_broken = false;
        self.pending = None;
        self.ok_sent = false;
        self.held.clear();
        self.reconnect = None;
        self.qos2_in.clear();
        self.booting_until = Some(Instant::now() + self.cfg.boot_time);
    }

    fn boot_banner(&mut self) {
        if let Some(b) = self.cfg.boot_banner.clone() {
            self.emit(Kind::Urc, framed(&b));
        }
    }

    // ------------------------------------------------------------------ timers

    fn next_deadline(&self) -> Option<Instant> {
        let mut t: Option<Instant> = None;
        let mut add = |x: Instant| t = Some(t.map_or(x, |y| y.min(x)));
        if let Some(b) = self.booting_until {
            add(b);
        }
        match &self.mode {
            Mode::Command => {}
            Mode::PromptWait { until, .. } => add(*until),
            Mode::Payload { deadline, .. } => add(*deadline),
        }
        match &self.pending {
            Some(Pending::Sub { deadline, .. })
            | Some(Pending::Unsub { deadline, .. })
            | Some(Pending::Pub { deadline, .. }) => add(*deadline),
            Some(Pending::Linger { until }) => add(*until),
            Some(Pending::Open) | None => {}
        }
        if let Some(link) = &self.link {
            match link.phase {
                Phase::AwaitConnAck(d) => add(d),
                Phase::Up => {
                    if let Some(k) = self.keepalive() {
                        add(link.last_sent + k);
                    }
                }
                Phase::Connecting => {}
            }
        }
        if let Some(Reconnect {
            next_at: Some(n), ..
        }) = &self.reconnect
        {
            add(*n);
        }
        for (d, _, _) in &self.delayed {
            add(*d);
        }
        t
    }

    fn keepalive(&self) -> Option<Duration> {
        let ka = self.client.as_ref().map_or(0, |c| c.keep_alive);
        (ka > 0).then(|| self.sec(u64::from(ka)))
    }

    fn timers(&mut self) {
        let now = Instant::now();
        if let Some(b) = self.booting_until {
            if now >= b {
                self.booting_until = None;
                self.boot_banner();
            } else {
                return;
            }
        }
        // delayed ACKs
        let due: Vec<(u64, Packet)> = {
            let (due, keep): (Vec<_>, Vec<_>) = std::mem::take(&mut self.delayed)
                .into_iter()
                .partition(|(d, _, _)| *d <= now);
            self.delayed = keep;
            due.into_iter().map(|(_, g, p)| (g, p)).collect()
        };
        for (gen, p) in due {
            if self.link.as_ref().is_some_and(|l| l.gen == gen) {
                self.packet(p, true);
            }
        }
        // length mode
        match &self.mode {
            Mode::PromptWait { until, .. } if now >= *until => self.prompt(),
            Mode::Payload { deadline, .. } if now >= *deadline => {
                self.mode = Mode::Command;
                self.finish_err(601);
            }
            _ => {}
        }
        // pending command time-outs
        match self.pending.clone() {
            Some(Pending::Sub { deadline, .. }) if now >= deadline => {
                self.ack_timeout_line(3);
                self.finish_err(616);
            }
            Some(Pending::Unsub { deadline, .. }) if now >= deadline => {
                self.ack_timeout_line(4);
                self.finish_err(616);
            }
            Some(Pending::Pub { deadline, .. }) if now >= deadline => {
                self.ack_timeout_line(2);
                self.finish_err(616);
            }
            Some(Pending::Linger { until }) if now >= until => self.finish_ok(),
            _ => {}
        }
        // link timers
        let phase = self.link.as_ref().map(|l| (l.phase, l.last_sent));
        match phase {
            Some((Phase::AwaitConnAck(d), _)) if now >= d => {
                self.ack_timeout_line(1);
                self.link_failed(Fail::Timeout);
            }
            Some((Phase::Up, last)) => {
                if let Some(k) = self.keepalive() {
                    if now >= last + k {
                        self.keepalive_due();
                    }
                }
            }
            _ => {}
        }
        if let Some(Reconnect {
            next_at: Some(n), ..
        }) = &self.reconnect
        {
            if now >= *n {
                self.reconnect_attempt();
            }
        }
    }

    fn keepalive_due(&mut self) {
        let ping_out = self.link.as_ref().is_some_and(|l| l.ping_out);
        if ping_out {
            let lost = match self.link.as_mut() {
                Some(l) => {
                    l.lost_pings += 1;
                    l.lost_pings
                }
                None => 0,
            };
            self.ack_timeout_line(5);
            if lost >= MAX_LOST_PINGS {
                self.link_failed(Fail::Closed);
                return;
            }
        }
        self.send(Packet::PingReq);
        if let Some(l) = self.link.as_mut() {
            l.ping_out = true;
            // make sure the timer moves on even if the write failed
            l.last_sent = Instant::now();
        }
    }

    // ------------------------------------------------------------------ output

    fn sp(&self) -> &'static str {
        match self.cfg.spelling {
            Spelling::Manual => " ",
            Spelling::Chapter3 => "",
        }
    }

    fn flush_echo(&mut self) {
        if !self.echo_buf.is_empty() {
            let bytes = std::mem::take(&mut self.echo_buf);
            let _ = self.out.send(OutMsg::Data(bytes));
        }
    }

    fn emit(&mut self, kind: Kind, mut bytes: Vec<u8>) {
        self.flush_echo();
        if !bytes.is_empty() {
            let target = match kind {
                Kind::Response => Some(Target::Response),
                Kind::Urc => Some(Target::Urc),
                Kind::Payload => Some(Target::Payload),
                Kind::Raw => None,
            };
            if let Some(t) = target {
                if let Some(pos) = self.byte_faults.iter().position(|(ft, _)| *ft == t) {
                    let (_, drop) = self.byte_faults.remove(pos);
                    let at = self.rng.below(bytes.len() as u64) as usize;
                    if drop {
                        bytes.remove(at);
                    } else if let Some(b) = bytes.get_mut(at) {
                        *b ^= 1 + self.rng.below(255) as u8;
                    }
                }
            }
        }
        let _ = self.out.send(OutMsg::Data(bytes));
    }

    /// URCs wait while a command runs (until its ACK line) and during length-mode
    /// data entry (between the prompt and the command's result).
    fn holding(&self) -> bool {
        matches!(
            self.pending,
            Some(Pending::Open | Pending::Sub { .. } | Pending::Unsub { .. } | Pending::Pub { .. })
        ) || !matches!(self.mode, Mode::Command)
    }

    fn resp(&mut self, text: &str) {
        self.emit(Kind::Response, framed(text));
    }

    fn urc(&mut self, text: &str) {
        self.urc_parts(vec![(Kind::Urc, framed(text))]);
    }

    fn urc_parts(&mut self, parts: Vec<(Kind, Vec<u8>)>) {
        if self.holding() {
            self.held.extend(parts);
        } else {
            for (k, b) in parts {
                self.emit(k, b);
            }
        }
    }

    fn flush_held(&mut self) {
        for (k, b) in std::mem::take(&mut self.held) {
            self.emit(k, b);
        }
    }

    fn ok(&mut self) {
        self.resp("OK");
    }

    fn plain_error(&mut self) {
        self.resp("ERROR");
    }

    fn cme(&mut self, code: u16) {
        if self.cmee >= 1 {
            self.resp(&format!("+CME ERROR: {code}"));
        } else {
            self.plain_error();
        }
    }

    /// `+MQTTTO: <type>` — part of the failing command's answer, never held.
    fn ack_timeout_line(&mut self, kind: u8) {
        let line = format!("+MQTTTO:{}{kind}", self.sp());
        self.emit(Kind::Urc, framed(&line));
    }

    fn finish_ok(&mut self) {
        self.flush_held();
        if !self.ok_sent {
            self.ok();
        }
        self.ok_sent = false;
        self.pending = None;
    }

    fn finish_err(&mut self, code: u16) {
        self.flush_held();
        if !self.ok_sent {
            self.cme(code);
        }
        self.ok_sent = false;
        self.pending = None;
    }

    /// Prints the ACK line that completes a blocking command, then lingers before OK.
    fn ack_line(&mut self, text: &str) {
        if self.ok_sent {
            self.flush_held();
            self.emit(Kind::Urc, framed(text));
            self.ok_sent = false;
            self.pending = None;
            return;
        }
        self.resp(text);
        self.flush_held();
        self.linger();
    }

    fn linger(&mut self) {
        if self.cfg.final_linger.is_zero() {
            self.finish_ok();
        } else {
            self.pending = Some(Pending::Linger {
                until: Instant::now() + self.cfg.final_linger,
            });
        }
    }

    /// For the `ok_before_ack` quirk: the final `OK` right when the command is sent.
    fn early_ok(&mut self) {
        if self.cfg.quirks.ok_before_ack {
            self.ok();
            self.ok_sent = true;
        }
    }

    // ------------------------------------------------------------------ input

    fn process_input(&mut self) {
        while self.pending.is_none() && self.booting_until.is_none() {
            match &mut self.mode {
                Mode::Command => {
                    let Some(b) = self.inbuf.pop_front() else {
                        return;
                    };
                    self.command_byte(b);
                }
                Mode::PromptWait { .. } => {
                    match self.inbuf.front() {
                        None => return,
                        Some(&LF) => {
                            self.inbuf.pop_front();
                        }
                        Some(_) => {}
                    }
                    self.prompt();
                }
                Mode::Payload { need, got, .. } => {
                    if self.inbuf.is_empty() {
                        return;
                    }
                    let take = (*need - got.len()).min(self.inbuf.len());
                    got.extend(self.inbuf.drain(..take));
                    if got.len() == *need {
                        let Mode::Payload { cmd, got, .. } =
                            std::mem::replace(&mut self.mode, Mode::Command)
                        else {
                            return;
                        };
                        self.log_received(Received::Payload(got.clone()));
                        self.publish(cmd, got);
                    }
                }
            }
        }
    }

    fn command_byte(&mut self, b: u8) {
        if self.last_cr && b == LF {
            self.last_cr = false;
            return;
        }
        self.last_cr = false;
        match b {
            CR | LF => {
                if self.echo {
                    self.echo_buf.push(b);
                }
                self.last_cr = b == CR;
                let line = std::mem::take(&mut self.line);
                let too_long = std::mem::replace(&mut self.line_too_long, false);
                if line.iter().all(|c| *c == b' ' || *c == b'\t') && !too_long {
                    return;
                }
                self.log_received(Received::Line(line.clone()));
                if too_long {
                    self.plain_error();
                } else {
                    self.command_line(&line);
                }
            }
            0x08 | 0x7f => {
                if self.echo {
                    self.echo_buf.push(b);
                }
                self.line.pop();
            }
            _ => {
                if self.echo {
                    self.echo_buf.push(b);
                }
                // the line's content plus CR LF must fit `max_line`
                if self.line.len() + 1 + 2 > self.cfg.max_line {
                    self.line_too_long = true;
                } else {
                    self.line.push(b);
                }
            }
        }
    }

    fn log_received(&self, r: Received) {
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        // Bounded: a long soak must not grow the log without end. The newest
        // RECEIVED_LOG_CAP entries are kept.
        if log.len() >= 2 * crate::RECEIVED_LOG_CAP {
            log.drain(..crate::RECEIVED_LOG_CAP);
        }
        log.push(r);
    }

    fn prompt(&mut self) {
        let Mode::PromptWait { cmd, len, .. } = std::mem::replace(&mut self.mode, Mode::Command)
        else {
            return;
        };
        self.last_cr = false;
        self.emit(Kind::Response, b"\r\n> ".to_vec());
        self.mode = Mode::Payload {
            cmd,
            need: len,
            got: Vec::with_capacity(len),
            deadline: Instant::now() + self.cfg.payload_timeout,
        };
    }

    // ------------------------------------------------------------------ commands

    fn command_line(&mut self, line: &[u8]) {
        if let Some(code) = self.next_cme.take() {
            self.resp(&format!("+CME ERROR: {code}"));
            return;
        }
        match at::parse_line(line) {
            Parsed::At => self.ok(),
            Parsed::Basic(cmds) => {
                for c in cmds {
                    match c {
                        Basic::Echo(on) => self.echo = on,
                        Basic::Store => {}
                        Basic::Reset => {
                            self.echo = self.cfg.echo;
                            self.cmee = self.cfg.cmee;
                        }
                    }
                }
                self.ok();
            }
            Parsed::Extended { name, form } => self.extended(&name, form),
            Parsed::Invalid => self.plain_error(),
        }
    }

    fn extended(&mut self, name: &str, form: Form) {
        let sp = self.sp();
        match (name, form) {
            ("CMEE", Form::Set(p)) => match one_number(&p) {
                Some(n @ 0..=1) => {
                    self.cmee = n as u8;
                    self.ok();
                }
                _ => self.plain_error(),
            },
            ("CMEE", Form::Query) => {
                self.resp(&format!("+CMEE: {}", self.cmee));
                self.ok();
            }
            ("CPIN", Form::Query) => self.info("+CPIN: READY"),
            ("CSQ", Form::Exec) => self.info("+CSQ: 31,99"),
            ("CGATT", Form::Query) => self.info("+CGATT: 1"),
            ("CEREG", Form::Query) => self.info("+CEREG: 0,1"),
            ("CGMI", Form::Exec) => self.info("China Mobile"),
            ("CGMM", Form::Exec) => self.info("ML302"),
            ("MQTTCFG", Form::Set(p)) => self.cfg_set(&p),
            ("MQTTCFG", Form::Query) => self.cfg_query(),
            ("MQTTOPEN", Form::Set(p)) => self.open_cmd(&p),
            ("MQTTSTAT", Form::Query) => {
                let s = self.stat();
                self.resp(&format!("+MQTTSTAT:{sp}{s}"));
                self.ok();
            }
            ("MQTTSUB", Form::Set(p)) => self.sub_cmd(&p),
            ("MQTTSUB", Form::Query) => {
                self.resp("+MQTTSUB:");
                for (t, _) in self.subs.clone() {
                    self.resp(&t);
                }
                self.ok();
            }
            ("MQTTUNSUB", Form::Set(p)) => self.unsub_cmd(&p),
            ("MQTTPUB", Form::Set(p)) => self.pub_cmd(&p),
            ("MQTTDISC", Form::Exec) => self.disc_cmd(),
            ("MQTTDEL", Form::Exec) => self.del_cmd(),
            ("MQTTPING", Form::Set(p)) => match one_number(&p) {
                Some(n @ 0..=1) => {
                    self.ping_echo = n == 1;
                    self.ok();
                }
                _ => self.cme(601),
            },
            ("MQTTPING", Form::Query) => {
                let v = u8::from(self.ping_echo);
                self.resp(&format!("+MQTTPING:{sp}{v}"));
                self.ok();
            }
            ("MQTTREC", Form::Set(p)) => match one_number(&p) {
                Some(n @ 0..=1) => {
                    self.rec_enabled = n == 1;
                    self.ok();
                }
                _ => self.cme(601),
            },
            ("MQTTREC", Form::Query) => {
                let (e, c) = (u8::from(self.rec_enabled), self.rec_count);
                self.resp(&format!("+MQTTREC:{sp}{e},{c}"));
                self.ok();
            }
            ("MQTTTO", Form::Set(p)) => match one_number(&p) {
                Some(n @ 1..=3600) => {
                    self.ack_to = n;
                    self.ok();
                }
                _ => self.cme(601),
            },
            ("MQTTTO", Form::Query) => {
                let v = self.ack_to;
                self.resp(&format!("+MQTTTO:{sp}{v}"));
                self.ok();
            }
            _ => self.plain_error(),
        }
    }

    fn info(&mut self, text: &str) {
        self.resp(text);
        self.ok();
    }

    fn cfg_set(&mut self, p: &[Param]) {
        if self.state != State::NoClient {
            return self.plain_error();
        }
        let parsed = (|| {
            if p.len() != 7 && p.len() != 9 {
                return None;
            }
            let host = string_max(p.first()?, 128).filter(|h| !h.is_empty())?;
            let port = u16::try_from(p.get(1)?.number()?).ok().filter(|v| *v > 0)?;
            let id = string_max(p.get(2)?, 128)?;
            let keep_alive = u16::try_from(p.get(3)?.number()?).ok()?;
            let user = string_max(p.get(4)?, 128)?;
            let pass = string_max(p.get(5)?, 128)?;
            let clean = flag(p.get(6)?)?;
            let (version, encrypt) = if p.len() == 9 {
                (string_max(p.get(7)?, 128)?, flag(p.get(8)?)?)
            } else {
                (String::new(), false)
            };
            if encrypt && version.is_empty() {
                return None;
            }
            Some(ClientCfg {
                host,
                port,
                id,
                keep_alive,
                user,
                pass,
                clean,
                version,
                encrypt,
            })
        })();
        match parsed {
            Some(c) => {
                self.client = Some(c);
                self.state = State::Idle;
                self.was_connected = false;
                self.subs.clear();
                self.next_id = 1;
                // the OpenCPU library resets these on a new configuration (spec §2.1)
                self.ack_to = 10;
                self.ping_echo = false;
                self.rec_count = 0;
                self.ok();
            }
            None => self.plain_error(),
        }
    }

    fn cfg_query(&mut self) {
        match self.client.clone() {
            Some(c) => {
                let line = format!(
                    "+MQTTCFG:{}\"{}\",{},\"{}\",{},\"{}\",\"***\",{},\"{}\",{}",
                    self.sp(),
                    c.host,
                    c.port,
                    c.id,
                    c.keep_alive,
                    c.user,
                    u8::from(c.clean),
                    c.version,
                    u8::from(c.encrypt)
                );
                self.resp(&line);
            }
            None => {
                self.resp("+MQTTCFG:\"(null)\",0,\"(null)\",0,\"(null)\",\"***\",0,\"(null)\",0")
            }
        }
        self.ok();
    }

    fn stat(&self) -> u8 {
        let phase = self.link.as_ref().map(|l| l.phase);
        if self.cfg.quirks.m5311_stat {
            match self.state {
                State::NoClient => 0,
                State::Idle if self.was_connected => 2,
                State::Idle => 1,
                State::Connected => 5,
                State::Reconnecting => 4,
            }
        } else {
            match (self.state, phase) {
                (State::Connected, _) => 1,
                (State::Reconnecting, Some(Phase::Connecting)) => 2,
                (State::Reconnecting, Some(Phase::AwaitConnAck(_))) => 4,
                _ => 0,
            }
        }
    }

    fn open_cmd(&mut self, p: &[Param]) {
        let parsed = (|| {
            if p.len() != 7 {
                return None;
            }
            let user = flag(p.first()?)?;
            let pass = flag(p.get(1)?)?;
            let will = flag(p.get(2)?)?;
            let retain = flag(p.get(3)?)?;
            let qos = qos(p.get(4)?)?;
            let topic = string_max(p.get(5)?, 512)?;
            let msg = p.get(6)?;
            if !msg.quoted || msg.raw_len > 512 {
                return None;
            }
            let msg = msg.value.clone();
            Some((user, pass, will, retain, qos, topic, msg))
        })();
        let Some((user, pass, will, retain, qos_v, topic, msg)) = parsed else {
            return self.cme(601);
        };
        let Some(client) = self.client.clone() else {
            return self.cme(601);
        };
        match self.state {
            State::Connected | State::Reconnecting => return self.cme(602),
            State::NoClient => return self.cme(601),
            State::Idle => {}
        }
        let consistent = (!user || !client.user.is_empty())
            && (!pass || (user && !client.pass.is_empty()))
            && if will {
                at::valid_topic_name(&topic)
            } else {
                !retain && qos_v == 0 && topic.is_empty() && msg.is_empty()
            };
        if !consistent {
            return self.cme(601);
        }
        if client.encrypt {
            // TLS is not simulated: socket set-up fails.
            return self.cme(613);
        }
        self.open = Some(OpenParams {
            user,
            pass,
            will: will.then(|| LastWill::new(topic, msg, to_qos(qos_v), retain)),
        });
        self.rec_count = 0;
        self.pending = Some(Pending::Open);
        self.early_ok();
        self.start_link(Purpose::Open);
    }

    fn connected_or(&mut self) -> bool {
        match self.state {
            State::Connected => true,
            State::Reconnecting => {
                self.cme(617);
                false
            }
            State::NoClient | State::Idle => {
                self.cme(600);
                false
            }
        }
    }

    fn take_id(&mut self) -> u16 {
        let id = self.next_id;
        self.next_id = if id == u16::MAX { 1 } else { id + 1 };
        id
    }

    fn ack_deadline(&self) -> Instant {
        Instant::now() + self.sec(u64::from(self.ack_to))
    }

    fn sub_cmd(&mut self, p: &[Param]) {
        let parsed = (|| {
            if p.len() != 2 {
                return None;
            }
            let topic = string_max(p.first()?, 512).filter(|t| at::valid_filter(t))?;
            let q = qos(p.get(1)?)?;
            Some((topic, q))
        })();
        let Some((topic, q)) = parsed else {
            return self.cme(601);
        };
        if !self.connected_or() {
            return;
        }
        if self.subs.iter().any(|(t, _)| *t == topic) {
            return self.cme(606);
        }
        let id = self.take_id();
        let packet = Packet::Subscribe(rumqttc::mqttbytes::v4::Subscribe {
            pkid: id,
            filters: vec![SubscribeFilter::new(topic.clone(), to_qos(q))],
        });
        self.pending = Some(Pending::Sub {
            id,
            topic,
            deadline: self.ack_deadline(),
        });
        self.early_ok();
        self.send(packet);
    }

    fn unsub_cmd(&mut self, p: &[Param]) {
        let parsed = (|| {
            if p.len() != 1 {
                return None;
            }
            string_max(p.first()?, 512).filter(|t| !t.is_empty())
        })();
        let Some(topic) = parsed else {
            return self.cme(601);
        };
        if !self.connected_or() {
            return;
        }
        if !self.subs.iter().any(|(t, _)| *t == topic) {
            return self.cme(621);
        }
        let id = self.take_id();
        let packet = Packet::Unsubscribe(Unsubscribe {
            pkid: id,
            topics: vec![topic.clone()],
        });
        self.pending = Some(Pending::Unsub {
            id,
            topic,
            deadline: self.ack_deadline(),
        });
        self.early_ok();
        self.send(packet);
    }

    fn pub_cmd(&mut self, p: &[Param]) {
        let parsed = (|| {
            if p.len() != 5 {
                return None;
            }
            let topic = string_max(p.first()?, 512).filter(|t| at::valid_topic_name(t))?;
            let q = qos(p.get(1)?)?;
            let retain = flag(p.get(2)?)?;
            let dup = flag(p.get(3)?)?;
            let m = p.get(4)?;
            let body = if m.quoted {
                if m.raw_len > 1024 {
                    return None;
                }
                Ok(m.value.clone())
            } else {
                let n = m.number()? as usize;
                let max = LENGTH_MODE_BUFFER.saturating_sub(7 + topic.len());
                if n == 0 || n > max {
                    return None;
                }
                Err(n)
            };
            Some((
                PubCmd {
                    topic,
                    qos: q,
                    retain,
                    dup,
                },
                body,
            ))
        })();
        let Some((cmd, body)) = parsed else {
            return self.cme(601);
        };
        if !self.connected_or() {
            return;
        }
        match body {
            Ok(payload) => self.publish(cmd, payload),
            Err(len) => {
                if self.last_cr {
                    self.mode = Mode::PromptWait {
                        cmd,
                        len,
                        until: Instant::now() + self.cfg.lf_grace,
                    };
                } else {
                    self.mode = Mode::PromptWait {
                        cmd,
                        len,
                        until: Instant::now(),
                    };
                    self.prompt();
                }
            }
        }
    }

    fn publish(&mut self, cmd: PubCmd, payload: Vec<u8>) {
        if self.state != State::Connected {
            self.flush_held();
            self.connected_or();
            return;
        }
        let id = self.take_id();
        let mut publish = Publish::new(cmd.topic, to_qos(cmd.qos), payload);
        publish.retain = cmd.retain;
        if cmd.qos > 0 {
            publish.pkid = id;
            publish.dup = cmd.dup;
        }
        match cmd.qos {
            0 => {
                self.send(Packet::Publish(publish));
                self.finish_ok();
            }
            q => {
                self.pending = Some(Pending::Pub {
                    id,
                    stage: if q == 1 { PubStage::Ack } else { PubStage::Rec },
                    deadline: self.ack_deadline(),
                });
                self.early_ok();
                self.send(Packet::Publish(publish));
            }
        }
    }

    fn disc_cmd(&mut self) {
        match self.state {
            State::Connected | State::Reconnecting => {
                self.drop_link(true);
                self.reconnect = None;
                self.state = State::Idle;
                self.was_connected = true;
                self.subs.clear();
                let line = format!("+MQTTDISC:{}OK", self.sp());
                self.resp(&line);
                self.ok();
            }
            State::Idle | State::NoClient => self.plain_error(),
        }
    }

    fn del_cmd(&mut self) {
        match self.state {
            State::Connected | State::Reconnecting => self.cme(602),
            State::Idle | State::NoClient => {
                self.client = None;
                self.open = None;
                self.state = State::NoClient;
                self.subs.clear();
                self.ok();
            }
        }
    }

    // ------------------------------------------------------------------ link

    fn start_link(&mut self, purpose: Purpose) {
        self.drop_link(false);
        self.gen += 1;
        let target = match (&self.cfg.broker, self.broker_addr, &self.client) {
            (BrokerMode::Fixed(a), _, _) => LinkTarget::Addr(*a),
            (BrokerMode::InProcess, Some(a), _) => LinkTarget::Addr(a),
            (_, _, Some(c)) => LinkTarget::Host(c.host.clone(), c.port),
            (_, _, None) => LinkTarget::Host(String::new(), 0),
        };
        let shared = Arc::new(LinkShared::default());
        let thread = mqtt::spawn(
            self.gen,
            target,
            self.sec(20),
            self.tx.clone(),
            shared.clone(),
        )
        .ok();
        let failed = thread.is_none();
        self.link = Some(Link {
            gen: self.gen,
            shared,
            thread,
            stream: None,
            phase: Phase::Connecting,
            purpose,
            last_sent: Instant::now(),
            ping_out: false,
            lost_pings: 0,
        });
        if failed {
            self.link_failed(Fail::Connect);
        }
    }

    /// Closes the link (with DISCONNECT first if `graceful`) and joins its thread.
    fn drop_link(&mut self, graceful: bool) {
        if let Some(mut link) = self.link.take() {
            if graceful && link.phase == Phase::Up {
                if let Some(s) = link.stream.as_mut() {
                    let _ = mqtt::write_packet(s, &Packet::Disconnect);
                }
            }
            if let Some(s) = link.stream.take() {
                let _ = s.shutdown(std::net::Shutdown::Both);
            }
            link.shared.stop();
            if let Some(t) = link.thread.take() {
                let _ = t.join();
            }
        }
        self.link_broken = false;
    }

    fn send(&mut self, p: Packet) {
        let Some(link) = self.link.as_mut() else {
            return;
        };
        let Some(stream) = link.stream.as_mut() else {
            return;
        };
        if mqtt::write_packet(stream, &p).is_err() {
            self.link_broken = true;
        } else {
            link.last_sent = Instant::now();
        }
    }

    fn link_event(&mut self, gen: u64, ev: LinkEvent) {
        if self.link.as_ref().map(|l| l.gen) != Some(gen) {
            if let LinkEvent::Connected(s) = ev {
                let _ = s.shutdown(std::net::Shutdown::Both);
            }
            return;
        }
        match ev {
            LinkEvent::Connected(stream) => self.link_up(stream),
            LinkEvent::ConnectFailed => self.link_failed(Fail::Connect),
            LinkEvent::Closed => self.link_failed(Fail::Closed),
            LinkEvent::Packet(p) => self.packet(p, false),
        }
    }

    fn link_up(&mut self, stream: TcpStream) {
        let _ = stream.set_write_timeout(Some(Duration::from_secs(20)));
        let Some(client) = self.client.clone() else {
            return self.link_failed(Fail::Connect);
        };
        let open = self.open.clone().unwrap_or(OpenParams {
            user: false,
            pass: false,
            will: None,
        });
        let deadline = self.ack_deadline();
        if let Some(l) = self.link.as_mut() {
            l.stream = Some(stream);
            l.phase = Phase::AwaitConnAck(deadline);
        }
        let login = open.user.then(|| Login {
            username: client.user.clone(),
            password: if open.pass {
                client.pass.clone()
            } else {
                String::new()
            },
        });
        let connect = Connect {
            protocol: Protocol::V4,
            keep_alive: client.keep_alive,
            client_id: client.id.clone(),
            clean_session: client.clean,
            last_will: open.will,
            login,
        };
        self.send(Packet::Connect(connect));
    }

    fn link_failed(&mut self, why: Fail) {
        let Some(link) = self.link.as_ref() else {
            return;
        };
        let (phase, purpose) = (link.phase, link.purpose);
        self.drop_link(false);
        if phase == Phase::Up {
            return self.connection_lost();
        }
        match purpose {
            Purpose::Open => {
                self.state = State::Idle;
                if self.ok_sent {
                    self.flush_held();
                    self.emit(Kind::Urc, framed("+MQTTOPEN:FAIL"));
                    self.ok_sent = false;
                    self.pending = None;
                } else {
                    let code = match why {
                        Fail::Refused(c) => {
                            self.resp("+MQTTOPEN:FAIL");
                            c
                        }
                        Fail::Timeout => 604,
                        Fail::Connect | Fail::Closed => 603,
                    };
                    self.finish_err(code);
                }
            }
            Purpose::Reconnect => {
                if matches!(why, Fail::Refused(_)) {
                    self.urc("+MQTTOPEN:FAIL");
                }
                self.reconnect_failed();
            }
        }
    }

    fn connection_lost(&mut self) {
        if matches!(
            self.pending,
            Some(Pending::Sub { .. } | Pending::Unsub { .. } | Pending::Pub { .. })
        ) {
            self.finish_err(617);
        }
        self.was_connected = true;
        if self.rec_enabled {
            self.state = State::Reconnecting;
            self.reconnect = Some(Reconnect {
                attempt: 0,
                next_at: Some(Instant::now()),
            });
        } else {
            self.state = State::Idle;
            self.subs.clear();
            let line = format!("+MQTTDISC:{}OK", self.sp());
            self.urc(&line);
        }
    }

    fn reconnect_attempt(&mut self) {
        let Some(r) = self.reconnect.as_mut() else {
            return;
        };
        let n = r.attempt;
        r.next_at = None;
        self.rec_count += 1;
        self.urc(&format!("+MQTTREC:{n}"));
        self.start_link(Purpose::Reconnect);
    }

    fn reconnect_failed(&mut self) {
        let Some(r) = self.reconnect.as_mut() else {
            return;
        };
        r.attempt += 1;
        if r.attempt >= RECONNECT_ATTEMPTS {
            self.reconnect = None;
            self.state = State::Idle;
            self.subs.clear();
            let line = format!("+MQTTDISC:{}OK", self.sp());
            self.urc(&line);
        } else {
            r.next_at = Some(Instant::now() + self.cfg.reconnect_interval);
        }
    }

    fn packet(&mut self, p: Packet, released: bool) {
        let is_ack = matches!(
            p,
            Packet::ConnAck(_)
                | Packet::SubAck(_)
                | Packet::UnsubAck(_)
                | Packet::PubAck(_)
                | Packet::PubRec(_)
                | Packet::PubComp(_)
        );
        if is_ack && !released {
            match self.ack_faults.pop_front() {
                None => {}
                Some(None) => return,
                Some(Some(d)) => {
                    self.delayed.push((Instant::now() + d, self.gen, p));
                    return;
                }
            }
        }
        match p {
            Packet::ConnAck(ack) => self.connack(ack),
            Packet::SubAck(s) => {
                if let Some(Pending::Sub { id, topic, .. }) = self.pending.clone() {
                    if s.pkid == id {
                        match s.return_codes.first() {
                            Some(SubscribeReasonCode::Success(q)) => {
                                let q = *q as u8;
                                self.subs.push((topic.clone(), q));
                                self.ack_line(&format!("+MQTTSUBACK:{id},{q},{topic}"));
                            }
                            _ => {
                                let line = format!("+MQTTSUBACK:{id},128,{topic}");
                                if self.ok_sent {
                                    self.ack_line(&line);
                                } else {
                                    self.resp(&line);
                                    self.finish_err(605);
                                }
                            }
                        }
                    }
                }
            }
            Packet::UnsubAck(u) => {
                if let Some(Pending::Unsub { id, topic, .. }) = self.pending.clone() {
                    if u.pkid == id {
                        self.subs.retain(|(t, _)| *t != topic);
                        self.ack_line(&format!("+MQTTUNSUBACK:{id},\"{topic}\""));
                    }
                }
            }
            Packet::PubAck(PubAck { pkid }) => {
                if let Some(Pending::Pub {
                    id,
                    stage: PubStage::Ack,
                    ..
                }) = self.pending
                {
                    if pkid == id {
                        self.ack_line(&format!("+MQTTPUBACK:0,{id}"));
                    }
                }
            }
            Packet::PubRec(PubRec { pkid }) => {
                if let Some(Pending::Pub {
                    id,
                    stage: PubStage::Rec,
                    ..
                }) = self.pending
                {
                    if pkid == id {
                        let line = format!("+MQTTPUBREC:0,{id}");
                        if self.ok_sent {
                            self.emit(Kind::Urc, framed(&line));
                        } else {
                            self.resp(&line);
                        }
                        self.flush_held();
                        self.pending = Some(Pending::Pub {
                            id,
                            stage: PubStage::Comp,
                            deadline: self.ack_deadline(),
                        });
                        self.send(Packet::PubRel(PubRel::new(id)));
                    }
                }
            }
            Packet::PubComp(PubComp { pkid }) => {
                if let Some(Pending::Pub {
                    id,
                    stage: PubStage::Comp,
                    ..
                }) = self.pending
                {
                    if pkid == id {
                        self.ack_line(&format!("+MQTTPUBCOMP:0,{id}"));
                    }
                }
            }
            Packet::Publish(p) => self.incoming(p),
            Packet::PubRel(PubRel { pkid }) => {
                self.send(Packet::PubComp(PubComp::new(pkid)));
                self.qos2_in.remove(&pkid);
                let line = format!("+MQTTPUBREL:{}0,{pkid}", self.sp());
                self.urc(&line);
            }
            Packet::PingResp => {
                if let Some(l) = self.link.as_mut() {
                    l.ping_out = false;
                    l.lost_pings = 0;
                }
                if self.ping_echo {
                    let line = match self.cfg.spelling {
                        Spelling::Manual => "+MQTTPINGRSP: OK",
                        Spelling::Chapter3 => "+MQTTPINGRESP:OK",
                    };
                    self.urc(line);
                }
            }
            _ => {}
        }
    }

    fn connack(&mut self, ack: ConnAck) {
        let Some(link) = self.link.as_mut() else {
            return;
        };
        if !matches!(link.phase, Phase::AwaitConnAck(_)) {
            return;
        }
        use rumqttc::mqttbytes::v4::ConnectReturnCode as C;
        match ack.code {
            C::Success => {
                link.phase = Phase::Up;
                link.ping_out = false;
                link.lost_pings = 0;
                let purpose = link.purpose;
                let clean = self.client.as_ref().is_none_or(|c| c.clean);
                if clean || !ack.session_present {
                    self.subs.clear();
                }
                self.qos2_in.clear();
                self.state = State::Connected;
                self.was_connected = true;
                match purpose {
                    Purpose::Open => self.ack_line("+MQTTOPEN:OK"),
                    Purpose::Reconnect => {
                        self.reconnect = None;
                        self.urc("+MQTTOPEN:OK");
                    }
                }
            }
            C::BadClientId | C::BadUserNamePassword => self.link_failed(Fail::Refused(614)),
            _ => self.link_failed(Fail::Refused(603)),
        }
    }

    fn incoming(&mut self, p: Publish) {
        let qos = p.qos as u8;
        match p.qos {
            QoS::AtMostOnce => {}
            QoS::AtLeastOnce => self.send(Packet::PubAck(PubAck::new(p.pkid))),
            QoS::ExactlyOnce => {
                self.send(Packet::PubRec(PubRec::new(p.pkid)));
                if !self.qos2_in.insert(p.pkid) && p.dup {
                    return; // a resent QoS 2 message: delivered once only
                }
            }
        }
        if p.payload.len() > usize::from(u16::MAX) {
            // the module cannot print it (spec §3.9)
            return self.urc("+CME ERROR: 609");
        }
        let sp = self.sp();
        let topic = match self.cfg.spelling {
            Spelling::Manual => format!("\"{}\"", p.topic),
            Spelling::Chapter3 => p.topic.clone(),
        };
        let sep = if self.cfg.quirks.payload_own_line {
            "\r\n"
        } else {
            ","
        };
        let header = format!(
            "\r\n+MQTTPUBLISH:{sp}{},{qos},{},{},{topic},{}{sep}",
            u8::from(p.dup),
            u8::from(p.retain),
            p.pkid,
            p.payload.len()
        );
        self.urc_parts(vec![
            (Kind::Urc, header.into_bytes()),
            (Kind::Payload, p.payload.to_vec()),
            (Kind::Raw, b"\r\n".to_vec()),
        ]);
    }
}

fn framed(text: &str) -> Vec<u8> {
    let mut v = Vec::with_capacity(text.len() + 4);
    v.extend_from_slice(b"\r\n");
    v.extend_from_slice(text.as_bytes());
    v.extend_from_slice(b"\r\n");
    v
}

fn one_number(p: &[Param]) -> Option<u32> {
    match p {
        [x] => x.number(),
        _ => None,
    }
}

fn flag(p: &Param) -> Option<bool> {
    match p.number()? {
        0 => Some(false),
        1 => Some(true),
        _ => None,
    }
}

fn qos(p: &Param) -> Option<u8> {
    p.number().filter(|q| *q <= 2).map(|q| q as u8)
}

fn to_qos(q: u8) -> QoS {
    match q {
        0 => QoS::AtMostOnce,
        1 => QoS::AtLeastOnce,
        _ => QoS::ExactlyOnce,
    }
}

fn string_max(p: &Param, max: usize) -> Option<String> {
    if p.raw_len > max {
        return None;
    }
    p.string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn core() -> Core {
        let (tx, rx) = std::sync::mpsc::channel();
        let (out, _out_rx) = std::sync::mpsc::channel();
        Core::new(CoreSetup {
            cfg: SimConfig::default(),
            rx,
            tx,
            out,
            log: Arc::new(Mutex::new(Vec::new())),
            broker_addr: None,
        })
    }

    #[test]
    fn packet_id_counter_wraps_from_65535_to_1() {
        let mut c = core();
        assert_eq!(c.take_id(), 1, "starts at 1");
        assert_eq!(c.take_id(), 2);
        c.next_id = 65534;
        assert_eq!(c.take_id(), 65534);
        assert_eq!(c.take_id(), 65535);
        assert_eq!(c.take_id(), 1, "0 is never used");
    }

    #[test]
    fn stat_numbering_manual_and_m5311() {
        let mut c = core();
        let mut m = core();
        m.cfg.quirks.m5311_stat = true;
        for (state, was, manual, m5311) in [
            (State::NoClient, false, 0, 0),
            (State::Idle, false, 0, 1),
            (State::Idle, true, 0, 2),
            (State::Connected, true, 1, 5),
            (State::Reconnecting, true, 0, 4),
        ] {
            c.state = state;
            c.was_connected = was;
            m.state = state;
            m.was_connected = was;
            assert_eq!((c.stat(), m.stat()), (manual, m5311), "{state:?}");
        }
    }
}
