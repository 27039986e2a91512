//! The sans-IO protocol brain both client faces drive.
//!
//! A [`Session`] owns the framer ([`Framer`]), the command buffer, the inbox and the
//! event queue. It performs no I/O and has no clock: the faces
//! ([`crate::blocking::Client`], [`crate::asynch::Client`]) hand it the bytes they
//! read and the current time, and do what [`Session::poll`] asks:
//!
//! ```text
//! begin(op) ─▶ poll() ─▶ Write(line) ─▶ written()
//!                     ─▶ WritePayload ─▶ payload_written()   (length-mode publish)
//!                     ─▶ Wait{deadline} ─▶ receive(bytes, now)
//!                     ─▶ Done(result)
//! ```
//!
//! Everything protocol-specific lives here once: which lines complete which
//! command (ACK lines and `OK` in either order), which lines are unsolicited
//! (spec §3.10), the link state (§5.2), the subscription table and
//! re-subscription after a reconnection (§5.7), and the resynchronisation after a
//! time-out (a late answer of a timed-out command can never complete the next one).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod encode;
mod inbound;
mod inbox;
mod pending;
pub mod plan;
mod types;

use heapless::{Deque, String, Vec};

use crate::command::{Command, MAX_LINE};
use crate::config::{MqttConfig, Will};
use crate::digest::Framer;
use crate::error::{Error, Field, ValidationError};
use crate::line::{parse_sub_entry, Line};
use crate::types::QoS;

pub use pending::Outcome;
pub use types::{
    Event, Incoming, LineText, LinkState, Message, Published, ReportedConfig, Stats, Subscribed,
    SubscriptionEntry, LINE_TEXT,
};

use pending::{Kind, Pending};
pub use plan::Step;

/// One request the caller can make; each becomes one AT command.
#[derive(Debug, Clone, Copy)]
pub enum Op<'a> {
    /// `AT`: is the modem there?
    At,
    /// `ATE0`: echo off.
    EchoOff,
    /// `AT+CMEE=1`: numeric `+CME ERROR` codes.
    NumericErrors,
    /// `AT+MQTTCFG=…` (9 parameters).
    Configure(&'a MqttConfig<'a>),
    /// `AT+MQTTCFG?`.
    QueryConfig,
    /// `AT+MQTTTO=<s>`.
    SetAckTimeout(u16),
    /// `AT+MQTTTO?`.
    QueryAckTimeout,
    /// `AT+MQTTREC=<0|1>`.
    SetReconnect(bool),
    /// `AT+MQTTREC?`.
    QueryReconnect,
    /// `AT+MQTTPING=<0|1>`.
    SetPingEcho(bool),
    /// `AT+MQTTPING?`.
    QueryPingEcho,
    /// `AT+MQTTOPEN=…`; the user and password flags follow the last configuration.
    Open(Option<&'a Will<'a>>),
    /// `AT+MQTTSTAT?`.
    QueryState,
    /// `AT+MQTTSUB="<topic>",<qos>`.
    Subscribe(&'a str, QoS),
    /// `AT+MQTTSUB?`.
    QuerySubscriptions,
    /// `AT+MQTTUNSUB="<topic>"`.
    Unsubscribe(&'a str),
    /// `AT+MQTTPUB=…`, inline or length mode chosen from the payload.
    Publish {
        /// Topic name.
        topic: &'a str,
        /// Payload bytes.
        payload: &'a [u8],
        /// QoS.
        qos: QoS,
        /// Retain flag.
        retain: bool,
    },
    /// `AT+MQTTDISC`.
    Disconnect,
    /// `AT+MQTTDEL`.
    Delete,
}

impl<'a> Op<'a> {
    /// The payload the operation writes after its command line (a publish's;
    /// empty for every other operation).
    pub(crate) fn payload(&self) -> &'a [u8] {
        match self {
            Op::Publish { payload, .. } => payload,
            _ => &[],
        }
    }
}

/// The longest line the session reads whole: the longest the module sends is a
/// `+MQTTSUBACK` or `AT+MQTTSUB?` entry with a 512-byte topic (about 530 bytes)
/// or a `+MQTTCFG:` line (four strings of at most 128 bytes, about 570); a
/// longer line (an echo of a long command after a reboot turned echo back on)
/// is reported as [`crate::error::FramingError::LineTooLong`] and skipped.
pub const RX_LINE: usize = 640;

