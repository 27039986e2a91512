//! The streaming digester: modem bytes in, [`Frame`]s out.
//!
//! This is the crate's *wire* layer, together with [`crate::line`] and
//! [`crate::urc`]. It turns the modem's output into frames: final results
//! (`OK`, `ERROR`, `+CME ERROR`), other lines, length-framed `+MQTTPUBLISH`
//! messages, the `>` prompt of length-mode `AT+MQTTPUB`, and framing errors. It
//! knows nothing of commands; pairing frames with requests is the session's job.
//!
//! # How it reads
//!
//! * `reference.rs` is the digester: one state machine that frames every byte
//!   and needs nothing else. Start there.
//! * `header.rs` is the one reader of the `+MQTTPUBLISH` header; every route
//!   reads headers through it.
//! * `lines.rs` classifies a complete line: final result or not.
//! * `scan.rs` finds line ends and delimiters.
//! * `fast/` (cargo feature `fast-digest`, on by default) takes a whole line or a
//!   whole `+MQTTPUBLISH` at a line start in one go and lends it from the input
//!   instead of copying it, and finds line ends a word at a time. Anything it
//!   does not take goes to the reference machine, in the same state the
//!   reference machine would have reached itself: the two routes yield the same
//!   frames for every chunking (a property test and the `digest` fuzz target
//!   compare them through [`Digester::feed_reference`]).
//!
//! # Promises
//!
//! * **Never panics**, whatever bytes it is fed (the module denies `unwrap`,
//!   `expect`, `panic!`, slice indexing and unchecked arithmetic; property tests
//!   feed it arbitrary bytes at random chunkings and buffer sizes down to zero;
//!   the firmware's link-time proof checks that no panic path survives).
//! * **Bounded memory, no allocation**: a [`Digester<LINE, PAYLOAD>`] is
//!   `LINE + PAYLOAD` bytes of buffers plus a few dozen bytes of state, wherever
//!   the caller puts it (stack, `static`, a struct). Nothing grows.
//! * **Never hangs**: [`Digester::feed`] consumes at least one byte of any
//!   non-empty input.
//! * **Chunking-independent**: the same bytes produce the same frames whether they
//!   arrive one at a time or all at once.
//! * **No rescanning**: the digester keeps its position across calls; a byte is
//!   looked at a bounded number of times, never once per call (three at most: a
//!   malformed header at hand is tried straight through, then by the header
//!   reader, then handed to the reference machine; a header kept raw across
//!   inputs is read straight through twice at most, then by the header reader).
//!
//! # Cost
//!
//! Instructions per byte, fast paths and reference machine, are in the README
//! (`bash scripts/bench-callgrind.sh`); what each fast path earns is in
//! `fast/mod.rs`.
//!
//! # Framing rules (spec §1.3, §3.1)
//!
//! * A line ends at CR or at LF; empty lines are ignored, so `\r\n`, `\r` and `\n`
//!   all work and a missing leading CR LF is fine.
//! * `OK` → [`Frame::Ok`]; `ERROR` and `+CME ERROR` without a numeric code →
//!   [`Frame::Error`]; `+CME ERROR: <n>` / `+CME ERROR:<n>` → [`Frame::Cme`].
//!   Trailing spaces are ignored in these. A verbose or out-of-range code
//!   (`+CME ERROR: SIM failure`, `+CME ERROR: 99999`) is still a final error
//!   result: [`Frame::Error`].
//! * A line `OK +…` (one trace prints `OK +MQTTSUBACK:…` on one line, spec §2.4)
//!   is split into [`Frame::Ok`] and the line that starts at the `+`.
//! * `+MQTTPUBLISH:` at the start of a line switches to length framing: optional
//!   spaces, the header `<dup>,<qos>,<retained>,<packId>,<topic>,<msg_len>` (numbers
//!   of 1–5 digits in their ranges; the topic quoted — up to the next `"`, which
//!   must be followed by `,` — or bare — up to the next `,`), then `,` or CR LF,
//!   then exactly `msg_len` payload bytes that are copied without being looked at,
//!   then CR LF → [`Frame::Publish`]. A payload larger than `PAYLOAD` is consumed
//!   in step and reported as [`Frame::MessageTooLarge`]. The topic must fit
//!   `min(LINE, 512)` bytes (it is kept in the line buffer), hold no CR or LF, and
//!   be UTF-8; a topic that is not UTF-8 is only noticed once the frame is complete
//!   and is then reported as [`FramingError::BadPublishTopic`] (the length framing
//!   was fine, so the stream stays in sync).
//! * Every other non-empty line → [`Frame::Line`] (decode it with
//!   [`crate::line::Line::parse`]). Echoed command lines are lines like any other.
//! * While [`Digester::expect_prompt`] is set, a `>` at the start of a line is
//!   [`Frame::Prompt`]; one space after it is swallowed. The flag clears itself
//!   when the prompt is seen.
//! * Errors — a malformed `+MQTTPUBLISH` header, a payload not followed by CR LF, a
//!   line longer than `LINE` — are reported once as [`Frame::Malformed`]; then the
//!   digester skips to the next CR or LF and carries on. A byte at which an error
//!   is detected is consumed; if that byte is itself a CR or LF, the resync is
//!   already done. (So the two bytes after a payload are `\r` then anything but
//!   `\n`: an error, and the resync runs to the next line end after them.)
//!
//! # Relation to `atat`
//!
//! This digester replaces `atat::digest::AtDigester`. It does not implement
//! `atat::Digester` itself: that trait makes frames borrow the caller's ingress
//! buffer, so a frame has to sit whole in that buffer before it can be
//! reported, and `DigestResult` has no way to say "framing error" or "message
//! too large". The session drives [`Digester::feed`] directly instead; for
//! atat's own client, [`crate::atat_digester::AtatDigester`] puts a [`Framer`]
//! behind `atat::Digester` and reports what atat cannot carry as URCs.
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

