//! `atat`'s own client with this crate's framing: [`AtatDigester`] plugs
//! [`crate::digest`] into `atat::Ingress`, and [`UrcBuf`] is the form of
//! [`Urc`] that travels through atat's `UrcChannel`.
//!
//! # What the adapter promises
//!
//! * `+MQTTPUBLISH` is framed by its length, exactly as [`crate::Digester`]
//!   frames it: a payload that holds `OK\r\n`, `+CME ERROR: 601` or a whole
//!   fake `+MQTTPUBLISH` is payload, never a result or a second message.
//! * A final result ends its own answer: `ERROR` / `+CME ERROR: <n>` is handed
//!   over with nothing after it folded in, and the lines after it are framed
//!   afresh.
//! * A URC that arrives while an answer is being collected (spec §1.3: a
//!   `+MQTTPUBLISH` between `+MQTTPUBACK` and `OK`) is never part of the
//!   answer's body: the answer is handed over first (its body the information
//!   lines before the URC), then the URC. Information lines of the same answer
//!   that come *after* such a URC (rare: a QoS 2 `+MQTTPUBCOMP` after a message)
//!   cannot join that body, since atat takes a body as one slice of its buffer:
//!   they go to the URC channel as [`Urc::Unknown`] instead of being lost.
//! * With echo on, lines are an answer only after an echoed command: a line no
//!   command asked for (a late ACK) goes to the URC channel at once, and lines
//!   still waiting for a final result when the next command is echoed (their
//!   command was given up) go there too, not into the next answer.
//! * Bounded: the adapter keeps `LINE` bytes of its own and never lets atat's
//!   ingress buffer (`INGRESS` bytes, the same size the `Ingress` is given) fill
//!   up, so atat never has to clear it. A `+MQTTPUBLISH` that cannot fit is
//!   reported as [`Urc::MessageTooLarge`] and its payload skipped; a line that
//!   cannot fit is reported as [`Urc::Unknown`] (its start) and skipped; an
//!   answer whose information lines cannot fit hands them to the URC channel
//!   one by one and ends with its final result and an empty body.
//! * Never panics, whatever bytes it is fed and however they are chunked.
//!
//! # Answers and events
//!
//! atat tells the digester nothing about the command in flight, so lines are
//! told apart by their shape (spec §1.2, §3.10): `+MQTTPUBLISH`, `+MQTTPUBREL`,
//! `+MQTTPINGRSP`, one-field `+MQTTREC:`, `+CME ERROR: 609` / `619`, `+CGEV:`,
//! boot lines and unknown `+MQTT…` lines are URCs; every other line belongs to
//! the answer of the command in flight. Four shapes are both (spec §3.10):
//! `+MQTTOPEN:`, `+MQTTDISC:`, `+MQTTTO:` and `+CEREG:` / `+CGREG:` / `+CPIN:`
//! are answers only when the module echoed the command they answer
//! (`AT+MQTTOPEN…`, `AT+MQTTDISC`, `AT+MQTTTO?`, `AT+CEREG?` / `AT+CGREG?`,
//! `AT+CPIN?`) and URCs otherwise. Echo is on at the module's power-up; keep it
//! on with atat's client (do not send `ATE0`), or `AT+MQTTOPEN` answers
//! [`crate::command::OpenResponse::Unconfirmed`] and its `+MQTTOPEN:OK` comes
//! as [`Urc::Reopened`]. Echoed command lines are dropped.
//!
//! The `>` prompt of a length-mode `AT+MQTTPUB` is not recognised: atat's
//! clients cannot write the payload after it. Publish through
//! [`crate::command::PublishInline`] with atat, or use this crate's client.
//!
//! ```
//! use atat::{AtatIngress, Ingress, ResponseSlot, UrcChannel};
//! use ml302::atat_digester::{AtatDigester, UrcBuf};
//! use ml302::Urc;
//!
//! const INGRESS: usize = 256;
//! let slot = ResponseSlot::<INGRESS>::new();
//! let urcs = UrcChannel::<UrcBuf<128>, 4, 1>::new();
//! let mut buf = [0u8; INGRESS];
//! let mut ingress: Ingress<_, UrcBuf<128>, INGRESS, 4, 1> =
//!     Ingress::new(AtatDigester::<INGRESS>::new(), &mut buf, &slot, &urcs);
//! let mut sub = urcs.subscribe().unwrap();
//!
//! // A message whose payload looks like a final result, then the answer.
//! ingress.try_write(b"\r\n+MQTTPUBLISH:0,0,0,0,\"t\",4,OK\r\n\r\n").unwrap();
//! ingress.try_write(b"+MQTTSTAT: 1\r\n\r\nOK\r\n").unwrap();
//! let msg = sub.try_next_message_pure().unwrap();
//! let Urc::Publish(p) = msg.urc() else { panic!() };
//! assert_eq!((p.topic, p.payload), ("t", &b"OK\r\n"[..]));
//! assert_eq!(*slot.try_get().unwrap(), atat::Response::ok(b"+MQTTSTAT: 1"));
//! ```
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use atat::{DigestResult, InternalError};
use heapless::Vec;

