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
//!   feed it arbitrary bytes at random chunkings and buffer sizes down to zero).
//! * **Bounded memory, no allocation**: a [`Digester<LINE, PAYLOAD>`] is
//!   `LINE + PAYLOAD` bytes of buffers plus 88 bytes of state on a 64-bit host
//!   (fewer on a 32-bit MCU): 2136 bytes with the defaults, wherever the caller
//!   puts it (stack, `static`, a struct). Nothing grows.
//! * **Never hangs**: [`Digester::feed`] consumes at least one byte of any
//!   non-empty input.
//! * **Chunking-independent**: the same bytes produce the same frames whether they
//!   arrive one at a time or all at once.
//! * **No rescanning**: the digester keeps its position across calls, so the work
//!   per byte does not grow with the chunk size or with how a frame is split.
//!   Line ends are found a word at a time (and with `memchr` past the first 64
//!   bytes), payloads are copied in bulk without being looked at.
//!   When a call starts at a line start with the whole line or the whole
//!   `+MQTTPUBLISH` header in its input, a straight-line fast path takes it. A
//!   header cut short by the end of an input of at least 16 bytes is kept whole
//!   in the line buffer and read once more, in one go, when the next input
//!   arrives; if that input does not finish it either, the field-by-field state
//!   machine reads the kept bytes and carries on from there. Anything else (small
//!   inputs, odd input) goes to the state machine, with the same outcome —
//!   property tests compare them. A byte is looked at a bounded number of times
//!   (at most three, for a header split across three inputs), never once per
//!   call.
//! * **No copy when it can be helped**: a line or a `+MQTTPUBLISH` message that
//!   lies whole in the input of one call is lent from that input; only frames
//!   split across calls are gathered in the digester's buffers.
//!
//! # Cost
//!
//! Measured with `scripts/bench-callgrind.sh` (callgrind instructions per byte,
//! x86-64, minus a run that only reads the file) on the 1 MiB streams of
//! `make-stream.py`, through `examples/digest_stream.rs`, which also classifies
//! every line with [`crate::urc::Urc::from_frame`] to count it; in the last
//! column, `examples/line_floor.rs` in the same feeding loop — a "framer" that
//! only copies each byte into a line buffer and tests it for CR/LF:
//!
//! | stream | chunk 1 | chunk 8 | chunk 64 | chunk 512 | copy + CR/LF test, chunk 1 |
//! | --- | --- | --- | --- | --- | --- |
//! | `a` (short frames, ~30 bytes each) | 48.4 | 34.2 | 13.2 | 9.9 | 14.2 |
//! | `b` (binary payloads up to 1 KiB) | 35.3 | 23.1 | 7.4 | 5.2 | 14.0 |
//!
//! Most of a frame's cost is fixed (a `feed` call, the header or line
//! classification, the return of the frame), so short frames cost more per byte,
//! and a frame split across inputs costs a second `feed` call and the gathering
//! of its pieces. A one-byte `feed` stores a byte inside a line or payload
//! inline and leaves everything else to an out-of-line path; at one byte per call
//! no framer can look at a word at a time, which is why even the copy-and-test
//! yardstick costs 14 instructions per byte there. atat's `AtDigester` costs
//! about 5200, 115 and 37 on stream `a` (and merges frames from chunk 64 on).
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

/// Line buffers at least this large take the start-of-line fast lane (which
/// needs room for the longest prefix it decides on).
const FAST_MIN: usize = 16;