#[cfg(feature = "fast-digest")]
mod fast;
mod header;
mod lines;
mod reference;
mod scan;

pub(crate) use header::parse_header;
pub(crate) use lines::{classify_line, trim_end_spaces, trim_start_spaces};

use crate::error::FramingError;
use crate::types::QoS;
use header::HeaderReader;

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
pub(crate) const PUBLISH_PREFIX: &[u8] = b"+MQTTPUBLISH:";
pub(crate) const PUBLISH_PREFIX_BYTES: &[u8] = PUBLISH_PREFIX;

/// Where the digester is inside the byte stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Nothing of the current line seen yet.
    LineStart,
    /// Inside a line; while it holds fewer than `limit` bytes, one that may
    /// still turn out to be `+MQTTPUBLISH:` or `OK ` (then `OkSpace`).
    Line,
    /// The line so far is `OK` and spaces: a `+` splits it.
    OkSpace,
    /// Inside a `+MQTTPUBLISH` header (the [`HeaderReader`] has its place).
    Header,
    /// Copying the payload (only counting it when it does not fit).
    Payload,
    /// After the payload: CR is due.
    TermCr,
    /// After the payload and CR: LF is due.
    TermLf,
    /// Discarding bytes up to the next CR or LF after an error.
    Resync,
    /// After the prompt: one space is swallowed.
    PromptSpace,
    /// A `+MQTTPUBLISH` header cut by the end of the input, kept raw in the
    /// line buffer by the fast route (`fast/mod.rs`) to be read whole when the
    /// rest arrives; the reference machine reads it through the header reader
    /// first.
    #[cfg(feature = "fast-digest")]
    Kept,
}