use crate::digest::{parse_header, Frame, Framer, MAX_TOPIC, PUBLISH_PREFIX_BYTES};
use crate::error::CmeError;
use crate::line::Line;
use crate::urc::Urc;

/// Default line buffer of [`AtatDigester`]: room for the longest topic.
pub const DEFAULT_ATAT_LINE: usize = MAX_TOPIC;

/// Which answer-or-event shape the echoed command claims as its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Claim {
    None,
    Open,
    Disc,
    AckTimeout,
    Registration,
    Sim,
}

/// What the frames seen next are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Collecting answers and URCs.
    Normal,
    /// The answer was handed over before its final result (a URC interrupted
    /// its body): the frames up to that final result go to the URC channel,
    /// the final result itself is dropped.
    Replay,
    /// The answer's body did not fit atat's buffer: its lines go to the URC
    /// channel, its final result is handed over with an empty body.
    Spill,
    /// The next command was echoed before the held lines got a final result
    /// (their command was given up): they go to the URC channel, up to that
    /// echo.
    Flush,
}

/// Bytes of the frame in progress that are already dealt with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Skip {
    None,
    /// The rest of a line after a framing error or a line too long.
    Line,
    /// The rest of a `+MQTTPUBLISH` already reported as too large.
    Message,
}

/// A completed frame, without its borrow of the framer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Ok,
    Error,
    Cme(u16),
    Line(usize),
    Message,
    Malformed,
}

/// An `atat::Digester` backed by this crate's digester (see the module docs).
///
/// `INGRESS` is the size of the buffer given to `atat::Ingress` (and of its
/// `ResponseSlot`); `LINE` bounds a line and a `+MQTTPUBLISH` topic, as in
/// [`crate::digest::Framer`]. The digester keeps the `LINE` bytes and a few
/// words of state.
pub struct AtatDigester<const INGRESS: usize, const LINE: usize = DEFAULT_ATAT_LINE> {
    framer: Framer<LINE>,
    /// Bytes at the front of atat's buffer the framer has consumed.
    fed: usize,
    /// Where the frame in progress (or just completed) starts.
    start: usize,
    /// Information lines held for the answer in progress: `[start, end)`.
    body: Option<(usize, usize)>,
    /// Where the first URC inside the answer in progress starts.
    cut: Option<usize>,
    phase: Phase,
    skip: Skip,
    claim: Claim,
    /// The module echoes commands (an echoed line was seen since the last
    /// `ATE0`): an answer needs an echoed command before it.
    echo: bool,
    /// A command was echoed and its final result has not come yet.
    in_flight: bool,
}