/// A `+MQTTPUBLISH` header cut short is kept whole (to be finished from the next
/// input in one reading) only when the input that held its start was at least
/// this long: bytes that arrive in small pieces are read field by field at once,
/// as the next piece would rarely finish the header.
const KEEP_MIN: usize = 16;

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
    /// After `+MQTTPUBLISH:`: spaces are skipped.
    HdrSpace,
    /// A `+MQTTPUBLISH` header cut short by the end of an input, kept whole in
    /// the line buffer to be finished from the next one.
    HdrKept,
    /// Inside a numeric `+MQTTPUBLISH` header field (`field` 0..=3 or 5).
    Num,
    /// First byte of the topic: `"` or not.
    TopicStart,
    /// Inside a quoted topic.
    TopicQuoted,
    /// Inside a bare topic.
    TopicBare,
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
    /// The line in `line[..len]`.
    Line,
    /// The line in `input[lent[0]..lent[1]]` of the current call (lent, not
    /// copied).
    LineIn,
    /// The message with its topic in `line[..len]`, its payload in `payload`.
    Publish,
    /// The message with its topic in `input[lent[0]..lent[1]]` and its payload
    /// in `input[lent[2]..][..msg_len]` of the current call.
    PublishIn,
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
/// `LINE` bounds a line and a `+MQTTPUBLISH` topic; `PAYLOAD` bounds a message
/// payload. The digester holds both buffers inline: it is `LINE + PAYLOAD` bytes
/// plus 88 bytes of state on a 64-bit host.
pub struct Digester<const LINE: usize = DEFAULT_LINE, const PAYLOAD: usize = DEFAULT_PAYLOAD> {
    /// The current line, or the topic while in a `+MQTTPUBLISH` frame.
    line: [u8; LINE],
    payload: [u8; PAYLOAD],
    /// Bytes of `line` in use.
    len: usize,
    /// Where a frame lent from the current input lies in it (see [`Ready`]).
    lent: [usize; 3],
    /// In `Probe`, the length at which the line's prefix is decided.
    limit: usize,
    /// Payload bytes received so far.
    filled: usize,
    msg_len: usize,
    /// Value of the numeric header field being read.
    acc: u32,
    packet_id: u16,
    mode: Mode,
    prompt: bool,
    /// `+MQTTPUBLISH` header: index of the field being read (0..=5).
    field: u8,
    /// Digits of the numeric header field so far.
    digits: u8,
    dup: bool,
    qos: QoS,
    retained: bool,
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

#[inline]
const fn is_eol(b: u8) -> bool {
    b == b'\r' || b == b'\n'
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// `b` in every byte of a word.
const fn splat(b: u8) -> u64 {
    LO.wrapping_mul(b as u64)
}

/// High bit set in (at least) the lowest byte of `w` equal to `b`; bits above
/// the first match may be spurious, the lowest set bit is exact.
#[inline]
const fn eq_bytes(w: u64, b: u8) -> u64 {
    let x = w ^ splat(b);
    x.wrapping_sub(LO) & !x & HI
}

/// Span scanned a word at a time before handing over to `memchr`: most lines
/// and topics end within it, and short scans do not pay for `memchr`'s dispatch.
const WORD_SPAN: usize = 64;

/// Position of the first byte of `hay` for which `word` (on 8 bytes) or `byte`
/// matches; beyond `WORD_SPAN` bytes, `bulk` (a `memchr` call) takes over.
#[inline]
fn scan(
    hay: &[u8],
    word: impl Fn(u64) -> u64,
    byte: impl Fn(u8) -> bool,
    bulk: impl Fn(&[u8]) -> Option<usize>,
) -> Option<usize> {
    let head = hay.get(..WORD_SPAN).unwrap_or(hay);
    let mut words = head.chunks_exact(8);
    let mut i = 0usize;
    for w in &mut words {
        let bytes: [u8; 8] = w.try_into().unwrap_or([0; 8]);
        let m = word(u64::from_le_bytes(bytes));
        if m != 0 {
            return Some(i.wrapping_add((m.trailing_zeros() / 8) as usize));
        }
        i = i.wrapping_add(8);
    }
    for &b in words.remainder() {
        if byte(b) {
            return Some(i);
        }
        i = i.wrapping_add(1);
    }
    let tail = hay.get(head.len()..).unwrap_or_default();
    if tail.is_empty() {
        return None;
    }
    bulk(tail).map(|k| k.saturating_add(head.len()))
}

/// Position of the first byte that is neither CR nor LF.
#[inline]
fn skip_eols(hay: &[u8]) -> Option<usize> {
    // The usual gaps between frames, LF CR LF (after a line taken up to its CR)
    // and CR LF, read as one 32-bit word.
    if let Some(w) = hay.first_chunk::<4>() {
        let w = u32::from_le_bytes(*w);
        let c = (w >> 24) as u8;
        if w & 0x00FF_FFFF == 0x000A_0D0A && !is_eol(c) {
            return Some(3);
        }
        let c = (w >> 16) as u8;
        if w & 0xFFFF == 0x0A0D && !is_eol(c) {
            return Some(2);
        }
    }
    if let Some(w) = hay.first_chunk::<8>() {
        // Exact per byte (no borrow between bytes): high bit set where a byte is
        // neither CR nor LF.
        let w = u64::from_le_bytes(*w);
        let ne = |b: u8| {
            let x = w ^ splat(b);
            ((x & !HI).wrapping_add(!HI) | x) & HI
        };
        let m = ne(b'\r') & ne(b'\n');
        if m != 0 {
            return Some((m.trailing_zeros() / 8) as usize);
        }
    }
    hay.iter().position(|&b| !is_eol(b))
}

/// Position of the first CR or LF.
#[inline]
fn find_eol(hay: &[u8]) -> Option<usize> {
    scan(
        hay,
        |w| eq_bytes(w, b'\r') | eq_bytes(w, b'\n'),
        is_eol,
        |t| memchr::memchr2(b'\r', b'\n', t),
    )
}

/// Position of the first `delim`, CR or LF.
#[inline]
fn find_delim(delim: u8, hay: &[u8]) -> Option<usize> {
    scan(
        hay,
        |w| eq_bytes(w, delim) | eq_bytes(w, b'\r') | eq_bytes(w, b'\n'),
        |b| b == delim || is_eol(b),
        |t| memchr::memchr3(delim, b'\r', b'\n', t),
    )
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
#[inline]
fn cme_tail(rest: &[u8]) -> Option<Ready> {
    let code = match rest {
        [] => return Some(Ready::Error),
        [b':' | b' ', code @ ..] => trim_start_spaces(code),
        _ => return None,
    };
    // A verbose (`+CMEE=2`) or out-of-range code is still a final error result.
    if code.is_empty() || code.len() > 5 {
        return Some(Ready::Error);
    }
    let mut v: u32 = 0;
    for &b in code {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return Some(Ready::Error);
        }
        // At most five digits: no overflow.
        v = v.wrapping_mul(10).wrapping_add(u32::from(d));
    }
    Some(u16::try_from(v).map_or(Ready::Error, Ready::Cme))
}

/// Copies `src` into `dst` (equal lengths at every call site): the slices cut
/// to their common length and handed to `copy_from_slice` (a `memcpy`), whose
/// length check the optimiser then removes, so the link-time no-panic proof
/// still links. (An element-wise loop avoided that check too, but compiled to a
/// vector loop with a byte-by-byte tail that cost more than the call for the
/// short pieces of lines split across inputs.)
#[inline]
fn copy(dst: &mut [u8], src: &[u8]) {
    let n = dst.len().min(src.len());
    if let (Some(d), Some(s)) = (dst.get_mut(..n), src.get(..n)) {
        if n <= 2 {
            // A byte or two (bytes trickling in): cheaper than the call.
            for (d, s) in d.iter_mut().zip(s) {
                *d = *s;
            }
        } else {
            d.copy_from_slice(s);
        }
    }
}

/// Moves `buf[range]` to the front of `buf` and returns its length (0 if the
/// range is not in `buf`). A `memcpy` when the two do not overlap, else a forward
/// copy (the front is below the range); no `memmove` (1.5 KB on a Cortex-M).
#[inline]
fn move_to_front(buf: &mut [u8], range: core::ops::Range<usize>) -> usize {
    let n = range.end.saturating_sub(range.start);
    if range.end > buf.len() || range.start > range.end {
        return 0;
    }
    if n <= range.start {
        let (front, back) = buf.split_at_mut(range.start);
        if let (Some(dst), Some(src)) = (front.get_mut(..n), back.get(..n)) {
            copy(dst, src);
        }
    } else {
        for i in 0..n {
            if let Some(&b) = buf.get(range.start.wrapping_add(i)) {
                if let Some(slot) = buf.get_mut(i) {
                    *slot = b;
                }
            }
        }
    }
    n
}

/// A `+MQTTPUBLISH` topic as text. ASCII topics (nearly all) are checked a word
/// at a time by `is_ascii`; anything else goes through `from_utf8`.
#[inline]
fn topic_str(t: &[u8]) -> Option<&str> {
    if t.is_ascii() {
        // SAFETY: every byte of `t` is ASCII, and ASCII is valid UTF-8.
        Some(unsafe { core::str::from_utf8_unchecked(t) })
    } else {
        core::str::from_utf8(t).ok()
    }
}

/// Whether `line` starts with `+MQTTPUBLISH:` (two word compares).
#[inline]
fn has_publish_prefix(line: &[u8]) -> bool {
    match line.first_chunk::<13>() {
        Some(p) => {
            let word8 = |s: Option<&[u8]>| -> [u8; 8] {
                s.and_then(|s| s.try_into().ok()).unwrap_or([0; 8])
            };
            let a = word8(p.get(..8));
            let b = word8(p.get(5..));
            u64::from_le_bytes(a) == u64::from_le_bytes(*b"+MQTTPUB")
                && u64::from_le_bytes(b) == u64::from_le_bytes(*b"PUBLISH:")
        }
        None => false,
    }
}

/// Classifies a complete line (without its terminator).
#[inline]
fn classify(line: &[u8]) -> Ready {
    match line {
        // `+MQTT…` lines, the usual ones, at once.
        [b'+', b'M', ..] => Ready::Line,
        [b'O' | b'E', ..] => match trim_end_spaces(line) {
            b"OK" => Ready::Ok,
            b"ERROR" => Ready::Error,
            _ => Ready::Line,
        },
        // The usual spelling, `+CME ERROR: <3 digits>`, at once.
        [b'+', b'C', b'M', b'E', b' ', b'E', b'R', b'R', b'O', b'R', b':', b' ', a, b, c]
            if a.is_ascii_digit() && b.is_ascii_digit() && c.is_ascii_digit() =>
        {
            let d = |x: u8| u16::from(x.wrapping_sub(b'0'));
            Ready::Cme(
                d(*a)
                    .wrapping_mul(100)
                    .wrapping_add(d(*b).wrapping_mul(10))
                    .wrapping_add(d(*c)),
            )
        }
        [b'+', b'C', b'M', b'E', b' ', b'E', b'R', b'R', b'O', b'R', rest @ ..] => {
            cme_tail(trim_end_spaces(rest)).unwrap_or(Ready::Line)
        }
        _ => Ready::Line,
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

/// The decoded fields of a complete `+MQTTPUBLISH` header.
#[derive(Debug)]
pub(crate) struct Header {
    pub(crate) dup: bool,
    pub(crate) qos: QoS,
    pub(crate) retained: bool,
    pub(crate) packet_id: u16,
    /// Topic (quotes stripped) as a range of the header bytes.
    pub(crate) topic: core::ops::Range<usize>,
    pub(crate) msg_len: usize,
}

/// Why [`scan_header`] did not return a header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cut {
    /// The bytes so far are a valid beginning of a header: more are needed.
    Short,
    /// The bytes cannot be the beginning of a valid header.
    Bad,
}

/// Largest value of each numeric `+MQTTPUBLISH` header field by index: dup, qos,
/// retained, packet id, (the topic, not numeric), length.
const FIELD_MAX: [u32; 6] = [1, 2, 1, 65535, 0, MAX_MSG_LEN as u32];

/// 1–5 decimal digits at `h[*p..]` with a value of at most `max`, ended by a
/// byte that is not a digit (left in place).
#[inline(always)]
fn field_at(h: &[u8], p: &mut usize, max: u32) -> Result<u32, Cut> {
    let mut v: u32 = 0;
    let mut n = 0usize;
    loop {
        let Some(&b) = h.get(p.wrapping_add(n)) else {
            return Err(Cut::Short);
        };
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        // At most five digits: no overflow.
        v = v.wrapping_mul(10).wrapping_add(u32::from(d));
        n = n.wrapping_add(1);
        if n > 5 {
            return Err(Cut::Bad);
        }
    }
    if n == 0 || v > max {
        return Err(Cut::Bad);
    }
    *p = p.wrapping_add(n);
    Ok(v)
}

/// The four numeric header fields (dup, qos, retained, packet id) at `h[*p..]`,
/// each followed by `,`, one by one.
#[inline(never)]
fn numeric_fields(h: &[u8], p: &mut usize) -> Result<[u32; 4], Cut> {
    let mut nums = [0u32; 4];
    for (slot, &max) in nums.iter_mut().zip(&FIELD_MAX) {
        *slot = field_at(h, p, max)?;
        if h.get(*p) != Some(&b',') {
            return Err(Cut::Bad);
        }
        *p = p.wrapping_add(1);
    }
    Ok(nums)
}

/// Parses a complete, well-formed `+MQTTPUBLISH` header from `h`, which starts
/// right after `+MQTTPUBLISH:`, with topics of at most `cap` bytes. Returns the
/// header and the offset of the first payload byte.
///
/// It accepts exactly what the digester's incremental reading accepts, and
/// returns `None` for anything else, including a header cut short;
/// [`crate::urc::Urc::parse`] uses it as is.
#[inline]
pub(crate) fn parse_header(h: &[u8], cap: usize) -> Option<(Header, usize)> {
    scan_header(h, cap).ok()
}

/// dup, QoS, retained and packet id from the four numeric header fields (already
/// checked against their ranges).
#[inline]
fn fixed_fields([dup, qos, retained, packet_id]: [u32; 4]) -> (bool, QoS, bool, u16) {
    (
        dup == 1,
        QoS::from_u8(qos as u8).unwrap_or_default(),
        retained == 1,
        packet_id as u16,
    )
}

/// [`parse_header`], telling a header cut short ([`Cut::Short`]: every byte so
/// far is one the incremental reading would accept without a frame) from one
/// that can never be valid ([`Cut::Bad`]). The digester uses it as a shortcut
/// when a header is at hand, and to finish a header split across inputs.
#[inline]
pub(crate) fn scan_header(h: &[u8], cap: usize) -> Result<(Header, usize), Cut> {
    let mut p = h.iter().position(|&b| b != b' ').ok_or(Cut::Short)?;
    let [dup_max, qos_max, retained_max, id_max, ..] = FIELD_MAX;
    let nums = match h.get(p..p.wrapping_add(6)) {
        // dup, qos and retained are nearly always one digit each: `d,d,d,` at once.
        Some(&[d, b',', q, b',', r, b','])
            if u32::from(d.wrapping_sub(b'0')) <= dup_max
                && u32::from(q.wrapping_sub(b'0')) <= qos_max
                && u32::from(r.wrapping_sub(b'0')) <= retained_max =>
        {
            p = p.wrapping_add(6);
            let id = field_at(h, &mut p, id_max)?;
            if h.get(p) != Some(&b',') {
                return Err(Cut::Bad);
            }
            p = p.wrapping_add(1);
            let digit = |b: u8| u32::from(b.wrapping_sub(b'0'));
            [digit(d), digit(q), digit(r), id]
        }
        _ => numeric_fields(h, &mut p)?,
    };
    let rest = h.get(p..).unwrap_or_default();
    // A topic with no end in sight: cut short while it fits, bad beyond.
    let unended = |window: &[u8]| {
        if window.len() > cap {
            Cut::Bad
        } else {
            Cut::Short
        }
    };
    let topic = match rest.first() {
        None => return Err(Cut::Short),
        Some(b'"') => {
            let q = rest.get(1..).unwrap_or_default();
            let window = q.get(..cap.saturating_add(1)).unwrap_or(q);
            let k = find_delim(b'"', window).ok_or_else(|| unended(window))?;
            if k > cap || q.get(k) != Some(&b'"') {
                return Err(Cut::Bad);
            }
            match q.get(k.wrapping_add(1)) {
                Some(b',') => {}
                Some(_) => return Err(Cut::Bad),
                None => return Err(Cut::Short),
            }
            let start = p.wrapping_add(1);
            p = start.wrapping_add(k).wrapping_add(2);
            start..start.wrapping_add(k)
        }
        Some(_) => {
            let window = rest.get(..cap.saturating_add(1)).unwrap_or(rest);
            let k = find_delim(b',', window).ok_or_else(|| unended(window))?;
            if k > cap || rest.get(k) != Some(&b',') {
                return Err(Cut::Bad);
            }
            let start = p;
            p = start.wrapping_add(k).wrapping_add(1);
            start..start.wrapping_add(k)
        }
    };
    let msg_len = field_at(h, &mut p, MAX_MSG_LEN as u32)?;
    let body = match h.get(p..).unwrap_or_default() {
        [b',', ..] => p.wrapping_add(1),
        [b'\r', b'\n', ..] => p.wrapping_add(2),
        [b'\r'] => return Err(Cut::Short),
        _ => return Err(Cut::Bad),
    };
    let (dup, qos, retained, packet_id) = fixed_fields(nums);
    Ok((
        Header {
            dup,
            qos,
            retained,
            packet_id,
            topic,
            msg_len: msg_len as usize,
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
            lent: [0; 3],
            limit: 0,
            filled: 0,
            msg_len: 0,
            acc: 0,
            packet_id: 0,
            mode: Mode::LineStart,
            prompt: false,
            field: 0,
            digits: 0,
            dup: false,
            qos: QoS::AtMostOnce,
            retained: false,
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

    /// Forgets any partial line or message and the prompt expectation: the next
    /// byte starts a new line. The [`Stats`] are kept.
    pub fn reset(&mut self) {
        self.len = 0;
        self.limit = 0;
        self.filled = 0;
        self.msg_len = 0;
        self.acc = 0;
        self.digits = 0;
        self.field = 0;
        self.mode = Mode::LineStart;
        self.prompt = false;
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
            Mode::HdrSpace
                | Mode::HdrKept
                | Mode::Num
                | Mode::TopicStart
                | Mode::TopicQuoted
                | Mode::TopicBare
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
    /// count on) in the next call. The frame borrows the digester's buffers, or
    /// `input` itself when the whole frame lies in it (it is then lent, not
    /// copied), and is valid until the next call.
    #[inline(always)]
    pub fn feed<'a>(&'a mut self, input: &'a [u8]) -> (usize, Option<Frame<'a>>) {
        if let [b] = *input {
            // The hot cases when bytes trickle in one at a time, inline: a byte
            // inside a line that neither ends it nor decides its prefix, a line
            // end between lines, a payload byte that does not end the payload.
            match self.mode {
                Mode::Line | Mode::Probe if b > b'\r' => {
                    let next = self.len.wrapping_add(1);
                    if next < self.limit {
                        if let Some(slot) = self.line.get_mut(self.len) {
                            *slot = b;
                            self.len = next;
                            self.stats.bytes = self.stats.bytes.wrapping_add(1);
                            return (1, None);
                        }
                    }
                }
                Mode::LineStart if is_eol(b) => {
                    self.stats.bytes = self.stats.bytes.wrapping_add(1);
                    return (1, None);
                }
                Mode::Payload => {
                    let next = self.filled.wrapping_add(1);
                    if next < self.msg_len {
                        if let Some(slot) = self.payload.get_mut(self.filled) {
                            *slot = b;
                            self.filled = next;
                            self.stats.bytes = self.stats.bytes.wrapping_add(1);
                            return (1, None);
                        }
                    }
                }
                _ => {}
            }
            return self.feed_one(input, b);
        }
        let (used, ready) = self.step(input);
        self.finish(used, ready, input)
    }

    /// One byte that [`Self::feed`] does not take inline: read in place by
    /// [`Self::feed_byte`], or else by the state machine (a lone byte gives the
    /// fast paths of [`Self::step`] nothing to take).
    #[inline(never)]
    fn feed_one<'a>(&'a mut self, input: &'a [u8], b: u8) -> (usize, Option<Frame<'a>>) {
        let (used, ready) = match self.feed_byte(b) {
            Some(ready) => (1, ready),
            None => self.general(input),
        };
        self.finish(used, ready, input)
    }

    /// Counts the bytes used and builds the frame completed, if any.
    #[inline]
    fn finish<'a>(
        &'a mut self,
        used: usize,
        ready: Option<Ready>,
        input: &'a [u8],
    ) -> (usize, Option<Frame<'a>>) {
        self.stats.bytes = self.stats.bytes.wrapping_add(used as u64);
        match ready {
            None => (used, None),
            Some(r) => (used, Some(self.frame(r, input))),
        }
    }

    /// One byte on its own, the common case when bytes trickle in: every step
    /// that completes no frame, done in place. It mirrors [`Self::general`] fed
    /// one byte; `None` leaves the byte to it (frame ends, errors, rare states).
    #[inline]
    fn feed_byte(&mut self, b: u8) -> Option<Option<Ready>> {
        let topic_cap = LINE.min(MAX_TOPIC);
        match self.mode {
            Mode::LineStart => {
                if is_eol(b) {
                    return Some(None);
                }
                if b == b'>' && self.prompt {
                    return None;
                }
                let slot = self.line.first_mut()?;
                *slot = b;
                self.len = 1;
                match b {
                    b'+' => self.probe(PUBLISH_PREFIX.len()),
                    b'O' => self.probe(3),
                    _ => self.enter_line(),
                }
            }
            Mode::Line | Mode::Probe | Mode::TopicQuoted | Mode::TopicBare => {
                let delim = match self.mode {
                    Mode::TopicQuoted => b'"',
                    Mode::TopicBare => b',',
                    _ => b'\r',
                };
                if b == delim && delim != b'\r' {
                    if delim == b'"' {
                        self.mode = Mode::TopicClose;
                    } else {
                        self.field = 5;
                        self.mode = Mode::Num;
                    }
                    return Some(None);
                }
                let cap = match self.mode {
                    Mode::Line => LINE,
                    Mode::Probe => self.limit,
                    _ => topic_cap,
                };
                if is_eol(b) || self.len >= cap {
                    return None;
                }
                let slot = self.line.get_mut(self.len)?;
                *slot = b;
                self.len = self.len.wrapping_add(1);
                if self.mode == Mode::Probe && self.len >= self.limit {
                    self.decide();
                }
            }
            Mode::HdrSpace | Mode::Num => {
                if b == b' ' && self.mode == Mode::HdrSpace {
                    return Some(None);
                }
                let d = b.wrapping_sub(b'0');
                if d <= 9 {
                    if self.digits >= 5 {
                        return None;
                    }
                    self.mode = Mode::Num;
                    // At most five digits: no overflow.
                    self.acc = self.acc.wrapping_mul(10).wrapping_add(u32::from(d));
                    self.digits = self.digits.wrapping_add(1);
                } else if self.mode == Mode::Num {
                    return Some(self.end_num(b));
                } else {
                    return None;
                }
            }
            Mode::TopicStart => {
                self.len = 0;
                match b {
                    b'"' => self.mode = Mode::TopicQuoted,
                    b',' => {
                        self.field = 5;
                        self.mode = Mode::Num;
                    }
                    b'\r' | b'\n' => return None,
                    _ => {
                        let slot = self.line.first_mut().filter(|_| topic_cap > 0)?;
                        *slot = b;
                        self.len = 1;
                        self.mode = Mode::TopicBare;
                    }
                }
            }
            Mode::TopicClose if b == b',' => {
                self.field = 5;
                self.mode = Mode::Num;
            }
            Mode::LenLf if b == b'\n' => self.begin_payload(),
            Mode::Payload | Mode::Skip => {
                if self.mode == Mode::Payload {
                    *self.payload.get_mut(self.filled)? = b;
                }
                self.filled = self.filled.wrapping_add(1);
                if self.filled >= self.msg_len {
                    self.mode = Mode::TermCr;
                }
            }
            Mode::TermCr if b == b'\r' => self.mode = Mode::TermLf,
            Mode::Resync => {
                if is_eol(b) {
                    self.mode = Mode::LineStart;
                }
            }
            _ => return None,
        }
        Some(None)
    }

    /// Builds the public frame for a completed one.
    #[inline]
    fn frame<'a>(&'a mut self, r: Ready, input: &'a [u8]) -> Frame<'a> {
        self.stats.frames = self.stats.frames.wrapping_add(1);
        match r {
            Ready::Ok => Frame::Ok,
            Ready::Error => Frame::Error,
            Ready::Cme(n) => Frame::Cme(n),
            Ready::Prompt => Frame::Prompt,
            Ready::Line => Frame::Line(self.line.get(..self.len).unwrap_or_default()),
            Ready::LineIn => {
                let [start, end, ..] = self.lent;
                Frame::Line(input.get(start..end).unwrap_or_default())
            }
            Ready::Malformed(e) => {
                self.stats.malformed = self.stats.malformed.wrapping_add(1);
                Frame::Malformed(e)
            }
            Ready::Publish | Ready::PublishIn => {
                let (topic, payload) = match r {
                    Ready::PublishIn => {
                        let [t0, t1, p0] = self.lent;
                        let p1 = p0.saturating_add(self.msg_len);
                        (input.get(t0..t1), input.get(p0..p1))
                    }
                    _ => (self.line.get(..self.len), self.payload.get(..self.msg_len)),
                };
                let topic = topic.and_then(topic_str);
                match topic {
                    None => {
                        self.stats.malformed = self.stats.malformed.wrapping_add(1);
                        Frame::Malformed(FramingError::BadPublishTopic)
                    }
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
                        payload: payload.unwrap_or_default(),
                    }),
                }
            }
        }
    }

    /// Appends `bytes` to the line buffer (the caller checked the room).
    #[inline]
    fn append(&mut self, bytes: &[u8]) {
        let end = self.len.saturating_add(bytes.len());
        if let Some(dst) = self.line.get_mut(self.len..end) {
            copy(dst, bytes);
            self.len = end;
        }
    }

    /// Error detected at byte `b` (consumed): resync after it, or right away if
    /// `b` itself ends a line.
    #[inline]
    fn fail(&mut self, b: u8, e: FramingError) -> Option<Ready> {
        self.mode = if is_eol(b) {
            Mode::LineStart
        } else {
            Mode::Resync
        };
        Some(Ready::Malformed(e))
    }

    /// Continues the current line as an ordinary one.
    #[inline]
    fn enter_line(&mut self) {
        self.mode = Mode::Line;
        // `feed`'s one-byte lane stores a byte while `len + 1 < limit`.
        self.limit = LINE.saturating_add(1);
    }

    /// Starts deciding the line's prefix once it holds `at` bytes.
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
            Some(PUBLISH_PREFIX) => self.begin_header(),
            Some(b"OK ") => self.mode = Mode::OkSpace,
            _ => self.enter_line(),
        }
    }