/// A completed frame, before it is turned into a [`Frame`] that borrows the
/// digester's buffers or the input.
#[derive(Debug, Clone, Copy)]
enum Ready {
    Ok,
    Error,
    Cme(u16),
    Prompt,
    /// The line in `line[..len]`.
    Line,
    /// The message with its topic in `line[..len]`, its payload in `payload`.
    Publish,
    Malformed(FramingError),
    /// The line in `input[lent[0]..lent[1]]` of the current call.
    #[cfg(feature = "fast-digest")]
    LineIn,
    /// The message with its topic in `input[lent[0]..lent[1]]` and its payload
    /// in `input[lent[2]..][..msg_len]` of the current call.
    #[cfg(feature = "fast-digest")]
    PublishIn,
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

/// The streaming digester (see the module docs), with a payload buffer of its
/// own.
///
/// `LINE` bounds a line and a `+MQTTPUBLISH` topic; `PAYLOAD` bounds a message
/// payload. The digester holds both buffers inline. It is a [`Framer`] and a
/// payload buffer; with the `fast-digest` feature a whole message in the input
/// is lent from it rather than copied.
pub struct Digester<const LINE: usize = DEFAULT_LINE, const PAYLOAD: usize = DEFAULT_PAYLOAD> {
    framer: Framer<LINE>,
    payload: [u8; PAYLOAD],
}

/// The digester without a payload buffer: each call is lent the buffer that
/// incoming payloads are written into, so a payload can go straight to where
/// it is kept (the session writes it into its inbox slot, once).
///
/// Lend the same buffer, unchanged, to every call from the start of a
/// `+MQTTPUBLISH` payload to its frame: whether the payload fits is decided
/// when it starts, from the buffer lent then (an empty one skips it, reported
/// as [`Frame::MessageTooLarge`]). [`Frame::Publish`] payloads always lie in
/// the lent buffer, never in the input.
pub struct Framer<const LINE: usize = DEFAULT_LINE> {
    /// The current line, or the topic while in a `+MQTTPUBLISH` frame.
    line: [u8; LINE],
    /// Bytes of `line` in use.
    len: usize,
    /// In `Line`, the length at which the line's prefix is decided (`+` for
    /// `+MQTTPUBLISH:`, `O` for `OK `; 0 for an ordinary line).
    limit: usize,
    /// Payload bytes received so far.
    filled: usize,
    /// The `+MQTTPUBLISH` header being read, or the last one read.
    header: HeaderReader,
    /// Where a frame lent from the current input lies in it (see [`Ready`]).
    #[cfg(feature = "fast-digest")]
    lent: [usize; 3],
    mode: Mode,
    /// The current message's payload fits the buffer lent when it started.
    kept: bool,
    prompt: bool,
    stats: Stats,
}

impl<const LINE: usize, const PAYLOAD: usize> Default for Digester<LINE, PAYLOAD> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const LINE: usize> Default for Framer<LINE> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const LINE: usize, const PAYLOAD: usize> core::fmt::Debug for Digester<LINE, PAYLOAD> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.framer.fmt(f)
    }
}

impl<const LINE: usize> core::fmt::Debug for Framer<LINE> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Digester")
            .field("mode", &self.mode)
            .field("len", &self.len)
            .field("prompt", &self.prompt)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

/// Copies `src` into `dst` as far as both reach (callers pass equal lengths).
/// An element-wise loop, which the compiler turns into a `memcpy` call with no
/// length check left to fail (`copy_from_slice` keeps one out of line, which
/// the firmware's link-time no-panic proof cannot see through); a single byte
/// (bytes trickling in one at a time) is stored directly, cheaper than the call.
#[inline]
fn copy(dst: &mut [u8], src: &[u8]) {
    match (dst, src) {
        ([d], [s]) => *d = *s,
        (dst, src) => {
            for (d, s) in dst.iter_mut().zip(src) {
                *d = *s;
            }
        }
    }
}

/// A `+MQTTPUBLISH` topic as text, if it is UTF-8. (A word-at-a-time ASCII
/// check in front of `from_utf8` was measured at 4% on streams a and b at
/// chunk 512, under the 10% a fast path must earn: not kept.)
#[inline]
fn topic_str(t: &[u8]) -> Option<&str> {
    crate::text::utf8(t)
}

impl<const LINE: usize, const PAYLOAD: usize> Digester<LINE, PAYLOAD> {
    /// A digester at the start of a line, with prompt detection off.
    pub const fn new() -> Self {
        Self {
            framer: Framer::new(),
            payload: [0; PAYLOAD],
        }
    }

    /// Turns recognition of the `>` prompt on or off (spec §2.6).
    ///
    /// Set it right after sending a length-mode `AT+MQTTPUB`; it clears itself
    /// when the prompt arrives. While it is off, `>` starts an ordinary line.
    #[inline]
    pub fn expect_prompt(&mut self, on: bool) {
        self.framer.expect_prompt(on);
    }

    /// Whether a `>` at the start of a line would currently be a prompt.
    #[inline]
    pub fn is_expecting_prompt(&self) -> bool {
        self.framer.is_expecting_prompt()
    }

    /// Forgets any partial line or message and the prompt expectation: the next
    /// byte starts a new line. The [`Stats`] are kept.
    pub fn reset(&mut self) {
        self.framer.reset();
    }

