//! The streaming digester: modem bytes in, [`Frame`]s out.
//!
//! This is the crate's *wire* layer, together with [`crate::line`] and
//! [`crate::urc`]. It turns the modem's output into frames: final results
//! (`OK`, `ERROR`, `+CME ERROR`), other lines, length-framed `+MQTTPUBLISH`
//! messages, the `>` prompt of length-mode `AT+MQTTPUB`, and framing errors. It
//! knows nothing of commands; pairing frames with requests is the session's job.
//!
//! # Promises
//!
//! * **Never panics**, whatever bytes it is fed (the module denies `unwrap`,
//!   `expect`, `panic!`, slice indexing and unchecked arithmetic; property tests
//!   feed it arbitrary bytes).
//! * **Bounded memory, no allocation**: a [`Digester<LINE, PAYLOAD>`] is
//!   `LINE + PAYLOAD` bytes of buffers plus about 80 bytes of state (2 KiB + 80 B
//!   with the defaults), wherever the caller puts it (stack, `static`, a struct).
//!   Nothing grows.
//! * **Never hangs**: [`Digester::feed`] consumes at least one byte of any
//!   non-empty input.
//! * **Chunking-independent**: the same bytes produce the same frames whether they
//!   arrive one at a time or all at once, and every byte is examined a constant
//!   number of times (the digester keeps its position; it never rescans). Line ends
//!   are found with `memchr` and payloads are copied in bulk, so the cost per byte
//!   is a few instructions at any chunk size.
//!
//! # Framing rules (spec §1.3, §3.1)
//!
//! * A line ends at CR or at LF; empty lines are ignored, so `\r\n`, `\r` and `\n`
//!   all work and a missing leading CR LF is fine.
//! * `OK` → [`Frame::Ok`]; `ERROR` and `+CME ERROR` without a numeric code →
//!   [`Frame::Error`]; `+CME ERROR: <n>` / `+CME ERROR:<n>` → [`Frame::Cme`].
//!   Trailing spaces are ignored in these.
//! * A line `OK +…` (one trace prints `OK +MQTTSUBACK:…` on one line, spec §2.4)
//!   is split into [`Frame::Ok`] and the line that starts at the `+`.
//! * `+MQTTPUBLISH:` at the start of a line switches to length framing: the header
//!   `<dup>,<qos>,<retained>,<packId>,<topic>,<msg_len>` (topic quoted or bare), then
//!   `,` or CR LF, then exactly `msg_len` payload bytes that are copied without
//!   being looked at, then CR LF → [`Frame::Publish`]. A payload larger than
//!   `PAYLOAD` is consumed in step and reported as [`Frame::MessageTooLarge`]. The
//!   topic must hold at most 512 bytes of UTF-8 and the header must fit `LINE`.
//! * Every other non-empty line → [`Frame::Line`] (decode it with
//!   [`crate::line::Line::parse`]). Echoed command lines are lines like any other.
//! * While [`Digester::expect_prompt`] is set, a `>` at the start of a line is
//!   [`Frame::Prompt`]; one space after it is swallowed. The flag clears itself
//!   when the prompt is seen.
//! * Errors — a malformed `+MQTTPUBLISH` header, a payload not followed by CR LF, a
//!   line longer than `LINE` — are reported once as [`Frame::Malformed`]; then the
//!   digester skips to the next CR or LF and carries on. A byte at which an error
//!   is detected is consumed; if that byte is itself a CR or LF, the resync is
//!   already done.
//!
//! # Relation to `atat`
//!
//! This digester replaces `atat::digest::AtDigester`; it does not implement
//! `atat::Digester`. That trait (`fn digest<'a>(&mut self, buf: &'a [u8]) ->
//! (DigestResult<'a>, usize)`) makes frames borrow the caller's ingress buffer, so
//! a frame has to sit whole in that buffer before it can be reported: a
//! `+MQTTPUBLISH` larger than the ingress buffer can never complete (the ingress
//! stalls instead of skipping it in step and reporting it), unconsumed bytes are
//! offered again on every call (a rescan, unless the adapter keeps a shadow
//! position), and `DigestResult` has no way to say "framing error" or "message too
//! large" — a bad frame could only be dropped silently. Information lines are also
//! expected to reach atat merged with their final result, which breaks as soon as a
//! URC arrives between an ACK line and its `OK` (spec T-17d). An adapter would thus
//! lose exactly the guarantees this module exists for; the session drives
//! [`Digester::feed`] directly instead.
//!
//! # Example
//!
//! ```
//! use ml302::digest::{Digester, Frame};
//!
//! let mut d: Digester = Digester::new();
//! let mut rest: &[u8] = b"\r\n+MQTTPUBLISH:0,1,0,1,pyr,3,abc\r\n\r\nOK\r\n";
//! let mut seen = 0;
//! while !rest.is_empty() {
//!     let (used, frame) = d.feed(rest);
//!     rest = rest.get(used..).unwrap_or_default();
//!     match frame {
//!         Some(Frame::Publish(p)) => {
//!             assert_eq!((p.topic, p.payload), ("pyr", &b"abc"[..]));
//!             seen += 1;
//!         }
//!         Some(Frame::Ok) => seen += 1,
//!         other => assert!(other.is_none()),
//!     }
//! }
//! assert_eq!(seen, 2);
//! ```
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use crate::error::FramingError;
use crate::types::QoS;