/// What the face must do next.
#[derive(Debug, PartialEq, Eq)]
pub enum Action<'a> {
    /// Write these bytes to the port, then call [`Session::written`].
    Write(&'a [u8]),
    /// The `>` prompt arrived: write the publish payload, then call
    /// [`Session::payload_written`].
    WritePayload,
    /// Read from the port until this time (ms, same clock as `now`) and hand the
    /// bytes to [`Session::receive`].
    Wait {
        /// Deadline of the pending command.
        deadline_ms: u64,
    },
    /// The command finished.
    Done(Result<Outcome, Error>),
    /// Nothing is pending.
    Idle,
}

/// The protocol brain (see the module docs).
///
/// Const parameters: `TOPIC` topic buffer, `PAYLOAD` payload buffer (also the
/// digester's), `QUEUE` inbox depth, `SUBS` subscription table size. RAM is about
/// `2 × 1024` (digester line buffer and command buffer) `+ PAYLOAD` (digester)
/// `+ QUEUE × (TOPIC + PAYLOAD + 16)` (inbox) `+ SUBS × (TOPIC + 4)` `+ 150`
/// (events and state) bytes.
///
/// The command buffer does two jobs in turn: it holds a command until the
/// command is complete, and after it the answer lines of a query (the
/// `AT+MQTTCFG?` line, the `AT+MQTTSUB?` listing), which
/// [`Session::reported_config`] and [`Session::listed_subscriptions`] read
/// until the next command begins. The topic of a pending `AT+MQTTSUB=` or
/// `AT+MQTTUNSUB=` is read back from the command itself.
// The fields lie in the order written here (`repr(C)`), see `Core`: the core
// first, so that its small fields sit at the shortest offsets; the zeroed
// buffers after it, where no field left uninitialised comes right before
// them (which would make `new` build the run on the stack and copy it).
#[repr(C)]
pub struct Session<
    const TOPIC: usize = 512,
    const PAYLOAD: usize = 1024,
    const QUEUE: usize = 2,
    const SUBS: usize = 8,
> {
    core: Core<TOPIC, PAYLOAD, QUEUE, SUBS>,
    /// The inbox slots' payloads: the framer writes an incoming payload
    /// straight into the one of the next free slot (see `inbox.rs`).
    payloads: [[u8; PAYLOAD]; QUEUE],
    digester: Framer<RX_LINE>,
}

/// Everything but the digester, so frames borrowed from the digester can be
/// handed to it.
///
/// The fields lie in the order written here (`repr(C)`), chosen for size on
/// 32-bit targets (Thumb):
/// * the command in flight and the small fields first, within the first 64
///   bytes, where Thumb loads and stores reach them in their 16-bit forms
///   (the session touches them all the time);
/// * then what [`Session::new`] zeroes (`stats`, `inbox`, `tx`), in one run
///   that starts 8-byte aligned right after a field that is not zero
///   (`ack_timeout_s`), so it is cleared in place in one call;
/// * then the tables whose storage starts uninitialised (`subs`, `events`),
///   followed by two plain counters rather than by a zeroed buffer.
///
/// With a single byte of padding, the session is no larger than in the
/// compiler's own order.
#[repr(C)]
struct Core<const TOPIC: usize, const PAYLOAD: usize, const QUEUE: usize, const SUBS: usize> {
    pending: Option<Pending>,
    link: LinkState,
    /// `AT+MQTTPING` set since the configuration (by `set_ping_echo` or after
    /// an open).
    ping_override: Option<bool>,
    reconnect_override: Option<bool>,
    has_user: bool,
    has_password: bool,
    needs_resync: bool,
    lost_pings: u8,
    /// An answer line did not fit the room left in `tx`.
    answer_overflow: bool,
    ping_echo: bool,
    /// A restart was reported and the module has not completed a command
    /// since: further restart signals belong to the same restart.
    restart_quiet: bool,
    /// The module restarted since echo, numeric errors and the MQTT settings
    /// were last applied.
    settings_lost: bool,
    resubscribe_from: Option<usize>,
    tx_len: usize,
    /// `AT+MQTTTO` / `AT+MQTTREC` set after the configuration (re-applied by
    /// recovery over the configuration's own values).
    ack_override: Option<u16>,
    resubscribed: u16,
    ack_timeout_s: u16,
    stats: Stats,
    inbox: inbox::Inbox<TOPIC, QUEUE>,
    tx: [u8; MAX_LINE],
    subs: Vec<(String<TOPIC>, QoS), SUBS>,
    events: Deque<Event, 8>,
    /// Bytes of answer lines kept in `tx` after the command (each ended by LF).
    answer_len: usize,
    unreported_events_dropped: u32,
}