    /// Whether the digester is in the middle of something (a line or a message),
    /// i.e. not at a line start. A session may time out a frame that stays open.
    #[inline]
    pub fn is_mid_frame(&self) -> bool {
        self.framer.is_mid_frame()
    }

    /// Whether the digester is inside a `+MQTTPUBLISH` frame (header, payload or
    /// its terminator).
    #[inline]
    pub fn is_in_publish(&self) -> bool {
        self.framer.is_in_publish()
    }

    /// Bytes consumed and frames produced so far.
    #[inline]
    pub fn stats(&self) -> Stats {
        self.framer.stats
    }

    /// Consumes bytes from `input` until a frame completes or `input` is used up.
    ///
    /// Returns how many bytes were consumed (at least one if `input` is not empty)
    /// and the completed frame, if any. Feed the rest of `input` (from the returned
    /// count on) in the next call. The frame borrows the digester's buffers, or
    /// `input` itself when the whole frame lies in it (with `fast-digest`), and
    /// is valid until the next call.
    #[inline]
    pub fn feed<'a>(&'a mut self, input: &'a [u8]) -> (usize, Option<Frame<'a>>) {
        self.framer.step(input, &mut self.payload, true)
    }

    /// [`Self::feed`] through the reference machine alone, without the fast
    /// paths: the same frames, always gathered in the digester's buffers. For
    /// tests that compare the two routes, and for measuring what the fast paths
    /// earn; a digester may switch between the two at any call.
    pub fn feed_reference<'a>(&'a mut self, input: &'a [u8]) -> (usize, Option<Frame<'a>>) {
        self.framer.step_reference(input, &mut self.payload)
    }
}

impl<const LINE: usize> Framer<LINE> {
    /// Longest topic this framer keeps.
    const TOPIC_CAP: usize = if LINE < MAX_TOPIC { LINE } else { MAX_TOPIC };

    /// A framer at the start of a line, with prompt detection off.
    pub const fn new() -> Self {
        Self {
            line: [0; LINE],
            len: 0,
            limit: 0,
            filled: 0,
            header: HeaderReader::new(),
            #[cfg(feature = "fast-digest")]
            lent: [0; 3],
            mode: Mode::LineStart,
            kept: false,
            prompt: false,
            stats: Stats {
                bytes: 0,
                frames: 0,
                malformed: 0,
            },
        }
    }

    /// See [`Digester::expect_prompt`].
    #[inline]
    pub fn expect_prompt(&mut self, on: bool) {
        self.prompt = on;
    }

    /// See [`Digester::is_expecting_prompt`].
    #[inline]
    pub fn is_expecting_prompt(&self) -> bool {
        self.prompt
    }

    /// See [`Digester::reset`].
    pub fn reset(&mut self) {
        self.len = 0;
        self.limit = 0;
        self.filled = 0;
        self.header = HeaderReader::new();
        self.mode = Mode::LineStart;
        self.prompt = false;
    }

    /// See [`Digester::is_mid_frame`].
    #[inline]
    pub fn is_mid_frame(&self) -> bool {
        !matches!(self.mode, Mode::LineStart)
    }

    /// Gives up the frame in progress: the bytes up to the next CR or LF are
    /// skipped (as after a framing error). For the `atat` adapter, which
    /// reports a frame that outgrew atat's ingress buffer itself.
    pub(crate) fn resync(&mut self) {
        self.mode = Mode::Resync;
        self.prompt = false;
    }

    /// See [`Digester::is_in_publish`].
    #[inline]
    pub fn is_in_publish(&self) -> bool {
        matches!(
            self.mode,
            Mode::Header | Mode::Payload | Mode::TermCr | Mode::TermLf
        ) || self.is_kept()
    }

    /// Whether the fast route holds a cut header raw.
    #[inline]
    fn is_kept(&self) -> bool {
        #[cfg(feature = "fast-digest")]
        return self.mode == Mode::Kept;
        #[cfg(not(feature = "fast-digest"))]
        false
    }

