//! The streaming digester on arbitrary modem bytes, in arbitrary chunks.
//!
//! Input: byte 0 — bits 0–2: number of chunk-size bytes minus one, bit 3: prompt
//! recognition on at the start, bits 4–5: buffer sizes (`LINE`/`PAYLOAD` 1024/1024,
//! 13/5, 64/32 or 0/0); byte 1 — prompt mask (after frame `i` recognition
//! is set to bit `i % 8`, as the session re-arms it after every frame); then the
//! chunk sizes (0: all the rest), used in turn; then the stream.
//!
//! Checked: the frames are the same whether the stream is fed whole, in the given
//! chunks or byte by byte; every call consumes at least one byte and no more than
//! it was given; frames keep the module's promises (lines non-empty, without
//! CR/LF, within `LINE`; payloads within `PAYLOAD`; topics within 512 bytes); the
//! counters match.
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
            let (used, frame) = d.feed(chunk);
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

fn check<const L: usize, const P: usize>(plan: &Plan<'_>, stream: &[u8]) {
    let whole = run::<L, P>(plan, stream, || usize::MAX);
    let bytewise = run::<L, P>(plan, stream, || 1);
    assert_eq!(whole, bytewise, "whole vs byte-by-byte ({L}/{P})");
    let mut i = 0usize;
    let chunked = run::<L, P>(plan, stream, || {
        let s = plan
            .sizes
            .get(i % plan.sizes.len().max(1))
            .copied()
            .unwrap_or(0);
        i = i.wrapping_add(1);
        if s == 0 {
            usize::MAX
        } else {
            usize::from(s)
        }
    });
    assert_eq!(whole, chunked, "whole vs chunked ({L}/{P})");
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