/// The module-side MQTT settings the caller made after its configuration, as
/// recovery re-applies them (see [`crate::recover`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Settings {
    /// `AT+MQTTTO=<s>` set after `AT+MQTTCFG`, if any.
    pub(crate) ack_timeout_s: Option<u16>,
    /// `AT+MQTTREC=<0|1>` set after `AT+MQTTCFG`, if any.
    pub(crate) auto_reconnect: Option<bool>,
    /// `AT+MQTTPING=<0|1>` set after `AT+MQTTCFG`, if any.
    pub(crate) ping_echo: Option<bool>,
}

impl<const TOPIC: usize, const PAYLOAD: usize, const QUEUE: usize, const SUBS: usize> Default
    for Session<TOPIC, PAYLOAD, QUEUE, SUBS>
{
    fn default() -> Self {
        Self::new()
    }
}

impl<const TOPIC: usize, const PAYLOAD: usize, const QUEUE: usize, const SUBS: usize>
    Session<TOPIC, PAYLOAD, QUEUE, SUBS>
{
    /// A session with no client configured and nothing pending.
    pub fn new() -> Self {
        Self {
            digester: Framer::new(),
            payloads: [[0; PAYLOAD]; QUEUE],
            core: Core {
                link: LinkState::NoClient,
                pending: None,
                tx: [0; MAX_LINE],
                tx_len: 0,
                ack_timeout_s: 10,
                has_user: false,
                has_password: false,
                needs_resync: false,
                resubscribe_from: None,
                resubscribed: 0,
                lost_pings: 0,
                inbox: inbox::Inbox::new(),
                events: Deque::new(),
                unreported_events_dropped: 0,
                subs: Vec::new(),
                answer_len: 0,
                answer_overflow: false,
                ping_echo: false,
                ack_override: None,
                reconnect_override: None,
                ping_override: None,
                restart_quiet: false,
                settings_lost: false,
                stats: Stats::default(),
            },
        }
    }

    /// The connection state the session tracks.
    pub fn link_state(&self) -> LinkState {
        self.core.link
    }

    /// Whether a command is in flight.
    pub fn is_busy(&self) -> bool {
        self.core.pending.is_some()
    }

    /// The ACK time-out in force, in seconds, as last set.
    pub fn ack_timeout_s(&self) -> u16 {
        self.core.ack_timeout_s
    }

    /// Counters of discarded and unplaced data.
    pub fn stats(&self) -> Stats {
        self.core.stats
    }

    /// The subscriptions the session re-issues after a reconnection.
    pub fn subscriptions(&self) -> impl Iterator<Item = (&str, QoS)> {
        self.core.subs.iter().map(|(t, q)| (t.as_str(), *q))
    }

    /// The entries of the last `AT+MQTTSUB?` answer, until the next command
    /// begins; [`Error::Overflow`] if they did not all fit the command buffer.
    pub fn listed_subscriptions(
        &self,
    ) -> Result<impl Iterator<Item = SubscriptionEntry<'_>> + '_, Error> {
        if self.core.answer_overflow {
            return Err(Error::Overflow);
        }
        Ok(self.core.answers().filter_map(|line| {
            parse_sub_entry(line).map(|(topic, qos)| SubscriptionEntry { topic, qos })
        }))
    }

    /// The configuration of the last `AT+MQTTCFG?` answer, until the next
    /// command begins (`None`: no client configured, or no such answer).
    pub fn reported_config(&self) -> Option<ReportedConfig<'_>> {
        self.core
            .answers()
            .find_map(|line| match Line::parse(line) {
                Line::Cfg(c) => Some(c),
                _ => None,
            })
    }

    /// Whether the next command must be preceded by a resynchronisation (a
    /// command timed out and its answer may still arrive).
    pub fn needs_resync(&self) -> bool {
        self.core.needs_resync
    }

    /// Begins any command line: `line` without its CR LF, which the session
    /// adds. Its information lines, those that are not unsolicited (a line named
    /// after the command, `+CEREG:` of `AT+CEREG?`, is its answer), are kept
    /// and read with [`Session::raw_answer`] / [`Session::raw_lines`]; URCs and
    /// messages arriving meanwhile are handled as always. Nothing is sent and
    /// [`Error::Invalid`] is returned when `line` is empty, holds a control
    /// byte (CR, LF, NUL, …, DEL) or does not fit the command buffer with its
    /// CR LF; [`Error::Busy`] while another command is pending.
    pub fn begin_raw(&mut self, line: &[u8], timeout_ms: u32, now_ms: u64) -> Result<(), Error> {
        if self.core.pending.is_some() {
            return Err(Error::Busy);
        }
        check_raw_line(line)?;
        let len = line.len();
        match self.core.tx.get_mut(..len.saturating_add(2)) {
            Some([dst @ .., cr, lf]) if dst.len() == len => {
                for (d, s) in dst.iter_mut().zip(line) {
                    *d = *s;
                }
                *cr = b'\r';
                *lf = b'\n';
            }
            _ => return Err(ValidationError::BufferTooSmall.into()),
        }
        self.core
            .begin_line(len.saturating_add(2), timeout_ms, now_ms);
        Ok(())
    }

    /// Begins one of the crate's typed commands (for example those of
    /// [`crate::command::net`]) with its answer kept as [`Session::begin_raw`]
    /// keeps it, due within its own time-out or `limit_ms`, whichever is
    /// shorter.
    pub fn begin_command<K: Command>(
        &mut self,
        cmd: &K,
        limit_ms: u32,
        now_ms: u64,
    ) -> Result<(), Error> {
        if self.core.pending.is_some() {
            return Err(Error::Busy);
        }
        self.core.tx_len = 0;
        self.core.answer_len = 0;
        let len = cmd.encode(&mut self.core.tx)?;
        let timeout = cmd.timeout_ms(self.core.ack_timeout_s).min(limit_ms);
        self.core.begin_line(len, timeout, now_ms);
        Ok(())
    }

    /// Begins a command written by its own [`atat::AtatCmd::write`] (a command
    /// defined outside the crate), due within its `MAX_TIMEOUT_MS`; its answer
    /// is kept as [`Session::begin_raw`] keeps it. What `write` produced is
    /// checked as `begin_raw` checks a line (one trailing CR LF, CR or LF is the
    /// terminator; any other control byte refuses it), so it cannot carry a
    /// second command. `write` is the command's own code: atat's derived one
    /// panics when the line does not fit [`MAX_LINE`] bytes.
    pub fn begin_atat<A: atat::AtatCmd>(&mut self, cmd: &A, now_ms: u64) -> Result<(), Error> {
        if self.core.pending.is_some() {
            return Err(Error::Busy);
        }
        // The buffer is overwritten: the last answer is gone.
        self.core.tx_len = 0;
        self.core.answer_len = 0;
        let n = cmd.write(&mut self.core.tx);
        let Some(written) = self.core.tx.get(..n) else {
            return Err(ValidationError::BufferTooSmall.into());
        };
        let line = strip_terminator(written);
        check_raw_line(line)?;
        let len = line.len();
        match self.core.tx.get_mut(len..len.saturating_add(2)) {
            Some([cr, lf]) => {
                *cr = b'\r';
                *lf = b'\n';
            }
            _ => return Err(ValidationError::BufferTooSmall.into()),
        }
        self.core
            .begin_line(len.saturating_add(2), A::MAX_TIMEOUT_MS, now_ms);
        Ok(())
    }

    /// The information lines of the last command begun with
    /// [`Session::begin_raw`], [`Session::begin_command`] or
    /// [`Session::begin_atat`], joined by CR LF without the final result, until
    /// the next command begins; [`Error::Overflow`] if they did not all fit the
    /// command buffer.
    pub fn raw_answer(&self) -> Result<&[u8], Error> {
        if self.core.answer_overflow {
            return Err(Error::Overflow);
        }
        Ok(self.core.answer_body())
    }

    /// The same information lines one by one, without their CR LF.
    pub fn raw_lines(&self) -> Result<impl Iterator<Item = &[u8]> + '_, Error> {
        if self.core.answer_overflow {
            return Err(Error::Overflow);
        }
        Ok(self.core.answers())
    }

    /// Starts a resynchronisation: `AT+MQTTCFG?`, whose `+MQTTCFG:` line no other
    /// command produces; every result before it belongs to the timed-out command
    /// and is dropped.
    pub fn begin_resync(&mut self, now_ms: u64) -> Result<(), Error> {
        self.core
            .begin_encoded(&Op::QueryConfig, Kind::Resync, now_ms)
    }

    /// Encodes `op` and makes it the pending command. Fails with
    /// [`Error::Busy`] while another command is pending, with
    /// [`Error::InvalidState`] when the tracked state forbids it, and with
    /// [`Error::Invalid`] when a parameter is refused; nothing is sent then.
    pub fn begin(&mut self, op: &Op<'_>, now_ms: u64) -> Result<(), Error> {
        let kind = Kind::of(op);
        self.core.check_state(kind)?;
        // Validation first: a refused value is reported as such.
        self.core.begin_encoded(op, kind, now_ms)?;
        if let Op::Subscribe(topic, _) | Op::Unsubscribe(topic) = op {
            // A topic longer than the table's buffer could not be re-issued later:
            // refuse it rather than keep a truncated copy.
            if topic.len() > TOPIC {
                self.core.pending = None;
                return Err(Error::Overflow);
            }
        }
        match op {
            Op::Configure(cfg) => {
                self.core.has_user = !cfg.user.is_empty();
                self.core.has_password = !cfg.password.is_empty();
                self.core.ping_echo = cfg.ping_echo;
                self.core.ack_override = None;
                self.core.reconnect_override = None;
                self.core.ping_override = None;
            }
            Op::SetAckTimeout(s) => self.core.ack_override = Some(*s),
            Op::SetReconnect(on) => self.core.reconnect_override = Some(*on),
            Op::SetPingEcho(on) => {
                self.core.ping_echo = *on;
                self.core.ping_override = Some(*on);
            }
            _ => {}
        }
        Ok(())
    }

    /// Whether the module restarted (a boot line, or no MQTT client where the
    /// session knew one) since echo off, numeric errors and the MQTT settings
    /// were last applied by `start`, `bring_up` or `recover`: until then the
    /// module echoes commands and answers plain `ERROR`.
    pub fn settings_lost(&self) -> bool {
        self.core.settings_lost
    }

    /// Echo off and numeric errors are in force again (after `start`,
    /// `bring_up` or a recovery).
    pub(crate) fn settings_applied(&mut self) {
        self.core.settings_lost = false;
    }

    /// The MQTT settings made after the configuration.
    pub(crate) fn settings(&self) -> Settings {
        Settings {
            ack_timeout_s: self.core.ack_override,
            auto_reconnect: self.core.reconnect_override,
            ping_echo: self.core.ping_override,
        }
    }

    /// Puts back what [`Session::settings`] returned after `cfg` was applied
    /// again (a configuration resets them): the ping echo wanted after the
    /// next open is the one last set, else `cfg`'s.
    pub(crate) fn restore_settings(&mut self, s: Settings, cfg: &MqttConfig<'_>) {
        self.core.ack_override = s.ack_timeout_s;
        self.core.reconnect_override = s.auto_reconnect;
        self.core.ping_override = s.ping_echo;
        self.core.ping_echo = s.ping_echo.unwrap_or(cfg.ping_echo);
    }

    /// Whether `AT+MQTTPING=1` is wanted after each open (from the configuration).
    pub fn ping_echo_wanted(&self) -> bool {
        self.core.ping_echo
    }

    /// The next subscription to re-issue after a reconnection, if any. The face
    /// runs it as an [`Op::Subscribe`] through [`Session::begin_resubscribe`].
    pub fn next_resubscription(&self) -> Option<usize> {
        let from = self.core.resubscribe_from?;
        if self.core.link != LinkState::Connected || from >= self.core.subs.len() {
            return None;
        }
        Some(from)
    }

    /// Begins re-subscribing entry `index` of the subscription table.
    pub fn begin_resubscribe(&mut self, index: usize, now_ms: u64) -> Result<(), Error> {
        // The topic is copied out of the table (`begin_encoded` borrows the
        // whole core), byte by byte rather than as a whole `String`.
        let mut topic = String::<TOPIC>::new();
        let qos = match self.core.subs.get(index) {
            Some((t, q)) => {
                // Fits: the entry holds at most `TOPIC` bytes too.
                let _ = topic.push_str(t);
                *q
            }
            None => return Err(Error::InvalidState),
        };
        let op = Op::Subscribe(topic.as_str(), qos);
        self.core
            .begin_encoded(&op, Kind::Subscribe { qos }, now_ms)?;
        self.core.resubscribe_from = Some(index.saturating_add(1));
        if index.saturating_add(1) >= self.core.subs.len() {
            self.core.resubscribe_from = None;
            self.core.resubscribed = u16::try_from(self.core.subs.len()).unwrap_or(u16::MAX);
        }
        Ok(())
    }

    /// What the face must do now.
    pub fn poll(&mut self, now_ms: u64) -> Action<'_> {
        let Some(p) = self.core.pending.as_mut() else {
            return Action::Idle;
        };
        if !p.written {
            let len = self.core.tx_len.min(self.core.tx.len());
            return Action::Write(self.core.tx.get(..len).unwrap_or(&[]));
        }
        if p.prompt_ready() {
            return Action::WritePayload;
        }
        let deadline_ms = p.deadline_ms;
        let result = match self.core.check_complete() {
            Some(result) => result,
            None if now_ms < deadline_ms => return Action::Wait { deadline_ms },
            None => self.core.time_out(),
        };
        self.digester.expect_prompt(false);
        Action::Done(result)
    }

    /// The face wrote the bytes of [`Action::Write`].
    pub fn written(&mut self) {
        // Commands are only ever logged redacted: the password never reaches a log.
        debug!(
            "> {}",
            crate::command::redact(self.core.tx.get(..self.core.tx_len).unwrap_or(&[]))
        );
        if let Some(p) = self.core.pending.as_mut() {
            p.written = true;
            self.digester.expect_prompt(p.waits_for_prompt());
        }
    }

    /// The face could not write the bytes of [`Action::Write`] or
    /// [`Action::WritePayload`] (the port's `write` or `flush` failed): the
    /// command ends here, and since part of it may be on the line, the module
    /// is resynchronised before the next command. Without this the command
    /// would stay pending and every later operation would be [`Error::Busy`].
    pub fn write_failed(&mut self) {
        if self.core.pending.take().is_some() {
            self.core.needs_resync = true;
        }
        self.digester.expect_prompt(false);
    }

    /// The face wrote the payload after the prompt.
    pub fn payload_written(&mut self) {
        if let Some(p) = self.core.pending.as_mut() {
            p.payload_sent();
        }
        self.digester.expect_prompt(false);
    }

    /// Hands bytes read from the port to the session. Call it with whatever
    /// arrived, whether or not a command is pending: URCs and messages are
    /// processed at any time.
    pub fn receive(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            // An incoming payload goes straight into the next free inbox slot;
            // with the inbox full, into nothing (it is then reported dropped).
            let mut none = [0u8; 0];
            let slot = self.core.inbox.next_slot();
            let sink = match slot.and_then(|i| self.payloads.get_mut(i)) {
                Some(p) => &mut p[..],
                None => &mut none[..],
            };
            let (used, frame) = self.digester.feed(bytes, sink);
            if let Some(frame) = frame {
                let prompt_wanted = self.core.on_frame(frame);
                self.digester.expect_prompt(prompt_wanted);
            }
            bytes = bytes.get(used.max(1)..).unwrap_or(&[]);
        }
    }

    /// Takes the oldest incoming message (or oversize report) from the inbox.
    pub fn next_incoming(&mut self) -> Option<Incoming<TOPIC, PAYLOAD>> {
        let (slot, e) = self.core.inbox.pop()?;
        if e.too_large {
            return Some(Incoming::TooLarge {
                topic: e.topic,
                len: e.len,
            });
        }
        let payload = self
            .payloads
            .get(slot)
            .and_then(|p| p.get(..e.len))
            .and_then(|p| Vec::from_slice(p).ok())
            .unwrap_or_default();
        Some(Incoming::Message(Message {
            topic: e.topic,
            payload,
            qos: e.qos,
            retained: e.retained,
            dup: e.dup,
            packet_id: e.packet_id,
        }))
    }

    /// Takes the oldest event.
    pub fn next_event(&mut self) -> Option<Event> {
        if let Some(e) = self.core.events.pop_front() {
            return Some(e);
        }
        if self.core.unreported_events_dropped > 0 {
            let n = core::mem::take(&mut self.core.unreported_events_dropped);
            return Some(Event::EventsDropped(n));
        }
        None
    }

    /// Forgets any pending command and partial input (for example after the
    /// port was reopened or the modem rebooted). Subscriptions are kept.
    pub fn reset(&mut self) {
        self.digester.reset();
        self.core.pending = None;
        self.core.link = LinkState::NoClient;
        self.core.needs_resync = false;
    }
}