    /// Bytes consumed and frames produced so far.
    #[inline]
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// [`Digester::feed`], with payloads written into `payload` (see the type's
    /// docs for the rule on lending it) and never lent from the input.
    #[inline]
    pub fn feed<'a>(
        &'a mut self,
        input: &'a [u8],
        payload: &'a mut [u8],
    ) -> (usize, Option<Frame<'a>>) {
        self.step(input, payload, false)
    }

    /// [`Self::feed`] through the reference machine alone (see
    /// [`Digester::feed_reference`]).
    pub fn feed_reference<'a>(
        &'a mut self,
        input: &'a [u8],
        payload: &'a mut [u8],
    ) -> (usize, Option<Frame<'a>>) {
        self.step_reference(input, payload)
    }

    /// One call: the fast paths (if compiled in) and the reference machine.
    #[inline]
    #[cfg_attr(not(feature = "fast-digest"), allow(unused_variables))]
    fn step<'a>(
        &'a mut self,
        input: &'a [u8],
        payload: &'a mut [u8],
        lend: bool,
    ) -> (usize, Option<Frame<'a>>) {
        #[cfg(feature = "fast-digest")]
        let (used, ready) = self.fast(input, payload, lend);
        #[cfg(not(feature = "fast-digest"))]
        let (used, ready) = self.reference(input, payload);
        self.finish(used, ready, input, payload)
    }

    /// One call through the reference machine alone.
    fn step_reference<'a>(
        &'a mut self,
        input: &'a [u8],
        payload: &'a mut [u8],
    ) -> (usize, Option<Frame<'a>>) {
        let (used, ready) = self.reference(input, payload);
        self.stats.bytes = self.stats.bytes.wrapping_add(used as u64);
        match ready {
            None => (used, None),
            Some(r) => (used, Some(self.frame_out_of_line(r, input, payload))),
        }
    }

    /// [`Self::frame`], not inlined: in the reference route, inlining it made
    /// each call slower (3% on stream a at chunk 64).
    #[inline(never)]
    fn frame_out_of_line<'a>(
        &'a mut self,
        r: Ready,
        input: &'a [u8],
        payload: &'a [u8],
    ) -> Frame<'a> {
        self.frame(r, input, payload)
    }

    /// Counts the bytes used and builds the frame completed, if any.
    #[inline]
    fn finish<'a>(
        &'a mut self,
        used: usize,
        ready: Option<Ready>,
        input: &'a [u8],
        payload: &'a [u8],
    ) -> (usize, Option<Frame<'a>>) {
        self.stats.bytes = self.stats.bytes.wrapping_add(used as u64);
        match ready {
            None => (used, None),
            Some(r) => (used, Some(self.frame(r, input, payload))),
        }
    }

    /// Builds the public frame for a completed one.
    #[inline]
    #[cfg_attr(not(feature = "fast-digest"), allow(unused_variables))]
    fn frame<'a>(&'a mut self, r: Ready, input: &'a [u8], payload: &'a [u8]) -> Frame<'a> {
        self.stats.frames = self.stats.frames.wrapping_add(1);
        let (topic, payload) = match r {
            Ready::Ok => return Frame::Ok,
            Ready::Error => return Frame::Error,
            Ready::Cme(n) => return Frame::Cme(n),
            Ready::Prompt => return Frame::Prompt,
            Ready::Line => return Frame::Line(self.line.get(..self.len).unwrap_or_default()),
            Ready::Malformed(e) => {
                self.stats.malformed = self.stats.malformed.wrapping_add(1);
                return Frame::Malformed(e);
            }
            #[cfg(feature = "fast-digest")]
            Ready::LineIn => {
                let [start, end, _] = self.lent;
                return Frame::Line(input.get(start..end).unwrap_or_default());
            }
            #[cfg(feature = "fast-digest")]
            Ready::PublishIn => {
                let [t0, t1, p0] = self.lent;
                let p1 = p0.saturating_add(self.header.msg_len);
                (input.get(t0..t1), input.get(p0..p1))
            }
            Ready::Publish => (
                self.line.get(..self.len),
                payload.get(..self.header.msg_len),
            ),
        };
        let h = &self.header;
        match topic.and_then(topic_str) {
            None => {
                self.stats.malformed = self.stats.malformed.wrapping_add(1);
                Frame::Malformed(FramingError::BadPublishTopic)
            }
            Some(topic) if !self.kept => Frame::MessageTooLarge {
                topic,
                len: h.msg_len,
            },
            Some(topic) => Frame::Publish(Publish {
                dup: h.dup,
                qos: h.qos,
                retained: h.retained,
                packet_id: h.packet_id,
                topic,
                payload: payload.unwrap_or_default(),
            }),
        }
    }
}

#[cfg(test)]
mod tests;