impl<const INGRESS: usize, const LINE: usize> Default for AtatDigester<INGRESS, LINE> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const INGRESS: usize, const LINE: usize> core::fmt::Debug for AtatDigester<INGRESS, LINE> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AtatDigester")
            .field("fed", &self.fed)
            .field("body", &self.body)
            .field("phase", &self.phase)
            .finish_non_exhaustive()
    }
}

/// `b` ends a line.
const fn is_eol(b: u8) -> bool {
    b == b'\r' || b == b'\n'
}

/// `s` without the line ends at its end.
fn trim_eol(s: &[u8]) -> &[u8] {
    let keep = s
        .iter()
        .rposition(|&b| !is_eol(b))
        .map_or(0, |i| i.saturating_add(1));
    s.get(..keep).unwrap_or_default()
}

/// What an echoed command line claims (`None` if `line` is no command line).
fn echo_claim(line: &[u8]) -> Option<Claim> {
    let head = line.get(..2)?;
    if !head.eq_ignore_ascii_case(b"AT") {
        return None;
    }
    let starts = |p: &[u8]| {
        line.get(..p.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(p))
    };
    Some(if starts(b"AT+MQTTOPEN") {
        Claim::Open
    } else if starts(b"AT+MQTTDISC") {
        Claim::Disc
    } else if starts(b"AT+MQTTTO?") {
        Claim::AckTimeout
    } else if starts(b"AT+CEREG?") || starts(b"AT+CGREG?") {
        Claim::Registration
    } else if starts(b"AT+CPIN?") {
        Claim::Sim
    } else {
        Claim::None
    })
}

/// Whether `line` is a URC, given what the echoed command claims.
fn is_urc_line(line: &[u8], claim: Claim) -> bool {
    let decoded = Line::parse(line);
    let claimed = match decoded {
        Line::Open(_) => claim == Claim::Open,
        Line::Disc => claim == Claim::Disc,
        Line::To(_) => claim == Claim::AckTimeout,
        Line::Text(t) if t.starts_with(b"+CEREG:") || t.starts_with(b"+CGREG:") => {
            claim == Claim::Registration
        }
        Line::Text(t) if t.starts_with(b"+CPIN:") => claim == Claim::Sim,
        _ => false,
    };
    !claimed && Urc::from_line(&decoded).is_some()
}

impl<const INGRESS: usize, const LINE: usize> AtatDigester<INGRESS, LINE> {
    /// A digester at the start of a line, with no answer in progress.
    pub const fn new() -> Self {
        Self {
            framer: Framer::new(),
            fed: 0,
            start: 0,
            body: None,
            cut: None,
            phase: Phase::Normal,
            skip: Skip::None,
            claim: Claim::None,
            echo: false,
            in_flight: false,
        }
    }

    /// Starts over at the start of a line, as if new.
    fn restart(&mut self) {
        *self = Self::new();
    }

    /// Frames again from `at`, which is a line start.
    fn reframe(&mut self, at: usize) {
        self.framer.reset();
        self.fed = at;
        self.start = at;
        self.skip = Skip::None;
    }