impl<const TOPIC: usize, const PAYLOAD: usize, const QUEUE: usize, const SUBS: usize>
    Core<TOPIC, PAYLOAD, QUEUE, SUBS>
{
    /// The answer lines kept after the command in `tx`.
    fn answers(&self) -> impl Iterator<Item = &[u8]> + '_ {
        self.answer_body()
            .split(|&b| b == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .filter(|l| !l.is_empty())
    }

    /// The answer lines kept after the command, each but the last followed by
    /// CR LF: the information text as atat's digester presents it.
    #[inline(never)]
    fn answer_body(&self) -> &[u8] {
        let end = self
            .tx_len
            .saturating_add(self.answer_len.saturating_sub(2));
        self.tx.get(self.tx_len..end).unwrap_or_default()
    }

    /// Keeps an answer line of the pending query after its command in `tx`,
    /// followed by CR LF (a line never holds LF); notes an overflow when it does
    /// not fit.
    fn keep_answer(&mut self, line: &[u8]) {
        let start = self.tx_len.saturating_add(self.answer_len);
        // Room for the line, its CR and its LF.
        let end = start.saturating_add(line.len()).saturating_add(2);
        match self.tx.get_mut(start..end) {
            Some([dst @ .., cr, lf]) if dst.len() == line.len() => {
                // Not `copy_from_slice`: see `digest::copy`.
                for (d, s) in dst.iter_mut().zip(line) {
                    *d = *s;
                }
                *cr = b'\r';
                *lf = b'\n';
                self.answer_len = self.answer_len.saturating_add(line.len()).saturating_add(2);
            }
            _ => {
                warn!("answer longer than the command buffer");
                self.answer_overflow = true;
            }
        }
    }

    /// The name of the command in `tx` (`+CSQ` of `AT+CSQ`, `+CEREG` of
    /// `AT+CEREG?`), when it is an extended command.
    fn command_name(&self) -> Option<&[u8]> {
        let line = self.tx.get(..self.tx_len)?;
        let rest = match line {
            [b'A' | b'a', b'T' | b't', rest @ ..] => rest,
            _ => return None,
        };
        let end = rest
            .iter()
            .position(|&b| matches!(b, b'=' | b'?' | b'\r' | b'\n'))
            .unwrap_or(rest.len());
        let name = rest.get(..end)?;
        match name {
            [b'+' | b'^' | b'$', _, ..] => Some(name),
            _ => None,
        }
    }

    /// Whether `line` starts with the pending command's name and a colon: it is
    /// that command's answer even when the module prints the same line
    /// unsolicited (`+CEREG:` of `AT+CEREG?`).
    fn names_pending_command(&self, line: &[u8]) -> bool {
        self.command_name().is_some_and(|name| {
            line.len() > name.len()
                && line
                    .iter()
                    .zip(name)
                    .all(|(a, b)| a.eq_ignore_ascii_case(b))
                && line.get(name.len()) == Some(&b':')
        })
    }
}

