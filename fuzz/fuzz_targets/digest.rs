//! The streaming digester on arbitrary modem bytes, in arbitrary chunks.
//!
//! Input: byte 0 — bits 0–2: number of chunk-size bytes minus one, bit 3: prompt
//! recognition on at the start, bits 4–5: buffer sizes (`LINE`/`PAYLOAD` 1024/1024,
//! 13/5, 64/32 or 0/0); byte 1 — prompt mask (after frame `i` recognition
//! is set to bit `i % 8`, as the session re-arms it after every frame); then the
//! chunk sizes (0: all the rest), used in turn; then the stream.
//!
//! Checked: the frames are the same whether the stream is fed whole, in the given
//! chunks or byte by byte, and whether the digester's fast paths (`feed`) or its
//! reference machine alone (`feed_reference`) read it; every call consumes at
//! least one byte and no more than it was given; frames keep the module's
//! promises (lines non-empty, without CR/LF, within `LINE`; payloads within
//! `PAYLOAD`; topics within 512 bytes); the counters match; and, for streams
//! without framing errors, the frames are those of a plain reading of the
//! framing rules written independently here (`rules`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use ml302::digest::{Digester, Frame, MAX_MSG_LEN, MAX_TOPIC};
use ml302::line::Line;
use ml302::Urc;
use ml302_fuzz::OwnedFrame;

struct Plan<'a> {
    sizes: &'a [u8],
    start_prompt: bool,
    mask: u8,
}

/// Feeds `stream` in pieces of `next_len` bytes; returns the frames.
fn run<const L: usize, const P: usize>(
    plan: &Plan<'_>,
    stream: &[u8],
    reference_route: bool,
    mut next_len: impl FnMut() -> usize,
) -> Vec<OwnedFrame> {
    let mut d: Digester<L, P> = Digester::new();
    d.expect_prompt(plan.start_prompt);
    let mut frames = Vec::new();
    let mut rest = stream;
    while !rest.is_empty() {
        let n = next_len().clamp(1, rest.len());
        let (mut chunk, tail) = rest.split_at(n);
        rest = tail;
        while !chunk.is_empty() {
            let (used, frame) = if reference_route {
                d.feed_reference(chunk)
            } else {
                d.feed(chunk)
            };
            assert!(used >= 1, "feed consumed nothing of {} bytes", chunk.len());
            assert!(
                used <= chunk.len(),
                "feed consumed {used} of {} bytes",
                chunk.len()
            );
            chunk = &chunk[used..];
            if let Some(f) = frame {
                check_frame::<L, P>(&f);
                frames.push(OwnedFrame::from(&f));
                let bit = (plan.mask >> ((frames.len() - 1) % 8)) & 1;
                d.expect_prompt(bit == 1);
            }
        }
    }
    let stats = d.stats();
    assert_eq!(stats.bytes, stream.len() as u64, "byte counter");
    assert_eq!(stats.frames as usize, frames.len(), "frame counter");
    let malformed = frames
        .iter()
        .filter(|f| matches!(f, OwnedFrame::Malformed(_)))
        .count();
    assert_eq!(stats.malformed as usize, malformed, "malformed counter");
    frames
}

fn check_frame<const L: usize, const P: usize>(f: &Frame<'_>) {
    match *f {
        Frame::Line(l) => {
            assert!(!l.is_empty(), "empty line frame");
            assert!(
                l.len() <= L,
                "line of {} bytes in a {L}-byte buffer",
                l.len()
            );
            assert!(
                !l.iter().any(|&b| b == b'\r' || b == b'\n'),
                "line holds CR/LF: {l:?}"
            );
            let _ = Urc::from_line(&Line::parse(l));
        }
        Frame::Publish(p) => {
            assert!(p.payload.len() <= P, "payload over the buffer");
            assert!(
                p.topic.len() <= MAX_TOPIC,
                "topic of {} bytes",
                p.topic.len()
            );
            assert!(!p.topic.contains(['\r', '\n']), "topic holds CR/LF");
        }
        Frame::MessageTooLarge { topic, len } => {
            assert!(
                len > P && len <= MAX_MSG_LEN,
                "too-large message of {len} bytes"
            );
            assert!(topic.len() <= MAX_TOPIC, "topic of {} bytes", topic.len());
        }
        Frame::Ok | Frame::Error | Frame::Cme(_) | Frame::Prompt | Frame::Malformed(_) => {}
    }
    let _ = Urc::from_frame(f);
}