    /// Hands `result` over and drops the first `swallowed` bytes.
    fn emit<'a>(
        &mut self,
        result: DigestResult<'a>,
        swallowed: usize,
    ) -> (DigestResult<'a>, usize) {
        let n = swallowed.min(self.fed);
        self.fed = self.fed.saturating_sub(n);
        self.start = self.start.saturating_sub(n);
        self.body = self
            .body
            .map(|(s, e)| (s.saturating_sub(n), e.saturating_sub(n)));
        self.cut = self.cut.map(|c| c.saturating_sub(n));
        (result, n)
    }

    /// The final result `result`, ending at `end`.
    fn on_final<'a>(
        &mut self,
        buf: &'a [u8],
        result: Result<(), InternalError<'a>>,
        end: usize,
    ) -> (DigestResult<'a>, usize) {
        let phase = core::mem::replace(&mut self.phase, Phase::Normal);
        let body = self.body.take();
        let cut = self.cut.take();
        self.claim = Claim::None;
        self.in_flight = false;
        if phase == Phase::Replay {
            // Handed over already.
            return self.emit(DigestResult::None, end);
        }
        let lines = body.and_then(|(s, e)| buf.get(s..e)).unwrap_or_default();
        let response = DigestResult::Response(result.map(|()| lines));
        match cut {
            Some(at) if phase == Phase::Normal => {
                // A URC inside the answer: the answer now, then the frames from
                // the URC on again, up to this final result.
                self.phase = Phase::Replay;
                self.fed = at;
                self.reframe(at);
                self.emit(response, at)
            }
            _ => self.emit(response, end),
        }
    }

    /// A frame that goes to the URC channel: `region` of `buf`, ending at `end`.
    fn on_urc<'a>(
        &mut self,
        buf: &'a [u8],
        region: (usize, usize),
        end: usize,
    ) -> Option<(DigestResult<'a>, usize)> {
        if self.phase == Phase::Normal && self.body.is_some() {
            // Inside an answer: the answer goes first.
            self.cut.get_or_insert(region.0);
            return None;
        }
        let bytes = buf.get(region.0..region.1).unwrap_or_default();
        Some(self.emit(DigestResult::Urc(bytes), end))
    }

    /// Deals with a completed frame; `None` to go on framing.
    fn on_frame<'a>(&mut self, buf: &'a [u8], kind: Kind) -> Option<(DigestResult<'a>, usize)> {
        let end = self.fed;
        let start = self.start;
        match self.skip {
            Skip::Message => {
                // The rest of a message reported as too large.
                self.skip = if self.framer.is_mid_frame() {
                    Skip::Line
                } else {
                    Skip::None
                };
                return Some(self.emit(DigestResult::None, end));
            }
            Skip::Line | Skip::None => {}
        }
        let line_at = |len: usize| (start, start.saturating_add(len).min(end));
        match kind {
            Kind::Ok => {
                // `OK +…` on one line: the `+` starts the next frame.
                let end = if self.framer.is_mid_frame() {
                    end.saturating_sub(1)
                } else {
                    end
                };
                self.start = end;
                Some(self.on_final(buf, Ok(()), end))
            }
            Kind::Error => Some(self.on_final(buf, Err(InternalError::Error), end)),
            Kind::Cme(code) => {
                if Urc::from_cme(CmeError::from_code(code)).is_some() {
                    let region = (
                        start,
                        start.saturating_add(trim_eol(buf.get(start..end)?).len()),
                    );
                    return self.on_urc(buf, region, end);
                }
                let cme = atat::CmeError::from(code);
                Some(self.on_final(buf, Err(InternalError::CmeError(cme)), end))
            }
            Kind::Message => self.on_urc(buf, (start, end), end),
            Kind::Malformed => {
                if self.framer.is_mid_frame() {
                    self.skip = Skip::Line;
                }
                let region = (
                    start,
                    start.saturating_add(trim_eol(buf.get(start..end)?).len()),
                );
                self.on_urc(buf, region, end)
            }
            Kind::Line(len) => {
                let (s, e) = line_at(len);
                let line = buf.get(s..e).unwrap_or_default();
                let echoed = self.echo && echo_claim(line).is_some();
                if self.phase == Phase::Flush && echoed {
                    // The stale lines are handed over: this echo starts anew.
                    self.phase = Phase::Normal;
                } else if self.phase != Phase::Normal {
                    return self.on_urc(buf, (s, e), end);
                } else if echoed {
                    if let Some((first, _)) = self.body.take() {
                        // A new command while lines wait for a final result
                        // that will not come: hand them over, up to here.
                        self.cut = None;
                        self.phase = Phase::Flush;
                        self.reframe(first);
                        return None;
                    }
                }
                if self.body.is_none() {
                    if let Some(claim) = echo_claim(line) {
                        self.claim = claim;
                        self.in_flight = true;
                        // After an echoed `ATE0` the module echoes no more.
                        self.echo = !line
                            .get(..4)
                            .is_some_and(|h| h.eq_ignore_ascii_case(b"ATE0"));
                        return Some(self.emit(DigestResult::None, end));
                    }
                }
                if is_urc_line(line, self.claim) || (self.echo && !self.in_flight) {
                    // An event, or (echo on) a line no echoed command asked for.
                    return self.on_urc(buf, (s, e), end);
                }
                if self.cut.is_none() {
                    let first = self.body.map_or(s, |(b, _)| b);
                    self.body = Some((first, e));
                }
                None
            }
        }
    }

    /// Nothing completed in `buf`: drop what is dealt with, or make room.
    /// `None` to frame again (the phase changed).
    fn stalled<'a>(&mut self, buf: &'a [u8]) -> Option<(DigestResult<'a>, usize)> {
        let held = match self.body {
            Some((s, _)) => s,
            None if self.skip != Skip::None => self.fed,
            None if self.framer.is_mid_frame() => self.start,
            None => self.fed,
        };
        if held > 0 {
            return Some(self.emit(DigestResult::None, held));
        }
        if buf.len() < INGRESS || buf.is_empty() {
            return Some((DigestResult::None, 0));
        }
        // atat's buffer is full of one thing that cannot complete in it.
        if let Some((s, _)) = self.body.take() {
            // An answer too long: its lines go to the URC channel.
            self.cut = None;
            self.phase = Phase::Spill;
            self.reframe(s);
            return None;
        }
        let bytes = buf.get(self.start..self.fed).unwrap_or_default();
        if self.framer.is_in_publish() {
            self.skip = Skip::Message;
        } else {
            self.framer.resync();
            self.skip = Skip::Line;
        }
        let end = self.fed;
        Some(self.emit(DigestResult::Urc(bytes), end))
    }
}