/// One `+MQTTPUBLISH` message, framed by its length (spec §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Publish<'a> {
    /// DUP flag of the PUBLISH the module received.
    pub dup: bool,
    /// QoS of the message.
    pub qos: QoS,
    /// Whether the broker delivered a retained message.
    pub retained: bool,
    /// Packet id chosen by the broker (0 for QoS 0).
    pub packet_id: u16,
    /// Topic name, quotes stripped.
    pub topic: &'a str,
    /// Exactly `<msg_len>` payload bytes, never inspected.
    pub payload: &'a [u8],
}

/// What the digester recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Frame<'a> {
    /// Final result `OK`.
    Ok,
    /// Final result `ERROR`, or `+CME ERROR` without a code.
    Error,
    /// `+CME ERROR: <n>` (any code, 609 and 619 included: classifying those as
    /// unsolicited is the session's job).
    Cme(u16),
    /// The `>` prompt of length-mode `AT+MQTTPUB` (only recognised while
    /// [`Digester::expect_prompt`] is set).
    Prompt,
    /// Any other complete non-empty line, without its line end: information and
    /// ACK lines, URCs other than `+MQTTPUBLISH`, echoed commands, `AT+MQTTSUB?`
    /// entries. Decode it with [`crate::line::Line::parse`].
    Line(&'a [u8]),
    /// A complete `+MQTTPUBLISH` with its payload.
    Publish(Publish<'a>),
    /// A well-framed `+MQTTPUBLISH` whose payload did not fit the payload buffer:
    /// its `len` bytes were consumed and discarded; the stream stays in sync.
    MessageTooLarge {
        /// Topic of the message.
        topic: &'a str,
        /// Announced payload length.
        len: usize,
    },
    /// Bytes that could not be framed; the digester resynchronised at the next
    /// line end.
    Malformed(FramingError),
}

/// Default line buffer size in bytes.
pub const DEFAULT_LINE: usize = 1024;
/// Default payload buffer size in bytes.
pub const DEFAULT_PAYLOAD: usize = 1024;

/// Longest `+MQTTPUBLISH` topic accepted, in bytes (spec §1.3, §3.1 rule 3).
pub const MAX_TOPIC: usize = 512;

/// Largest `<msg_len>` of a `+MQTTPUBLISH` (spec §3.1 rule 4).
pub const MAX_MSG_LEN: usize = 65535;

/// The prefix that switches to length framing.
const PUBLISH_PREFIX: &[u8] = b"+MQTTPUBLISH:";
pub(crate) const PUBLISH_PREFIX_BYTES: &[u8] = PUBLISH_PREFIX;

/// Below this many bytes a plain loop beats a `memchr` call.
const SHORT: usize = 16;

/// Where the digester is inside the byte stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Nothing of the current line seen yet.
    LineStart,
    /// Inside an ordinary line.
    Line,
    /// Inside a line that starts with `+` or `O`: accumulating until `limit`
    /// bytes decide whether it is `+MQTTPUBLISH:` or `OK ` (then `OkSpace`).
    Probe,
    /// The line so far is `OK` and spaces: a `+` splits it.
    OkSpace,
    /// Inside a numeric `+MQTTPUBLISH` header field, a bare topic or the length.
    Field,
    /// First byte of the topic: `"` or not.
    TopicStart,
    /// Inside a quoted topic.
    TopicQuoted,
    /// After the closing quote of the topic: `,` is due.
    TopicClose,
    /// After `<msg_len>` and CR: LF is due.
    LenLf,
    /// Copying the payload.
    Payload,
    /// Discarding a payload larger than the buffer.
    Skip,
    /// After the payload: CR is due.
    TermCr,
    /// After the payload and CR: LF is due.
    TermLf,
    /// Discarding bytes up to the next CR or LF after an error.
    Resync,
    /// After the prompt: one space is swallowed.
    PromptSpace,
}

/// A completed frame, before it is turned into a [`Frame`] that borrows the
/// digester's buffers.
#[derive(Debug, Clone, Copy)]
enum Ready {
    Ok,
    Error,
    Cme(u16),
    Prompt,
    Line(usize),
    Publish,
    Malformed(FramingError),
}

