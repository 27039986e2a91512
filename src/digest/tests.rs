//! Unit tests of the digester's routes; the frame-by-frame transcripts are in
//! `tests/wire_transcripts.rs`, the route comparison over arbitrary bytes in
//! `tests/digest_routes.rs`.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::panic,
    clippy::arithmetic_side_effects
)]

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

/// The frames of `parts` fed in turn, through `feed` or the reference route.
fn frames_of<const L: usize, const P: usize>(parts: &[&[u8]], reference: bool) -> Vec<String> {
    let mut d: Digester<L, P> = Digester::new();
    let mut got = Vec::new();
    for part in parts {
        let mut rest = *part;
        while !rest.is_empty() {
            let (used, f) = if reference {
                d.feed_reference(rest)
            } else {
                d.feed(rest)
            };
            assert!(used >= 1);
            rest = &rest[used..];
            if let Some(f) = f {
                got.push(format!("{f:?}"));
            }
        }
    }
    got
}

extern crate std;
use std::{format, string::String, vec, vec::Vec};

#[test]
fn topics_are_utf8_and_nothing_else() {
    let utf8 = "\r\n+MQTTPUBLISH: 0,0,0,0,\"t/\u{e9}\",2,ab\r\n".as_bytes();
    let bad = b"\r\n+MQTTPUBLISH: 0,0,0,0,\"t/\xe9\",2,ab\r\n";
    for step in [usize::MAX, 1] {
        let mut d: Digester = Digester::new();
        let mut got = Vec::new();
        for input in [utf8, &bad[..]] {
            let mut rest = input;
            while !rest.is_empty() {
                let (used, f) = d.feed(&rest[..step.min(rest.len())]);
                rest = &rest[used..];
                match f {
                    Some(Frame::Publish(p)) => got.push(Ok(String::from(p.topic))),
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
fn a_header_split_anywhere_reads_as_whole_on_both_routes() {
    // Valid and invalid headers, split at every byte after the prefix, the
    // second part whole, byte by byte or in two: the same frames as unsplit.
    let long = [b'x'; 70];
    let mut long_topic = b"\r\n+MQTTPUBLISH: 0,1,0,9,\"".to_vec();
    long_topic.extend_from_slice(&long);
    long_topic.extend_from_slice(b"\",1,z\r\nOK\r\n");
    // A topic longer than the fields before it: kept raw and moved to the
    // front of the line buffer over itself.
    let mut overlapping = b"\r\n+MQTTPUBLISH: 0,1,0,9,\"".to_vec();
    overlapping.extend_from_slice(&[b'y'; 40]);
    overlapping.extend_from_slice(b"\",1,z\r\nOK\r\n");
    let cases: [&[u8]; 8] = [
        b"\r\n+MQTTPUBLISH: 0,1,0,77,\"a/b\",3,xyz\r\nOK\r\n",
        b"\r\n+MQTTPUBLISH:0,2,1,1,pyr,3\r\nabc\r\nOK\r\n",
        b"\r\n+MQTTPUBLISH: 0,3,0,77,\"a/b\",3,xyz\r\nOK\r\n",
        b"\r\n+MQTTPUBLISH: 0,1,0,77,\"a/b\"x,3,xyz\r\nOK\r\n",
        b"\r\n+MQTTPUBLISH: 0,1,0,77,\"a/b\",123456,xyz\r\nOK\r\n",
        b"\r\n+MQTTPUBLISH:    0,1,0,77,t,3,xyz\r\nOK\r\n",
        &long_topic,
        &overlapping,
    ];
    for case in cases {
        let whole = frames_of::<64, 64>(&[case], false);
        assert!(whole.last().is_some_and(|f| f == "Ok"), "{whole:?}");
        assert_eq!(frames_of::<64, 64>(&[case], true), whole);
        for cut in 2..case.len() {
            let (a, b) = case.split_at(cut);
            let (b1, b2) = b.split_at(b.len() / 2);
            let mut bytes = vec![a];
            bytes.extend(b.chunks(1));
            for parts in [&[a, b][..], &[a, b1, b2], &bytes] {
                for reference in [false, true] {
                    assert_eq!(
                        frames_of::<64, 64>(parts, reference),
                        whole,
                        "cut {cut} of {case:?}, {} parts, reference {reference}",
                        parts.len()
                    );
                }
            }
        }
    }
}

#[cfg(feature = "fast-digest")]
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
    // The reference route never lends.
    let (_, f) = d.feed_reference(line);
    let Some(Frame::Line(l)) = f else {
        panic!("{f:?}")
    };
    assert!(l == b"+MQTTPUBACK: 0,7" && !lent(line, l));
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
    frames(&mut d, b"\r\n+MQTTPUBLISH: 0,0");
    assert!(d.is_in_publish());
    frames(&mut d, b",0,0,t,3,abc\r\n");
    assert!(!d.is_mid_frame());
    frames(&mut d, b"+MQTTPUB");
    assert!(d.is_mid_frame() && !d.is_in_publish());
    d.reset();
    assert!(!d.is_mid_frame());
}

#[test]
fn state_beyond_the_buffers_is_small() {
    let state = core::mem::size_of::<Digester<0, 0>>();
    assert!(state <= 104, "{state}");
    assert_eq!(core::mem::size_of::<Digester<16, 8>>(), state + 24);
}

#[test]
fn zero_sized_buffers_never_panic() {
    let input = b"\r\nOK\r\n+MQTTPUBLISH:0,0,0,0,t,0,\r\nO\r\n+\r\n";
    let mut d: Digester<0, 0> = Digester::new();
    frames(&mut d, input);
    let mut d: Digester<1, 0> = Digester::new();
    frames(&mut d, input);
    for step in [1, 2, 3, 64] {
        let parts: Vec<&[u8]> = input.chunks(step).collect();
        assert_eq!(
            frames_of::<5, 2>(&parts, false),
            frames_of::<5, 2>(&parts, true)
        );
    }
}

#[test]
fn a_framer_writes_payloads_into_the_lent_buffer_never_lending_them() {
    let msg: &[u8] = b"\r\n+MQTTPUBLISH: 0,1,0,9,\"a/b\",3,x\ry\r\n";
    let mut f: Framer<64> = Framer::new();
    let mut buf = [0u8; 8];
    let (used, frame) = f.feed(msg, &mut buf);
    let Some(Frame::Publish(p)) = frame else {
        panic!("{frame:?}")
    };
    assert_eq!((used, p.topic, p.payload), (msg.len(), "a/b", &b"x\ry"[..]));
    assert!(!msg.as_ptr_range().contains(&p.payload.as_ptr()));
    assert_eq!(&buf[..3], b"x\ry");
    // No room lent: the message is skipped in step and reported.
    let (_, frame) = f.feed(msg, &mut []);
    assert_eq!(
        frame,
        Some(Frame::MessageTooLarge {
            topic: "a/b",
            len: 3
        })
    );
    // Whether it fits is decided when the payload starts: a bigger buffer lent
    // halfway through does not make a half-kept payload whole.
    let (head, tail) = msg.split_at(msg.len() - 3);
    assert_eq!(f.feed(head, &mut []).1, None);
    let (_, frame) = f.feed(tail, &mut buf);
    assert!(matches!(frame, Some(Frame::MessageTooLarge { len: 3, .. })));
    // And the reference route agrees.
    let (_, frame) = f.feed_reference(msg, &mut buf);
    assert!(matches!(frame, Some(Frame::Publish(p)) if p.payload == b"x\ry"));
}