impl<const INGRESS: usize, const LINE: usize> atat::Digester for AtatDigester<INGRESS, LINE> {
    fn digest<'a>(&mut self, buf: &'a [u8]) -> (DigestResult<'a>, usize) {
        if buf.len() < self.fed {
            // atat cleared its buffer behind our back: start over.
            self.restart();
        }
        loop {
            if !self.framer.is_mid_frame() {
                // Line ends between frames: skipped, as the framer would.
                let rest = buf.get(self.fed..).unwrap_or_default();
                let n = rest.iter().take_while(|&&b| is_eol(b)).count();
                self.fed = self.fed.saturating_add(n);
                self.start = self.fed;
                self.skip = Skip::None;
            }
            let mut rest = buf.get(self.fed..).unwrap_or_default();
            if rest.is_empty() {
                match self.stalled(buf) {
                    Some(out) => return out,
                    None => continue,
                }
            }
            if self.skip == Skip::Line {
                // The framer skips to the line end and would frame on past it:
                // it gets no more, so the next frame starts where we know.
                if let Some(k) = rest.iter().position(|&b| is_eol(b)) {
                    rest = rest.get(..=k).unwrap_or(rest);
                }
            }
            let (used, frame) = self.framer.feed(rest, &mut []);
            let kind = frame.map(|f| match f {
                Frame::Ok => Kind::Ok,
                Frame::Error => Kind::Error,
                Frame::Cme(code) => Kind::Cme(code),
                Frame::Line(l) => Kind::Line(l.len()),
                Frame::Publish(_) | Frame::MessageTooLarge { .. } => Kind::Message,
                Frame::Prompt | Frame::Malformed(_) => Kind::Malformed,
            });
            self.fed = self.fed.saturating_add(used.max(1)).min(buf.len());
            if let Some(kind) = kind {
                if let Some(out) = self.on_frame(buf, kind) {
                    return out;
                }
            }
        }
    }
}