/// Counters the digester keeps (cheap: one addition per call and per frame).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Stats {
    /// Bytes consumed since the digester was created.
    pub bytes: u64,
    /// Frames produced, [`Frame::Malformed`] included (wraps around).
    pub frames: u32,
    /// [`Frame::Malformed`] frames produced (wraps around).
    pub malformed: u32,
}

/// The streaming digester (see the module docs).
///
/// `LINE` bounds a line (and a `+MQTTPUBLISH` header, without its
/// `+MQTTPUBLISH:` prefix); `PAYLOAD` bounds a message payload. The digester holds
/// both buffers inline: it is about `LINE + PAYLOAD + 80` bytes.
pub struct Digester<const LINE: usize = DEFAULT_LINE, const PAYLOAD: usize = DEFAULT_PAYLOAD> {
    line: [u8; LINE],
    payload: [u8; PAYLOAD],
    /// Bytes of `line` in use.
    len: usize,
    /// In `Probe`, the length at which the line's prefix is decided.
    limit: usize,
    mode: Mode,
    prompt: bool,
    /// `+MQTTPUBLISH` header: index of the field being read (0..=5).
    field: u8,
    /// Start of the current header field in `line`.
    seg: usize,
    dup: bool,
    qos: QoS,
    retained: bool,
    packet_id: u16,
    topic_start: usize,
    topic_end: usize,
    msg_len: usize,
    /// Payload bytes received so far.
    filled: usize,
    stats: Stats,
}

impl<const LINE: usize, const PAYLOAD: usize> Default for Digester<LINE, PAYLOAD> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const LINE: usize, const PAYLOAD: usize> core::fmt::Debug for Digester<LINE, PAYLOAD> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Digester")
            .field("mode", &self.mode)
            .field("len", &self.len)
            .field("prompt", &self.prompt)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

#[inline(always)]
const fn is_eol(b: u8) -> bool {
    b == b'\r' || b == b'\n'
}

/// Position of the first CR or LF.
#[inline(always)]
fn find_eol(hay: &[u8]) -> Option<usize> {
    if hay.len() < SHORT {
        hay.iter().position(|&b| is_eol(b))
    } else {
        memchr::memchr2(b'\r', b'\n', hay)
    }
}

/// Position of the first `delim`, CR or LF.
#[inline(always)]
fn find_delim(delim: u8, hay: &[u8]) -> Option<usize> {
    if hay.len() < SHORT {
        hay.iter().position(|&b| b == delim || is_eol(b))
    } else {
        memchr::memchr3(delim, b'\r', b'\n', hay)
    }
}

/// Parses 1–5 decimal digits with a value of at most `max`.
pub(crate) fn parse_u16_field(s: &[u8], max: u16) -> Option<u16> {
    if s.is_empty() || s.len() > 5 {
        return None;
    }
    let mut v: u32 = 0;
    for &b in s {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u32::from(d))?;
    }
    u16::try_from(v).ok().filter(|&v| v <= max)
}

/// Removes leading spaces.
pub(crate) fn trim_start_spaces(mut s: &[u8]) -> &[u8] {
    while let [b' ', rest @ ..] = s {
        s = rest;
    }
    s
}

/// Removes trailing spaces.
pub(crate) fn trim_end_spaces(mut s: &[u8]) -> &[u8] {
    while let [rest @ .., b' '] = s {
        s = rest;
    }
    s
}

/// Decodes what follows `+CME ERROR`; `None` if the line is not a `+CME ERROR`
/// result at all (e.g. `+CME ERRORS`).
fn cme_tail(rest: &[u8]) -> Option<Ready> {
    let code = match rest {
        [] => return Some(Ready::Error),
        [b':', code @ ..] | [b' ', code @ ..] => trim_start_spaces(code),
        _ => return None,
    };
    // A verbose (`+CMEE=2`) or out-of-range code is still a final error result.
    Some(match parse_u16_field(code, u16::MAX) {
        Some(n) => Ready::Cme(n),
        None => Ready::Error,
    })
}

/// Classifies a complete line (without its terminator).
fn classify(line: &[u8]) -> Ready {
    match trim_end_spaces(line) {
        b"OK" => Ready::Ok,
        b"ERROR" => Ready::Error,
        [b'+', b'C', b'M', b'E', b' ', b'E', b'R', b'R', b'O', b'R', rest @ ..] => {
            cme_tail(rest).unwrap_or(Ready::Line(line.len()))
        }
        _ => Ready::Line(line.len()),
    }
}

/// Classifies a complete line (not `+MQTTPUBLISH`) into the frame the digester
/// would produce for it. For [`crate::urc::Urc::parse`].
pub(crate) fn classify_line(line: &[u8]) -> Frame<'_> {
    match classify(line) {
        Ready::Ok => Frame::Ok,
        Ready::Error => Frame::Error,
        Ready::Cme(n) => Frame::Cme(n),
        _ => Frame::Line(line),
    }
}