const PREFIX: &[u8] = b"+MQTTPUBLISH:";

fn is_eol(b: u8) -> bool {
    b == b'\r' || b == b'\n'
}

/// 1–5 digits with a value of at most `max`.
fn number(digits: &[u8], max: u32) -> Option<u32> {
    if digits.is_empty() || digits.len() > 5 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let v = digits
        .iter()
        .fold(0u32, |v, &d| v * 10 + u32::from(d - b'0'));
    (v <= max).then_some(v)
}

fn spaces(s: &[u8]) -> usize {
    s.iter().take_while(|&&b| b == b' ').count()
}

/// What the rules read at a position.
enum Read {
    /// A frame and the bytes it took.
    Frame(OwnedFrame, usize),
    /// The input ends before the frame does.
    Incomplete,
    /// Malformed, or too large for the buffers: the rules give up.
    Error,
}

/// The module docs' classification of a complete line.
fn classify(line: &[u8]) -> OwnedFrame {
    let mut t = line;
    while let [rest @ .., b' '] = t {
        t = rest;
    }
    match t {
        b"OK" => OwnedFrame::Ok,
        b"ERROR" => OwnedFrame::Error,
        _ => match t.strip_prefix(b"+CME ERROR") {
            Some([]) => OwnedFrame::Error,
            Some([b':' | b' ', code @ ..]) => {
                let mut c = code;
                while let [b' ', rest @ ..] = c {
                    c = rest;
                }
                match number(c, 65535) {
                    Some(n) => OwnedFrame::Cme(n as u16),
                    None => OwnedFrame::Error,
                }
            }
            _ => OwnedFrame::Line(line.to_vec()),
        },
    }
}

/// A `+MQTTPUBLISH` frame whose bytes after the prefix are `h`.
fn publish(h: &[u8], topic_max: usize, payload_max: usize) -> Read {
    let mut j = h.iter().take_while(|&&b| b == b' ').count();
    let mut nums = [0u32; 4];
    for (slot, max) in nums.iter_mut().zip([1, 2, 1, 65535]) {
        let digits = h[j..].iter().take_while(|b| b.is_ascii_digit()).count();
        if digits > 5 {
            return Read::Error;
        }
        match h.get(j + digits) {
            None => return Read::Incomplete,
            Some(b',') => match number(&h[j..j + digits], max) {
                Some(v) => *slot = v,
                None => return Read::Error,
            },
            Some(_) => return Read::Error,
        }
        j += digits + 1;
    }
    let (topic, after) = if h.get(j) == Some(&b'"') {
        let t = &h[j + 1..];
        match t.iter().position(|&b| b == b'"' || is_eol(b)) {
            None if t.len() > topic_max => return Read::Error,
            None => return Read::Incomplete,
            Some(k) if t[k] != b'"' || k > topic_max => return Read::Error,
            Some(k) => match t.get(k + 1) {
                None => return Read::Incomplete,
                Some(b',') => (&t[..k], j + 1 + k + 2),
                Some(_) => return Read::Error,
            },
        }
    } else {
        let t = &h[j..];
        match t.iter().position(|&b| b == b',' || is_eol(b)) {
            None if t.len() > topic_max => return Read::Error,
            None => return Read::Incomplete,
            Some(k) if t[k] != b',' || k > topic_max => return Read::Error,
            Some(k) => (&t[..k], j + k + 1),
        }
    };
    let digits = h[after..].iter().take_while(|b| b.is_ascii_digit()).count();
    if digits > 5 {
        return Read::Error;
    }
    let Some(len) = number(&h[after..after + digits], 65535) else {
        return if after + digits == h.len() {
            Read::Incomplete
        } else {
            Read::Error
        };
    };
    let len = len as usize;
    let body = match h.get(after + digits..) {
        Some([]) | Some([b'\r']) => return Read::Incomplete,
        Some([b',', ..]) => after + digits + 1,
        Some([b'\r', b'\n', ..]) => after + digits + 2,
        _ => return Read::Error,
    };
    let Some(payload) = h.get(body..body + len) else {
        return Read::Incomplete;
    };
    match h.get(body + len..) {
        Some([]) | Some([b'\r']) => return Read::Incomplete,
        Some([b'\r', b'\n', ..]) => {}
        _ => return Read::Error,
    }
    let Ok(topic) = std::str::from_utf8(topic) else {
        return Read::Error;
    };
    let frame = if len > payload_max {
        OwnedFrame::TooLarge {
            topic: topic.to_owned(),
            len,
        }
    } else {
        OwnedFrame::Publish {
            dup: nums[0] == 1,
            qos: nums[1] as u8,
            retained: nums[2] == 1,
            packet_id: nums[3] as u16,
            topic: topic.to_owned(),
            payload: payload.to_vec(),
        }
    };
    Read::Frame(frame, PREFIX.len() + body + len + 2)
}