/// How a [`UrcBuf`] holds its URC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Held {
    /// The whole URC as the module printed it.
    Whole,
    /// The topic of a `+MQTTPUBLISH` that did not fit; its announced length.
    TooLarge(usize),
    /// The start of bytes that are no URC this driver reads.
    Unknown,
}

/// [`Urc`] for atat's `UrcChannel`: the `atat::AtatUrc` of this crate.
///
/// [`Urc`] borrows the modem's bytes, and `AtatUrc::parse` cannot hand out a
/// borrow, so the channel carries the URC's bytes (at most `N`) and
/// [`UrcBuf::urc`] reads the [`Urc`] back out of them. Parsing never fails:
/// a `+MQTTPUBLISH` longer than `N` bytes becomes [`Urc::MessageTooLarge`]
/// (its topic cut to `N` bytes if it must be), anything else that is not a
/// URC, or does not fit, becomes [`Urc::Unknown`] with its first `N` bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct UrcBuf<const N: usize = 1024> {
    held: Held,
    bytes: Vec<u8, N>,
}

impl<const N: usize> core::fmt::Debug for UrcBuf<N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.urc().fmt(f)
    }
}

/// The first `n` bytes of `s` at most, not cutting a UTF-8 character.
fn utf8_prefix(s: &str, n: usize) -> &str {
    let mut end = n.min(s.len());
    while !s.is_char_boundary(end) {
        end = end.saturating_sub(1);
    }
    s.get(..end).unwrap_or_default()
}

impl<const N: usize> UrcBuf<N> {
    /// Keeps the URC in `bytes` (see the type's docs for what does not fit).
    pub fn from_bytes(bytes: &[u8]) -> Self {
        if Urc::parse(bytes).is_some() {
            if let Ok(v) = Vec::from_slice(bytes) {
                return Self {
                    held: Held::Whole,
                    bytes: v,
                };
            }
        }
        // A message that did not fit (here, or in atat's buffer).
        let start = bytes
            .iter()
            .position(|&b| !is_eol(b))
            .unwrap_or(bytes.len());
        let header = bytes
            .get(start..)
            .and_then(|s| s.strip_prefix(PUBLISH_PREFIX_BYTES))
            .and_then(|h| Some((h, parse_header(h, MAX_TOPIC)?)));
        if let Some((h, (header, body))) = header {
            let topic = h
                .get(header.topic)
                .and_then(|t| core::str::from_utf8(t).ok());
            let short = h.len().saturating_sub(body) < header.msg_len;
            if let Some(topic) = topic.filter(|_| short || bytes.len() > N) {
                let topic = utf8_prefix(topic, N);
                return Self {
                    held: Held::TooLarge(header.msg_len),
                    bytes: Vec::from_slice(topic.as_bytes()).unwrap_or_default(),
                };
            }
        }
        let line = trim_eol(bytes.get(start..).unwrap_or_default());
        Self {
            held: Held::Unknown,
            bytes: Vec::from_slice(line.get(..N).unwrap_or(line)).unwrap_or_default(),
        }
    }

    /// The URC.
    pub fn urc(&self) -> Urc<'_> {
        match self.held {
            Held::Whole => Urc::parse(&self.bytes).unwrap_or(Urc::Unknown(&self.bytes)),
            Held::TooLarge(len) => Urc::MessageTooLarge {
                topic: core::str::from_utf8(&self.bytes).unwrap_or_default(),
                len,
            },
            Held::Unknown => Urc::Unknown(&self.bytes),
        }
    }
}

impl<const N: usize> atat::AtatUrc for UrcBuf<N> {
    fn parse(resp: &[u8]) -> Option<Self> {
        Some(Self::from_bytes(resp))
    }
}

#[cfg(test)]
#[path = "atat_digester_tests.rs"]
mod tests;