/// The decoded fields of a `+MQTTPUBLISH` header, for [`crate::urc::Urc::parse`].
pub(crate) struct Header {
    pub(crate) dup: bool,
    pub(crate) qos: QoS,
    pub(crate) retained: bool,
    pub(crate) packet_id: u16,
    /// Topic (quotes stripped) as a range of the header bytes.
    pub(crate) topic: core::ops::Range<usize>,
    pub(crate) msg_len: usize,
}

/// Decodes header field `index` (0..=3) into `(dup, qos, retained, packet_id)` form.
fn numeric_field(index: u8, seg: &[u8]) -> Option<u16> {
    match index {
        0 => parse_u16_field(trim_start_spaces(seg), 1),
        1 => parse_u16_field(seg, 2),
        2 => parse_u16_field(seg, 1),
        _ => parse_u16_field(seg, u16::MAX),
    }
}

/// Parses a complete `+MQTTPUBLISH` header from a slice that starts right after
/// `+MQTTPUBLISH:`. Returns the header and the offset of the first payload byte.
/// Used by [`crate::urc::Urc::parse`]; the digester itself reads headers in step.
pub(crate) fn parse_header_slice(h: &[u8]) -> Result<(Header, usize), FramingError> {
    let mut nums = [0u16; 4];
    let mut pos = 0usize;
    for (i, slot) in (0u8..).zip(nums.iter_mut()) {
        let rest = h.get(pos..).unwrap_or_default();
        let k = rest
            .iter()
            .position(|&b| b == b',')
            .ok_or(FramingError::BadPublishHeader)?;
        let seg = rest.get(..k).unwrap_or_default();
        if seg.iter().any(|&b| is_eol(b)) {
            return Err(FramingError::BadPublishHeader);
        }
        *slot = numeric_field(i, seg).ok_or(FramingError::BadPublishHeader)?;
        pos = pos.saturating_add(k).saturating_add(1);
    }
    let rest = h.get(pos..).unwrap_or_default();
    let (topic, after) = if let Some(q) = rest.strip_prefix(b"\"") {
        let k = q
            .iter()
            .position(|&b| b == b'"' || is_eol(b))
            .ok_or(FramingError::BadPublishTopic)?;
        if q.get(k) != Some(&b'"') || q.get(k.saturating_add(1)) != Some(&b',') {
            return Err(FramingError::BadPublishTopic);
        }
        let start = pos.saturating_add(1);
        (start..start.saturating_add(k), start.saturating_add(k).saturating_add(2))
    } else {
        let k = rest
            .iter()
            .position(|&b| b == b',' || is_eol(b))
            .ok_or(FramingError::BadPublishTopic)?;
        if rest.get(k) != Some(&b',') {
            return Err(FramingError::BadPublishTopic);
        }
        (pos..pos.saturating_add(k), pos.saturating_add(k).saturating_add(1))
    };
    if topic.len() > MAX_TOPIC {
        return Err(FramingError::BadPublishTopic);
    }
    let rest = h.get(after..).unwrap_or_default();
    let k = rest
        .iter()
        .position(|&b| b == b',' || is_eol(b))
        .ok_or(FramingError::BadPublishLength)?;
    let msg_len = parse_u16_field(rest.get(..k).unwrap_or_default(), u16::MAX)
        .ok_or(FramingError::BadPublishLength)?;
    let body = match rest.get(k..) {
        Some([b',', ..]) => after.saturating_add(k).saturating_add(1),
        Some([b'\r', b'\n', ..]) => after.saturating_add(k).saturating_add(2),
        _ => return Err(FramingError::BadPublishLength),
    };
    let [dup, qos, retained, packet_id] = nums;
    Ok((
        Header {
            dup: dup == 1,
            qos: QoS::from_u8(qos as u8).unwrap_or_default(),
            retained: retained == 1,
            packet_id,
            topic,
            msg_len: usize::from(msg_len),
        },
        body,
    ))
}

impl<const LINE: usize, const PAYLOAD: usize> Digester<LINE, PAYLOAD> {
    /// A digester at the start of a line, with prompt detection off.
    pub const fn new() -> Self {
        Self {
            line: [0; LINE],
            payload: [0; PAYLOAD],
            len: 0,
            limit: 0,
            mode: Mode::LineStart,
            prompt: false,
            field: 0,
            seg: 0,
            dup: false,
            qos: QoS::AtMostOnce,
            retained: false,
            packet_id: 0,
            topic_start: 0,
            topic_end: 0,
            msg_len: 0,
            filled: 0,
            stats: Stats {
                bytes: 0,
                frames: 0,
                malformed: 0,
            },
        }
    }