/// A plain reading of the framing rules in the module docs of `ml302::digest`, for
/// streams without errors: `None` as soon as something is malformed (or a line is
/// too long), since the exact point of resynchronisation is the digester's choice.
fn rules<const L: usize, const P: usize>(plan: &Plan<'_>, s: &[u8]) -> Option<Vec<OwnedFrame>> {
    let mut out: Vec<OwnedFrame> = Vec::new();
    let mut prompt = plan.start_prompt;
    let mut i = 0;
    loop {
        while i < s.len() && is_eol(s[i]) {
            i += 1;
        }
        if i >= s.len() {
            break;
        }
        let rest = &s[i..];
        let read = if prompt && rest[0] == b'>' {
            let n = if rest.get(1) == Some(&b' ') { 2 } else { 1 };
            Read::Frame(OwnedFrame::Prompt, n)
        } else if rest.starts_with(PREFIX) {
            publish(&rest[PREFIX.len()..], L.min(512), P)
        } else if rest.starts_with(b"OK ") && rest.get(2 + spaces(&rest[2..])) == Some(&b'+') {
            // `OK`, then the line that starts at the `+` (decided at the `+`).
            if 2 + spaces(&rest[2..]) > L {
                return None;
            }
            Read::Frame(OwnedFrame::Ok, 2 + spaces(&rest[2..]))
        } else {
            match rest.iter().position(|&b| is_eol(b)) {
                None if rest.len() > L => Read::Error,
                None => Read::Incomplete,
                Some(k) if k > L => Read::Error,
                Some(k) => Read::Frame(classify(&rest[..k]), k + 1),
            }
        };
        match read {
            Read::Frame(f, n) => {
                out.push(f);
                prompt = (plan.mask >> ((out.len() - 1) % 8)) & 1 == 1;
                i += n;
            }
            Read::Incomplete => break,
            Read::Error => return None,
        }
    }
    Some(out)
}

fn check<const L: usize, const P: usize>(plan: &Plan<'_>, stream: &[u8]) {
    let whole = run::<L, P>(plan, stream, false, || usize::MAX);
    let bytewise = run::<L, P>(plan, stream, false, || 1);
    assert_eq!(whole, bytewise, "whole vs byte-by-byte ({L}/{P})");
    let reference = run::<L, P>(plan, stream, true, || usize::MAX);
    assert_eq!(
        whole, reference,
        "fast paths vs the reference machine ({L}/{P})"
    );
    let mut i = 0usize;
    let next = |i: &mut usize| {
        let s = plan
            .sizes
            .get(*i % plan.sizes.len().max(1))
            .copied()
            .unwrap_or(0);
        *i = i.wrapping_add(1);
        if s == 0 {
            usize::MAX
        } else {
            usize::from(s)
        }
    };
    let chunked = run::<L, P>(plan, stream, false, || next(&mut i));
    assert_eq!(whole, chunked, "whole vs chunked ({L}/{P})");
    i = 0;
    let chunked = run::<L, P>(plan, stream, true, || next(&mut i));
    assert_eq!(
        whole, chunked,
        "whole vs chunked, reference machine ({L}/{P})"
    );
    // (Below 16 bytes the line buffer cannot hold `+MQTTPUBLISH:` and the rules
    // degrade in ways they do not model.)
    if let Some(expected) = rules::<L, P>(plan, stream).filter(|_| L >= 16) {
        assert_eq!(whole, expected, "digester vs the framing rules ({L}/{P})");
    }
}

fuzz_target!(|data: &[u8]| {
    let [flags, mask, rest @ ..] = data else {
        return;
    };
    let n = usize::from(flags & 7) + 1;
    let (sizes, stream) = rest.split_at(n.min(rest.len()));
    let plan = Plan {
        sizes,
        start_prompt: flags & 8 != 0,
        mask: *mask,
    };
    match (flags >> 4) & 3 {
        0 => check::<1024, 1024>(&plan, stream),
        1 => check::<13, 5>(&plan, stream),
        2 => check::<64, 32>(&plan, stream),
        _ => check::<0, 0>(&plan, stream),
    }
});