/// The topic of the pending `AT+MQTTSUB=` or `AT+MQTTUNSUB=`, read back from
/// the command in `tx` (`len` bytes): its first quoted string (a topic holds
/// no `"`).
fn command_topic(tx: &[u8], len: usize) -> Option<&str> {
    let line = tx.get(..len)?;
    let open = line.iter().position(|&b| b == b'"')?.saturating_add(1);
    let rest = line.get(open..)?;
    let close = rest.iter().position(|&b| b == b'"')?;
    crate::text::utf8(rest.get(..close)?)
}

/// A trailing CR LF, CR or LF removed (the terminator a command's `write` adds).
fn strip_terminator(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// A command line the caller passes: not empty, no control byte (so it cannot
/// end early and carry a second command), room for its CR LF.
fn check_raw_line(line: &[u8]) -> Result<(), ValidationError> {
    let field = Field::Command;
    if line.is_empty() {
        return Err(ValidationError::Empty { field });
    }
    if let Some(&byte) = line.iter().find(|&&b| b < 0x20 || b == 0x7F) {
        return Err(ValidationError::ForbiddenByte { field, byte });
    }
    if line.len().saturating_add(2) > MAX_LINE {
        return Err(ValidationError::TooLong {
            field,
            max: MAX_LINE.saturating_sub(2),
        });
    }
    Ok(())
}