    /// Turns recognition of the `>` prompt on or off (spec §2.6).
    ///
    /// Set it right after sending a length-mode `AT+MQTTPUB`; it clears itself
    /// when the prompt arrives. While it is off, `>` starts an ordinary line.
    #[inline]
    pub fn expect_prompt(&mut self, on: bool) {
        self.prompt = on;
    }

    /// Whether a `>` at the start of a line would currently be a prompt.
    #[inline]
    pub fn is_expecting_prompt(&self) -> bool {
        self.prompt
    }

    /// Forgets any partial line or message and prompt expectation: the next byte
    /// starts a new line. The [`Stats`] are kept.
    pub fn reset(&mut self) {
        self.len = 0;
        self.limit = 0;
        self.mode = Mode::LineStart;
        self.prompt = false;
        self.field = 0;
        self.seg = 0;
        self.msg_len = 0;
        self.filled = 0;
    }

    /// Whether the digester is in the middle of something (a line or a message),
    /// i.e. not at a line start. A session may time out a frame that stays open.
    #[inline]
    pub fn is_mid_frame(&self) -> bool {
        !matches!(self.mode, Mode::LineStart)
    }

    /// Whether the digester is inside a `+MQTTPUBLISH` frame (header, payload or
    /// its terminator).
    #[inline]
    pub fn is_in_publish(&self) -> bool {
        matches!(
            self.mode,
            Mode::Field
                | Mode::TopicStart
                | Mode::TopicQuoted
                | Mode::TopicClose
                | Mode::LenLf
                | Mode::Payload
                | Mode::Skip
                | Mode::TermCr
                | Mode::TermLf
        )
    }

    /// Bytes consumed and frames produced so far.
    #[inline]
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Consumes bytes from `input` until a frame completes or `input` is used up.
    ///
    /// Returns how many bytes were consumed (at least one if `input` is not empty)
    /// and the completed frame, if any. Feed the rest of `input` (from the returned
    /// count on) in the next call. The frame borrows the digester's buffers and is
    /// valid until the next call.
    #[inline]
    pub fn feed(&mut self, input: &[u8]) -> (usize, Option<Frame<'_>>) {
        // One ordinary byte inside a line: the common case when bytes trickle in.
        if let [b] = *input {
            if self.mode == Mode::Line && !is_eol(b) {
                if let Some(slot) = self.line.get_mut(self.len) {
                    *slot = b;
                    self.len = self.len.wrapping_add(1);
                    self.stats.bytes = self.stats.bytes.wrapping_add(1);
                    return (1, None);
                }
            }
        }
        self.feed_slow(input)
    }

    #[inline(never)]
    fn feed_slow(&mut self, input: &[u8]) -> (usize, Option<Frame<'_>>) {
        let (used, ready) = self.step(input);
        self.stats.bytes = self.stats.bytes.wrapping_add(used as u64);
        match ready {
            None => (used, None),
            Some(r) => (used, Some(self.frame(r))),
        }
    }