    #[inline]
    fn begin_header(&mut self) {
        self.len = 0;
        self.field = 0;
        self.acc = 0;
        self.digits = 0;
        self.mode = Mode::HdrSpace;
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

    /// The error for a bad numeric header field.
    #[inline]
    fn num_error(&self) -> FramingError {
        if self.field == 5 {
            FramingError::BadPublishLength
        } else {
            FramingError::BadPublishHeader
        }
    }

    /// Returns the bytes consumed and the frame completed, if any.
    #[inline]
    fn step(&mut self, input: &[u8]) -> (usize, Option<Ready>) {
        // The common cases inline; everything else in `general`.
        let (n, r) = match self.mode {
            Mode::LineStart if LINE >= FAST_MIN => match self.fast_start(input) {
                Some(done) => done,
                None => return self.general(input),
            },
            Mode::Line => self.on_line(input),
            Mode::Payload => self.on_payload(input),
            Mode::Probe if LINE >= FAST_MIN => {
                let (n, r) = self.on_probe(input);
                if r.is_none() && self.mode == Mode::HdrSpace {
                    // The prefix, split across inputs, turned out to be
                    // `+MQTTPUBLISH:`: the header is read like an unsplit one.
                    let h = input.get(n..).unwrap_or_default();
                    match self.fast_publish(h, n) {
                        Some(done) => done,
                        None => (n, None),
                    }
                } else {
                    (n, r)
                }
            }
            _ => return self.general(input),
        };
        if r.is_some() || n >= input.len() {
            return (n, r);
        }
        let (m, r) = self.general(input.get(n..).unwrap_or_default());
        (n.saturating_add(m), r)
    }

    /// At a line start, with a whole line or a whole `+MQTTPUBLISH` header at
    /// hand: takes it in one go, straight-line. `None` (nothing consumed, no state
    /// changed) sends everything else to [`Self::general`], which then reads the
    /// same bytes byte by byte with the same outcome.
    #[inline]
    fn fast_start(&mut self, input: &[u8]) -> Option<(usize, Option<Ready>)> {
        let Some(i) = skip_eols(input) else {
            // Only line ends: nothing to do but consume them.
            return Some((input.len(), None));
        };
        let line = input.get(i..)?;
        match *line.first()? {
            b'>' if self.prompt => return None,
            b'+' if has_publish_prefix(line) => {
                let h = line.get(PUBLISH_PREFIX.len()..).unwrap_or_default();
                return self.fast_publish(h, i.wrapping_add(PUBLISH_PREFIX.len()));
            }
            b'O' => match line.get(..3)? {
                b"OK\r" | b"OK\n" => return Some((i.wrapping_add(3), Some(Ready::Ok))),
                b"OK " => return None,
                _ => {}
            },
            _ => {}
        }
        let window = line.get(..LINE.saturating_add(1)).unwrap_or(line);
        let Some(k) = find_eol(window) else {
            // The line goes on in the next input: keep what is here, unless the
            // line is too long or could still turn out to be `+MQTTPUBLISH:`.
            if window.len() > LINE {
                return None;
            }
            self.len = 0;
            self.append(window);
            if window.len() < PUBLISH_PREFIX.len() && PUBLISH_PREFIX.starts_with(window) {
                // Could still be `+MQTTPUBLISH:`: decided once its 13 bytes are in.
                self.probe(PUBLISH_PREFIX.len());
            } else {
                self.enter_line();
            }
            return Some((i.wrapping_add(window.len()), None));
        };
        let text = window.get(..k)?;
        let r = match classify(text) {
            Ready::Line => {
                self.lent = [i, i.wrapping_add(k), 0];
                Ready::LineIn
            }
            r => r,
        };
        Some((i.wrapping_add(k).wrapping_add(1), Some(r)))
    }

    /// A `+MQTTPUBLISH` header whose bytes after the prefix are `h`, which start at
    /// `at` in the input. Takes the header, and the payload and its CR LF as far as
    /// they are at hand. A header cut short by the end of the input is kept in the
    /// line buffer ([`Mode::HdrKept`]) when it fits.
    #[inline]
    fn fast_publish(&mut self, h: &[u8], at: usize) -> Option<(usize, Option<Ready>)> {
        let (hd, body) = match scan_header(h, LINE.min(MAX_TOPIC)) {
            Ok(done) => done,
            Err(Cut::Short) if h.len() <= LINE && at.saturating_add(h.len()) >= KEEP_MIN => {
                // Everything after the prefix is the beginning of the header.
                self.len = 0;
                self.append(h);
                self.mode = Mode::HdrKept;
                return Some((at.wrapping_add(h.len()), None));
            }
            Err(_) => return None,
        };
        self.set_header(&hd);
        let data = h.get(body..).unwrap_or_default();
        let start = at.wrapping_add(body);
        if let Some([b'\r', b'\n']) = data.get(hd.msg_len..hd.msg_len.wrapping_add(2)) {
            // The whole frame is at hand: lend topic and payload from the input.
            self.mode = Mode::LineStart;
            self.lent = [
                at.wrapping_add(hd.topic.start),
                at.wrapping_add(hd.topic.end),
                start,
            ];
            return Some((
                start.wrapping_add(hd.msg_len).wrapping_add(2),
                Some(Ready::PublishIn),
            ));
        }
        let topic = h.get(hd.topic)?;
        self.len = 0;
        self.append(topic);
        let (n, r) = self.take_body(data);
        Some((start.wrapping_add(n), r))
    }

    /// Keeps the fields of a complete header, but for the topic.
    #[inline]
    fn set_header(&mut self, hd: &Header) {
        self.dup = hd.dup;
        self.qos = hd.qos;
        self.retained = hd.retained;
        self.packet_id = hd.packet_id;
        self.msg_len = hd.msg_len;
    }

    /// After a complete header (topic in `line[..len]`): the payload and its CR LF
    /// from `data`, as far as they are at hand.
    #[inline]
    fn take_body(&mut self, data: &[u8]) -> (usize, Option<Ready>) {
        let n = self.msg_len.min(data.len());
        if self.msg_len <= PAYLOAD {
            if let (Some(dst), Some(src)) = (self.payload.get_mut(..n), data.get(..n)) {
                copy(dst, src);
            }
        }
        self.filled = n;
        if n < self.msg_len {
            self.mode = if self.msg_len > PAYLOAD {
                Mode::Skip
            } else {
                Mode::Payload
            };
            return (n, None);
        }
        if let Some([b'\r', b'\n']) = data.get(n..n.wrapping_add(2)) {
            self.mode = Mode::LineStart;
            return (n.wrapping_add(2), Some(Ready::Publish));
        }
        self.mode = Mode::TermCr;
        (n, None)
    }

    /// In [`Mode::HdrKept`]: the header kept from the last input, finished from
    /// this one when it can be; otherwise the field-by-field reading takes over,
    /// from the header's first byte, so the outcome is the same either way.
    #[inline(never)]
    fn on_hdr_kept(&mut self, rest: &[u8]) -> (usize, Option<Ready>) {
        let kept = self.len;
        let take = rest.len().min(LINE.saturating_sub(kept));
        self.append(rest.get(..take).unwrap_or_default());
        let h = self.line.get(..self.len).unwrap_or_default();
        if let Ok((hd, body)) = scan_header(h, LINE.min(MAX_TOPIC)) {
            // `h[..kept]` was short, so the header ends in `rest`.
            let used = body.saturating_sub(kept);
            self.len = move_to_front(&mut self.line, hd.topic.clone());
            self.set_header(&hd);
            let (n, r) = self.take_body(rest.get(used..).unwrap_or_default());
            return (used.saturating_add(n), r);
        }
        self.replay_kept(kept);
        self.general(rest)
    }

    /// Reads the header bytes kept in `line[..kept]` field by field, as if they
    /// had just arrived (they are a valid beginning of a header, so no frame
    /// completes). The topic the reading collects is written to the front of the
    /// line buffer, always behind the bytes still to be read.
    #[inline(never)]
    fn replay_kept(&mut self, kept: usize) {
        self.begin_header();
        let mut at = 0usize;
        let mut piece = [0u8; 32];
        while at < kept {
            let end = kept.min(at.saturating_add(piece.len()));
            let n = end.saturating_sub(at);
            if let (Some(dst), Some(src)) = (piece.get_mut(..n), self.line.get(at..end)) {
                copy(dst, src);
            }
            let mut rest = piece.get(..n).unwrap_or_default();
            while !rest.is_empty() {
                let (used, r) = self.general(rest);
                debug_assert!(r.is_none(), "a kept header completed a frame");
                rest = rest.get(used..).unwrap_or_default();
            }
            at = end;
        }
    }

    /// The state machine, byte by byte where it must be.
    #[inline(never)]
    fn general(&mut self, input: &[u8]) -> (usize, Option<Ready>) {
        let mut pos = 0usize;
        while let Some(rest) = input.get(pos..) {
            if rest.is_empty() {
                break;
            }
            // Each handler consumes at least one byte or changes the mode to one
            // that does.
            let (n, ready) = match self.mode {
                Mode::LineStart => self.on_line_start(rest),
                Mode::Line => self.on_line(rest),
                Mode::Probe => self.on_probe(rest),
                Mode::OkSpace => self.on_ok_space(rest),
                Mode::HdrSpace => {
                    let n = rest.iter().position(|&b| b != b' ').unwrap_or(rest.len());
                    if n < rest.len() {
                        self.mode = Mode::Num;
                    }
                    (n, None)
                }
                Mode::Num => self.on_num(rest),
                Mode::HdrKept => self.on_hdr_kept(rest),
                Mode::TopicStart => {
                    self.len = 0;
                    if rest.first() == Some(&b'"') {
                        self.mode = Mode::TopicQuoted;
                        (1, None)
                    } else {
                        self.mode = Mode::TopicBare;
                        (0, None)
                    }
                }
                Mode::TopicQuoted => self.on_topic(rest, b'"'),
                Mode::TopicBare => self.on_topic(rest, b','),
                Mode::TopicClose => match rest.first() {
                    Some(b',') => {
                        self.field = 5;
                        self.mode = Mode::Num;
                        (1, None)
                    }
                    b => (
                        1,
                        self.fail(b.copied().unwrap_or(0), FramingError::BadPublishTopic),
                    ),
                },
                Mode::LenLf => match rest.first() {
                    Some(b'\n') => {
                        self.begin_payload();
                        (1, None)
                    }
                    b => (
                        1,
                        self.fail(b.copied().unwrap_or(0), FramingError::BadPublishLength),
                    ),
                },
                Mode::Payload => self.on_payload(rest),
                Mode::Skip => {
                    let n = self.msg_len.saturating_sub(self.filled).min(rest.len());
                    self.filled = self.filled.saturating_add(n);
                    if self.filled >= self.msg_len {
                        self.mode = Mode::TermCr;
                    }
                    (n, None)
                }
                Mode::TermCr => match rest {
                    [b'\r', b'\n', ..] => {
                        self.mode = Mode::LineStart;
                        (2, Some(Ready::Publish))
                    }
                    [b'\r', ..] => {
                        self.mode = Mode::TermLf;
                        (1, None)
                    }
                    [b, ..] => (1, self.fail(*b, FramingError::BadPublishTerminator)),
                    [] => (0, None),
                },
                Mode::TermLf => match rest.first() {
                    Some(b'\n') => {
                        self.mode = Mode::LineStart;
                        (1, Some(Ready::Publish))
                    }
                    b => (
                        1,
                        self.fail(b.copied().unwrap_or(0), FramingError::BadPublishTerminator),
                    ),
                },
                Mode::Resync => match find_eol(rest) {
                    Some(k) => {
                        self.mode = Mode::LineStart;
                        (k.saturating_add(1), None)
                    }
                    None => (rest.len(), None),
                },
                Mode::PromptSpace => {
                    self.mode = Mode::LineStart;
                    (usize::from(rest.first() == Some(&b' ')), None)
                }
            };
            pos = pos.saturating_add(n);
            if ready.is_some() {
                return (pos, ready);
            }
        }
        (pos, None)
    }

    /// At a line start: skips line ends, then takes a whole line at once when the
    /// input holds it, or sets up the mode that collects it.
    #[inline]
    fn on_line_start(&mut self, rest: &[u8]) -> (usize, Option<Ready>) {
        let i = rest.iter().position(|&b| !is_eol(b)).unwrap_or(rest.len());
        let line = rest.get(i..).unwrap_or_default();
        let Some(&b) = line.first() else {
            return (i, None);
        };
        if b == b'>' && self.prompt {
            self.prompt = false;
            self.mode = Mode::PromptSpace;
            return (i.saturating_add(1), Some(Ready::Prompt));
        }
        if LINE < FAST_MIN {
            // Tiny buffers: byte by byte.
            let at = match b {
                b'+' => PUBLISH_PREFIX.len(),
                b'O' => 3,
                _ => 0,
            };
            return match self.line.first_mut() {
                Some(slot) => {
                    *slot = b;
                    self.len = 1;
                    if at == 0 {
                        self.enter_line();
                    } else {
                        self.probe(at);
                    }
                    (i.saturating_add(1), None)
                }
                None => {
                    self.mode = Mode::Resync;
                    (
                        i.saturating_add(1),
                        Some(Ready::Malformed(FramingError::LineTooLong)),
                    )
                }
            };
        }
        // Decide a prefix that needs more bytes than the input holds byte by byte
        // (`Probe`); otherwise right here.
        match b {
            b'+' => match line.get(..PUBLISH_PREFIX.len()) {
                Some(PUBLISH_PREFIX) => {
                    self.begin_header();
                    return (i.saturating_add(PUBLISH_PREFIX.len()), None);
                }
                Some(_) => {}
                None => {
                    self.len = 0;
                    self.probe(PUBLISH_PREFIX.len());
                    return (i, None);
                }
            },
            b'O' => match line.get(..3) {
                Some(b"OK\r" | b"OK\n") => return (i.saturating_add(3), Some(Ready::Ok)),
                Some(b"OK ") => {
                    self.len = 0;
                    self.append(b"OK ");
                    self.mode = Mode::OkSpace;
                    return (i.saturating_add(3), None);
                }
                Some(_) => {}
                None => {
                    self.len = 0;
                    self.probe(3);
                    return (i, None);
                }
            },
            _ => {}
        }
        let window = line.get(..LINE.saturating_add(1)).unwrap_or(line);
        match find_eol(window) {
            Some(k) => {
                let text = window.get(..k).unwrap_or_default();
                let r = classify(text);
                if let Ready::Line = r {
                    self.len = 0;
                    self.append(text);
                }
                (i.saturating_add(k).saturating_add(1), Some(r))
            }
            None if window.len() > LINE => {
                self.mode = Mode::Resync;
                (
                    i.saturating_add(window.len()),
                    Some(Ready::Malformed(FramingError::LineTooLong)),
                )
            }
            None => {
                self.len = 0;
                self.append(window);
                self.enter_line();
                (i.saturating_add(window.len()), None)
            }
        }
    }

    /// Inside an ordinary line.
    #[inline]
    fn on_line(&mut self, rest: &[u8]) -> (usize, Option<Ready>) {
        let room = LINE.saturating_sub(self.len);
        let window = rest.get(..room.saturating_add(1)).unwrap_or(rest);
        match find_eol(window) {
            Some(k) => {
                self.append(window.get(..k).unwrap_or_default());
                self.mode = Mode::LineStart;
                let r = classify(self.line.get(..self.len).unwrap_or_default());
                (k.saturating_add(1), Some(r))
            }
            None if window.len() > room => {
                self.mode = Mode::Resync;
                (
                    window.len(),
                    Some(Ready::Malformed(FramingError::LineTooLong)),
                )
            }
            None => {
                self.append(window);
                (window.len(), None)
            }
        }
    }

    /// Collecting the first bytes of a line that may be `+MQTTPUBLISH:` or `OK `.
    #[inline]
    fn on_probe(&mut self, rest: &[u8]) -> (usize, Option<Ready>) {
        let want = self.limit.saturating_sub(self.len);
        let window = rest.get(..want).unwrap_or(rest);
        match find_eol(window) {
            Some(k) => {
                self.append(window.get(..k).unwrap_or_default());
                self.mode = Mode::LineStart;
                let r = classify(self.line.get(..self.len).unwrap_or_default());
                (k.saturating_add(1), Some(r))
            }
            None => {
                self.append(window);
                if self.len >= self.limit {
                    self.decide();
                }
                (window.len(), None)
            }
        }
    }

    /// The line so far is `OK` and spaces.
    #[inline]
    fn on_ok_space(&mut self, rest: &[u8]) -> (usize, Option<Ready>) {
        match rest.first().copied() {
            Some(b' ') if self.len < LINE => {
                self.append(b" ");
                (1, None)
            }
            Some(b'+') => {
                // `OK +…`: the OK, then a new line that starts at the `+`.
                self.len = 0;
                self.append(b"+");
                self.probe(PUBLISH_PREFIX.len());
                (1, Some(Ready::Ok))
            }
            Some(b'\r' | b'\n') => {
                self.mode = Mode::LineStart;
                (
                    1,
                    Some(classify(self.line.get(..self.len).unwrap_or_default())),
                )
            }
            _ => {
                // Not a split after all: an ordinary line.
                self.enter_line();
                (0, None)
            }
        }
    }

    /// Inside the numeric header fields: dup, qos, retained, packet id, or length.
    #[inline]
    fn on_num(&mut self, rest: &[u8]) -> (usize, Option<Ready>) {
        let mut acc = self.acc;
        let mut digits = self.digits;
        let mut i = 0usize;
        for &b in rest {
            i = i.wrapping_add(1);
            let d = b.wrapping_sub(b'0');
            if d <= 9 {
                if digits >= 5 {
                    let e = self.num_error();
                    return (i, self.fail(b, e));
                }
                // At most five digits: no overflow.
                acc = acc.wrapping_mul(10).wrapping_add(u32::from(d));
                digits = digits.wrapping_add(1);
                continue;
            }
            self.acc = acc;
            self.digits = digits;
            let r = self.end_num(b);
            if r.is_some() || self.mode != Mode::Num {
                return (i, r);
            }
            acc = 0;
            digits = 0;
        }
        self.acc = acc;
        self.digits = digits;
        (i, None)
    }

    /// A numeric header field ended at byte `b` (consumed).
    #[inline]
    fn end_num(&mut self, b: u8) -> Option<Ready> {
        let max = FIELD_MAX
            .get(usize::from(self.field))
            .copied()
            .unwrap_or_default();
        let v = self.acc;
        if self.digits == 0 || v > max {
            let e = self.num_error();
            return self.fail(b, e);
        }
        self.acc = 0;
        self.digits = 0;
        match (self.field, b) {
            (0, b',') => self.dup = v == 1,
            (1, b',') => self.qos = QoS::from_u8(v as u8).unwrap_or_default(),
            (2, b',') => self.retained = v == 1,
            (3, b',') => {
                self.packet_id = v as u16;
                self.mode = Mode::TopicStart;
            }
            (5, b',') => {
                self.msg_len = v as usize;
                self.begin_payload();
            }
            (5, b'\r') => {
                self.msg_len = v as usize;
                self.mode = Mode::LenLf;
            }
            _ => {
                let e = self.num_error();
                return self.fail(b, e);
            }
        }
        self.field = self.field.wrapping_add(1);
        None
    }

    /// Inside the topic, quoted (`delim` is `"`) or bare (`delim` is `,`).
    #[inline]
    fn on_topic(&mut self, rest: &[u8], delim: u8) -> (usize, Option<Ready>) {
        let room = LINE.min(MAX_TOPIC).saturating_sub(self.len);
        let window = rest.get(..room.saturating_add(1)).unwrap_or(rest);
        match find_delim(delim, window) {
            Some(k) => {
                self.append(window.get(..k).unwrap_or_default());
                let d = window.get(k).copied().unwrap_or(0);
                let n = k.saturating_add(1);
                if d != delim {
                    (n, self.fail(d, FramingError::BadPublishTopic))
                } else if delim == b'"' {
                    if rest.get(n) == Some(&b',') {
                        self.field = 5;
                        self.mode = Mode::Num;
                        (n.saturating_add(1), None)
                    } else {
                        self.mode = Mode::TopicClose;
                        (n, None)
                    }
                } else {
                    self.field = 5;
                    self.mode = Mode::Num;
                    (n, None)
                }
            }
            None if window.len() > room => {
                self.mode = Mode::Resync;
                (
                    window.len(),
                    Some(Ready::Malformed(FramingError::BadPublishTopic)),
                )
            }
            None => {
                self.append(window);
                (window.len(), None)
            }
        }
    }

    /// Copying the payload.
    #[inline]
    fn on_payload(&mut self, rest: &[u8]) -> (usize, Option<Ready>) {
        let need = self.msg_len.saturating_sub(self.filled);
        let chunk = rest.get(..need).unwrap_or(rest);
        let end = self.filled.saturating_add(chunk.len());
        if let Some(dst) = self.payload.get_mut(self.filled..end) {
            copy(dst, chunk);
        }
        self.filled = end;
        let n = chunk.len();
        if self.filled < self.msg_len {
            return (n, None);
        }
        if let Some([b'\r', b'\n']) = rest.get(n..n.saturating_add(2)) {
            self.mode = Mode::LineStart;
            return (n.saturating_add(2), Some(Ready::Publish));
        }
        self.mode = Mode::TermCr;
        (n, None)
    }
}

#[cfg(test)]
#[allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::panic,
    clippy::arithmetic_side_effects
)]
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
        assert!(matches!(classify(b"+CME ERRORS"), Ready::Line));
        assert!(matches!(classify(b"OKAY"), Ready::Line));
    }

    #[test]
    fn topics_are_text_ascii_or_utf8_and_nothing_else() {
        assert_eq!(topic_str(b"a/b"), Some("a/b"));
        assert_eq!(topic_str(b""), Some(""));
        assert_eq!(
            topic_str("t/\u{e9}t\u{e9}/\u{6e29}".as_bytes()),
            Some("t/\u{e9}t\u{e9}/\u{6e29}")
        );
        assert_eq!(topic_str(b"t/\xff"), None);
        assert_eq!(topic_str(b"0123456789abcdef\xc3"), None);
        // Through the digester, whole and byte by byte.
        let utf8 = "\r\n+MQTTPUBLISH: 0,0,0,0,\"t/\u{e9}\",2,ab\r\n".as_bytes();
        let bad = b"\r\n+MQTTPUBLISH: 0,0,0,0,\"t/\xe9\",2,ab\r\n";
        for step in [usize::MAX, 1] {
            let mut d: Digester = Digester::new();
            let mut got = std::vec::Vec::new();
            for input in [utf8, &bad[..]] {
                let mut rest = input;
                while !rest.is_empty() {
                    let (used, f) = d.feed(&rest[..step.min(rest.len())]);
                    rest = &rest[used..];
                    match f {
                        Some(Frame::Publish(p)) => got.push(Ok(std::string::String::from(p.topic))),
                        Some(Frame::Malformed(e)) => got.push(Err(e)),
                        other => assert!(other.is_none(), "{other:?}"),
                    }
                }
            }
            assert_eq!(
                got,
                [Ok("t/\u{e9}".into()), Err(FramingError::BadPublishTopic)],
                "step {step}"
            );
        }
    }

    #[test]
    fn header_slice_parses_both_spellings() {
        let (h, body) = parse_header(b" 0,1,0,77,\"a/b\",3,xyz", MAX_TOPIC).unwrap();
        assert_eq!((h.packet_id, h.topic, h.msg_len, body), (77, 11..14, 3, 18));
        let (h, body) = parse_header(b"0,2,1,1,pyr,3\r\nabc", MAX_TOPIC).unwrap();
        assert_eq!(
            (h.qos, h.retained, h.topic, body),
            (QoS::ExactlyOnce, true, 8..11, 15)
        );
        assert!(parse_header(b"0,3,0,0,t,1,x", MAX_TOPIC).is_none());
        assert!(parse_header(b"0,0,0,0,\"abc\",1,x", 2).is_none());
        assert!(parse_header(b"0,0,0,0,\"abc\",1,x", 3).is_some());
        assert!(parse_header(b"0,0,0,0,t,123456,x", 3).is_none());
        assert!(parse_header(b"0,0,0,0,t,1\rx", 3).is_none());
    }

    #[test]
    fn a_range_moves_to_the_front_overlapping_or_not() {
        for (start, end) in [(0, 0), (0, 5), (3, 5), (5, 10), (2, 10), (1, 16), (9, 16)] {
            let mut buf: std::vec::Vec<u8> = (0..16).collect();
            let want: std::vec::Vec<u8> = buf[start..end].to_vec();
            assert_eq!(move_to_front(&mut buf, start..end), end - start);
            assert_eq!(&buf[..end - start], &want[..], "{start}..{end}");
        }
        let mut buf = [0u8; 4];
        assert_eq!(move_to_front(&mut buf, 2..9), 0);
        #[allow(clippy::reversed_empty_ranges)]
        let reversed = 3..2;
        assert_eq!(move_to_front(&mut buf, reversed), 0);
    }

    #[test]
    fn every_prefix_of_a_header_is_short() {
        for h in [&b" 0,1,0,77,\"a/b\",3,xyz"[..], b"0,2,1,1,pyr,3\r\nabc"] {
            let (_, body) = parse_header(h, MAX_TOPIC).unwrap();
            for n in 0..body {
                assert_eq!(
                    scan_header(&h[..n], MAX_TOPIC).unwrap_err(),
                    Cut::Short,
                    "prefix {n} of {h:?}"
                );
            }
        }
        assert_eq!(scan_header(b"  ", MAX_TOPIC).unwrap_err(), Cut::Short);
        assert_eq!(scan_header(b"0,3,", MAX_TOPIC).unwrap_err(), Cut::Bad);
        assert_eq!(
            scan_header(b"0,1,0,7,t\r", MAX_TOPIC).unwrap_err(),
            Cut::Bad
        );
        assert_eq!(
            scan_header(b"0,1,0,7,t,1\rx", MAX_TOPIC).unwrap_err(),
            Cut::Bad
        );
        assert_eq!(scan_header(b"0,1,0,7,\"abc", 2).unwrap_err(), Cut::Bad);
    }

    #[test]
    fn a_header_split_across_inputs_is_kept_and_finished_or_read_field_by_field() {
        // Valid and invalid headers, split at every byte after the prefix, the
        // second part whole or byte by byte: the same frames as unsplit.
        let frames_of = |parts: &[&[u8]]| {
            let mut d: Digester<64, 64> = Digester::new();
            let mut got = std::vec::Vec::new();
            for part in parts {
                let mut rest = *part;
                while !rest.is_empty() {
                    let (used, f) = d.feed(rest);
                    rest = &rest[used..];
                    if let Some(f) = f {
                        got.push(std::format!("{f:?}"));
                    }
                }
            }
            got
        };
        let long = [b'x'; 70];
        let mut long_topic = b"\r\n+MQTTPUBLISH: 0,1,0,9,\"".to_vec();
        long_topic.extend_from_slice(&long);
        long_topic.extend_from_slice(b"\",1,z\r\nOK\r\n");
        let cases: [&[u8]; 7] = [
            b"\r\n+MQTTPUBLISH: 0,1,0,77,\"a/b\",3,xyz\r\nOK\r\n",
            b"\r\n+MQTTPUBLISH:0,2,1,1,pyr,3\r\nabc\r\nOK\r\n",
            b"\r\n+MQTTPUBLISH: 0,3,0,77,\"a/b\",3,xyz\r\nOK\r\n",
            b"\r\n+MQTTPUBLISH: 0,1,0,77,\"a/b\"x,3,xyz\r\nOK\r\n",
            b"\r\n+MQTTPUBLISH: 0,1,0,77,\"a/b\",123456,xyz\r\nOK\r\n",
            b"\r\n+MQTTPUBLISH:    0,1,0,77,t,3,xyz\r\nOK\r\n",
            &long_topic,
        ];
        // The first part of a valid header is kept whole.
        let mut d: Digester<64, 64> = Digester::new();
        assert_eq!(d.feed(b"\r\n+MQTTPUBLISH: 0,1,0,77,\"a/"), (28, None));
        assert_eq!(d.mode, Mode::HdrKept);
        assert!(d.is_in_publish());
        for case in cases {
            let whole = frames_of(&[case]);
            assert!(whole.last().is_some_and(|f| f == "Ok"), "{whole:?}");
            let prefix = 2 + PUBLISH_PREFIX.len();
            for cut in prefix..case.len() {
                let (a, b) = case.split_at(cut);
                assert_eq!(frames_of(&[a, b]), whole, "cut {cut} of {case:?}");
                let mut parts = std::vec![a];
                parts.extend(b.chunks(1));
                assert_eq!(
                    frames_of(&parts),
                    whole,
                    "cut {cut} of {case:?}, then bytes"
                );
                let (b1, b2) = b.split_at(b.len() / 2);
                assert_eq!(
                    frames_of(&[a, b1, b2]),
                    whole,
                    "cut {cut} of {case:?}, in three"
                );
            }
        }
    }

    #[test]
    fn whole_frames_are_lent_from_the_input_split_ones_gathered() {
        let lent = |input: &[u8], bytes: &[u8]| input.as_ptr_range().contains(&bytes.as_ptr());
        let mut d: Digester = Digester::new();
        let line: &[u8] = b"\r\n+MQTTPUBACK: 0,7\r\n";
        let (_, f) = d.feed(line);
        let Some(Frame::Line(l)) = f else {
            panic!("{f:?}")
        };
        assert!(l == b"+MQTTPUBACK: 0,7" && lent(line, l));
        let msg: &[u8] = b"\r\n+MQTTPUBLISH: 0,1,0,9,\"a/b\",3,x\ry\r\n";
        let (used, f) = d.feed(msg);
        let Some(Frame::Publish(p)) = f else {
            panic!("{f:?}")
        };
        assert_eq!((used, p.topic, p.payload), (msg.len(), "a/b", &b"x\ry"[..]));
        assert!(lent(msg, p.topic.as_bytes()) && lent(msg, p.payload));
        // The same message split in two: gathered in the digester's buffers, equal.
        let (head, tail) = msg.split_at(20);
        assert_eq!(d.feed(head), (head.len(), None));
        let (used, f) = d.feed(tail);
        let Some(Frame::Publish(q)) = f else {
            panic!("{f:?}")
        };
        assert_eq!(
            (used, q.topic, q.payload),
            (tail.len(), "a/b", &b"x\ry"[..])
        );
        assert!(!lent(tail, q.topic.as_bytes()) && !lent(tail, q.payload));
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
    fn state_beyond_the_buffers_is_small() {
        let state = core::mem::size_of::<Digester<0, 0>>();
        assert!(state <= 88, "{state}");
        assert_eq!(core::mem::size_of::<Digester<16, 8>>(), state + 24);
    }

    #[test]
    fn zero_sized_buffers_never_panic() {
        let mut d: Digester<0, 0> = Digester::new();
        frames(&mut d, b"\r\nOK\r\n+MQTTPUBLISH:0,0,0,0,t,0,\r\n");
        let mut d: Digester<1, 0> = Digester::new();
        frames(&mut d, b"\r\nOK\r\n+MQTTPUBLISH:0,0,0,0,t,0,\r\nO\r\n+\r\n");
    }
}