    /// Builds the public frame for a completed one.
    fn frame(&mut self, r: Ready) -> Frame<'_> {
        self.stats.frames = self.stats.frames.wrapping_add(1);
        let f = match r {
            Ready::Ok => Frame::Ok,
            Ready::Error => Frame::Error,
            Ready::Cme(n) => Frame::Cme(n),
            Ready::Prompt => Frame::Prompt,
            Ready::Malformed(e) => Frame::Malformed(e),
            Ready::Line(n) => Frame::Line(self.line.get(..n).unwrap_or_default()),
            Ready::Publish => {
                let topic = self
                    .line
                    .get(self.topic_start..self.topic_end)
                    .and_then(|t| core::str::from_utf8(t).ok());
                match topic {
                    None => Frame::Malformed(FramingError::BadPublishTopic),
                    Some(topic) if self.msg_len > PAYLOAD => Frame::MessageTooLarge {
                        topic,
                        len: self.msg_len,
                    },
                    Some(topic) => Frame::Publish(Publish {
                        dup: self.dup,
                        qos: self.qos,
                        retained: self.retained,
                        packet_id: self.packet_id,
                        topic,
                        payload: self.payload.get(..self.msg_len).unwrap_or_default(),
                    }),
                }
            }
        };
        if let Frame::Malformed(_) = f {
            self.stats.malformed = self.stats.malformed.wrapping_add(1);
        }
        f
    }

    /// Appends `bytes` to the line buffer (the caller checked the room).
    #[inline(always)]
    fn append(&mut self, bytes: &[u8]) {
        let end = self.len.saturating_add(bytes.len());
        if let Some(dst) = self.line.get_mut(self.len..end) {
            if bytes.len() < SHORT {
                for (d, s) in dst.iter_mut().zip(bytes) {
                    *d = *s;
                }
            } else {
                dst.copy_from_slice(bytes);
            }
            self.len = end;
        }
    }

    /// Room left in the line buffer.
    #[inline(always)]
    fn room(&self) -> usize {
        LINE.saturating_sub(self.len)
    }

    /// Error detected at byte `b` (already consumed): resync after it, or right
    /// away if `b` itself ends a line.
    #[inline]
    fn fail(&mut self, b: u8, e: FramingError) -> Option<Ready> {
        self.mode = if is_eol(b) {
            Mode::LineStart
        } else {
            Mode::Resync
        };
        Some(Ready::Malformed(e))
    }

    /// The first byte of a line (not CR, LF or a prompt).
    #[inline]
    fn start_line(&mut self, b: u8) -> Option<Ready> {
        let Some(slot) = self.line.first_mut() else {
            self.mode = Mode::Resync;
            return Some(Ready::Malformed(FramingError::LineTooLong));
        };
        *slot = b;
        self.len = 1;
        match b {
            b'+' => self.probe(PUBLISH_PREFIX.len()),
            b'O' => self.probe(3),
            _ => self.mode = Mode::Line,
        }
        None
    }

    /// Starts (or continues) deciding the line's prefix at `at` bytes.
    #[inline]
    fn probe(&mut self, at: usize) {
        self.limit = at.min(LINE);
        self.mode = Mode::Probe;
        if self.len >= self.limit {
            self.decide();
        }
    }

    /// The line holds `limit` bytes: is it `+MQTTPUBLISH:` or `OK `?
    fn decide(&mut self) {
        match self.line.get(..self.len) {
            Some(PUBLISH_PREFIX) => {
                self.len = 0;
                self.seg = 0;
                self.field = 0;
                self.mode = Mode::Field;
            }
            Some(b"OK ") => self.mode = Mode::OkSpace,
            _ => self.mode = Mode::Line,
        }
    }

    /// A `+MQTTPUBLISH` header field ended at delimiter `d` (`,`, CR or LF,
    /// consumed). Returns the error, if the field is bad.
    fn end_field(&mut self, d: u8) -> Result<(), FramingError> {
        let seg = self.line.get(self.seg..self.len).unwrap_or_default();
        match self.field {
            0..=3 => {
                if d != b',' {
                    return Err(FramingError::BadPublishHeader);
                }
                let v = numeric_field(self.field, seg).ok_or(FramingError::BadPublishHeader)?;
                match self.field {
                    0 => self.dup = v == 1,
                    1 => self.qos = QoS::from_u8(v as u8).unwrap_or_default(),
                    2 => self.retained = v == 1,
                    _ => {
                        self.packet_id = v;
                        self.mode = Mode::TopicStart;
                    }
                }
            }
            4 => {
                if d != b',' || seg.len() > MAX_TOPIC {
                    return Err(FramingError::BadPublishTopic);
                }
                self.topic_start = self.seg;
                self.topic_end = self.len;
            }
            _ => {
                let n = parse_u16_field(seg, u16::MAX).ok_or(FramingError::BadPublishLength)?;
                self.msg_len = usize::from(n);
                match d {
                    b',' => self.begin_payload(),
                    b'\r' => self.mode = Mode::LenLf,
                    _ => return Err(FramingError::BadPublishLength),
                }
            }
        }
        self.field = self.field.saturating_add(1);
        self.seg = self.len;
        Ok(())
    }

    #[inline]
    fn begin_payload(&mut self) {
        self.filled = 0;
        self.mode = if self.msg_len == 0 {
            Mode::TermCr
        } else if self.msg_len > PAYLOAD {
            Mode::Skip
        } else {
            Mode::Payload
        };
    }

    /// The state machine. Returns the bytes consumed and the frame completed, if
    /// any.
    fn step(&mut self, input: &[u8]) -> (usize, Option<Ready>) {
        let mut pos = 0usize;
        loop {
            let rest = match input.get(pos..) {
                Some(r) if !r.is_empty() => r,
                _ => return (pos, None),
            };
            let ready = match self.mode {
                Mode::LineStart => {
                    let b = rest.first().copied().unwrap_or(b'\n');
                    pos = pos.saturating_add(1);
                    match b {
                        b'\r' | b'\n' => None,
                        b'>' if self.prompt => {
                            self.prompt = false;
                            self.mode = Mode::PromptSpace;
                            Some(Ready::Prompt)
                        }
                        _ => self.start_line(b),
                    }
                }
                Mode::Line => {
                    let room = self.room();
                    let window = rest.get(..room.saturating_add(1)).unwrap_or(rest);
                    match find_eol(window) {
                        Some(k) => {
                            self.append(window.get(..k).unwrap_or_default());
                            pos = pos.saturating_add(k).saturating_add(1);
                            self.mode = Mode::LineStart;
                            Some(classify(self.line.get(..self.len).unwrap_or_default()))
                        }
                        None if window.len() > room => {
                            pos = pos.saturating_add(window.len());
                            self.mode = Mode::Resync;
                            Some(Ready::Malformed(FramingError::LineTooLong))
                        }
                        None => {
                            self.append(window);
                            pos = pos.saturating_add(window.len());
                            None
                        }
                    }
                }
                Mode::Probe => {
                    let want = self.limit.saturating_sub(self.len);
                    let window = rest.get(..want).unwrap_or(rest);
                    match find_eol(window) {
                        Some(k) => {
                            self.append(window.get(..k).unwrap_or_default());
                            pos = pos.saturating_add(k).saturating_add(1);
                            self.mode = Mode::LineStart;
                            Some(classify(self.line.get(..self.len).unwrap_or_default()))
                        }
                        None => {
                            self.append(window);
                            pos = pos.saturating_add(window.len());
                            if self.len >= self.limit {
                                self.decide();
                            }
                            None
                        }
                    }
                }
                Mode::OkSpace => {
                    let b = rest.first().copied().unwrap_or(b'\n');
                    match b {
                        b' ' if self.len < LINE => {
                            pos = pos.saturating_add(1);
                            self.append(b" ");
                            None
                        }
                        b'+' => {
                            pos = pos.saturating_add(1);
                            self.len = 0;
                            self.append(b"+");
                            self.probe(PUBLISH_PREFIX.len());
                            Some(Ready::Ok)
                        }
                        b'\r' | b'\n' => {
                            pos = pos.saturating_add(1);
                            self.mode = Mode::LineStart;
                            Some(classify(self.line.get(..self.len).unwrap_or_default()))
                        }
                        _ => {
                            // Not a split after all: an ordinary line.
                            self.mode = Mode::Line;
                            None
                        }
                    }
                }
                Mode::Field | Mode::TopicQuoted => {
                    let quoted = self.mode == Mode::TopicQuoted;
                    let room = self.room();
                    let window = rest.get(..room.saturating_add(1)).unwrap_or(rest);
                    let delim = if quoted { b'"' } else { b',' };
                    match find_delim(delim, window) {
                        Some(k) => {
                            self.append(window.get(..k).unwrap_or_default());
                            pos = pos.saturating_add(k).saturating_add(1);
                            let d = window.get(k).copied().unwrap_or(b'\n');
                            if quoted {
                                if d == b'"' {
                                    self.mode = Mode::TopicClose;
                                    None
                                } else {
                                    self.fail(d, FramingError::BadPublishTopic)
                                }
                            } else {
                                match self.end_field(d) {
                                    Ok(()) => None,
                                    Err(e) => self.fail(d, e),
                                }
                            }
                        }
                        None if window.len() > room => {
                            pos = pos.saturating_add(window.len());
                            self.mode = Mode::Resync;
                            Some(Ready::Malformed(match self.field {
                                0..=3 => FramingError::BadPublishHeader,
                                4 => FramingError::BadPublishTopic,
                                _ => FramingError::BadPublishLength,
                            }))
                        }
                        None => {
                            self.append(window);
                            pos = pos.saturating_add(window.len());
                            None
                        }
                    }
                }
                Mode::TopicStart => {
                    self.seg = self.len;
                    if rest.first() == Some(&b'"') {
                        pos = pos.saturating_add(1);
                        self.mode = Mode::TopicQuoted;
                    } else {
                        self.mode = Mode::Field;
                    }
                    None
                }
                Mode::TopicClose => {
                    let b = rest.first().copied().unwrap_or(b'\n');
                    pos = pos.saturating_add(1);
                    let topic_len = self.len.saturating_sub(self.seg);
                    if b == b',' && topic_len <= MAX_TOPIC {
                        self.topic_start = self.seg;
                        self.topic_end = self.len;
                        self.field = 5;
                        self.seg = self.len;
                        self.mode = Mode::Field;
                        None
                    } else {
                        self.fail(b, FramingError::BadPublishTopic)
                    }
                }
                Mode::LenLf => {
                    let b = rest.first().copied().unwrap_or(b'\r');
                    pos = pos.saturating_add(1);
                    if b == b'\n' {
                        self.begin_payload();
                        None
                    } else {
                        self.fail(b, FramingError::BadPublishLength)
                    }
                }
                Mode::Payload => {
                    let need = self.msg_len.saturating_sub(self.filled);
                    let chunk = rest.get(..need).unwrap_or(rest);
                    let end = self.filled.saturating_add(chunk.len());
                    if let Some(dst) = self.payload.get_mut(self.filled..end) {
                        if let ([d], [s]) = (&mut *dst, chunk) {
                            *d = *s;
                        } else {
                            dst.copy_from_slice(chunk);
                        }
                    }
                    self.filled = end;
                    pos = pos.saturating_add(chunk.len());
                    if self.filled >= self.msg_len {
                        self.mode = Mode::TermCr;
                    }
                    None
                }
                Mode::Skip => {
                    let need = self.msg_len.saturating_sub(self.filled);
                    let n = need.min(rest.len());
                    self.filled = self.filled.saturating_add(n);
                    pos = pos.saturating_add(n);
                    if self.filled >= self.msg_len {
                        self.mode = Mode::TermCr;
                    }
                    None
                }
                Mode::TermCr => {
                    let b = rest.first().copied().unwrap_or(b'\n');
                    pos = pos.saturating_add(1);
                    if b == b'\r' {
                        self.mode = Mode::TermLf;
                        None
                    } else {
                        self.fail(b, FramingError::BadPublishTerminator)
                    }
                }
                Mode::TermLf => {
                    let b = rest.first().copied().unwrap_or(b'\r');
                    pos = pos.saturating_add(1);
                    if b == b'\n' {
                        self.mode = Mode::LineStart;
                        Some(Ready::Publish)
                    } else {
                        self.fail(b, FramingError::BadPublishTerminator)
                    }
                }
                Mode::Resync => match find_eol(rest) {
                    Some(k) => {
                        pos = pos.saturating_add(k).saturating_add(1);
                        self.mode = Mode::LineStart;
                        None
                    }
                    None => {
                        pos = pos.saturating_add(rest.len());
                        None
                    }
                },
                Mode::PromptSpace => {
                    if rest.first() == Some(&b' ') {
                        pos = pos.saturating_add(1);
                    }
                    self.mode = Mode::LineStart;
                    None
                }
            };
            if ready.is_some() {
                return (pos, ready);
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    fn frames<const L: usize, const P: usize>(d: &mut Digester<L, P>, mut input: &[u8]) -> usize {
        let mut n = 0;
        while !input.is_empty() {
            let (used, f) = d.feed(input);
            assert!(used >= 1);
            input = &input[used..];
            n += usize::from(f.is_some());
        }
        n
    }

    #[test]
    fn classify_final_results() {
        assert!(matches!(classify(b"OK"), Ready::Ok));
        assert!(matches!(classify(b"OK  "), Ready::Ok));
        assert!(matches!(classify(b"ERROR"), Ready::Error));
        assert!(matches!(classify(b"+CME ERROR"), Ready::Error));
        assert!(matches!(classify(b"+CME ERROR:"), Ready::Error));
        assert!(matches!(classify(b"+CME ERROR: 603"), Ready::Cme(603)));
        assert!(matches!(classify(b"+CME ERROR:603"), Ready::Cme(603)));
        assert!(matches!(classify(b"+CME ERROR: unknown"), Ready::Error));
        assert!(matches!(classify(b"+CME ERRORS"), Ready::Line(11)));
        assert!(matches!(classify(b"OKAY"), Ready::Line(4)));
    }

    #[test]
    fn header_slice_parses_both_spellings() {
        let (h, body) = parse_header_slice(b" 0,1,0,77,\"a/b\",3,xyz").unwrap();
        assert_eq!((h.packet_id, h.topic, h.msg_len, body), (77, 11..14, 3, 18));
        let (h, body) = parse_header_slice(b"0,2,1,1,pyr,3\r\nabc").unwrap();
        assert_eq!((h.qos, h.retained, h.topic, body), (QoS::ExactlyOnce, true, 8..11, 15));
        assert!(parse_header_slice(b"0,3,0,0,t,1,x").is_err());
    }

    #[test]
    fn stats_count_bytes_frames_and_errors() {
        let mut d: Digester<8, 8> = Digester::new();
        let input = b"OK\r\n0123456789\r\nERROR\r\n";
        assert_eq!(frames(&mut d, input), 3);
        let s = d.stats();
        assert_eq!((s.bytes, s.frames, s.malformed), (input.len() as u64, 3, 1));
    }

    #[test]
    fn mid_frame_and_in_publish_track_position() {
        let mut d: Digester = Digester::new();
        assert!(!d.is_mid_frame());
        frames(&mut d, b"\r\n+MQTTPUBLISH:0,0,0,0,t,3,a");
        assert!(d.is_mid_frame() && d.is_in_publish());
        frames(&mut d, b"bc\r\n");
        assert!(!d.is_mid_frame() && !d.is_in_publish());
        frames(&mut d, b"+MQTTPUB");
        assert!(d.is_mid_frame() && !d.is_in_publish());
        d.reset();
        assert!(!d.is_mid_frame());
    }

    #[test]
    fn zero_sized_buffers_never_panic() {
        let mut d: Digester<0, 0> = Digester::new();
        frames(&mut d, b"\r\nOK\r\n+MQTTPUBLISH:0,0,0,0,t,0,\r\n");
        let mut d: Digester<1, 0> = Digester::new();
        frames(&mut d, b"\r\nOK\r\n+MQTTPUBLISH:0,0,0,0,t,0,\r\nO\r\n+\r\n");
    }
}
