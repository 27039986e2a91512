//! The atat adapter (`ml302::atat_digester::AtatDigester`) on arbitrary modem
//! bytes, in arbitrary chunks, driven the way atat's `Ingress` drives a
//! digester (digest, drop what was swallowed, again until nothing is).
//!
//! Input: byte 0 — bits 0–1: the ingress buffer (16, 64, 512 or 1024 bytes),
//! bits 2–4: number of chunk-size bytes minus one; then the chunk sizes (0: all
//! the rest), used in turn; then the stream.
//!
//! Checked: nothing panics; every swallow is within the buffer; the buffer is
//! never left full (atat would have to clear it); every URC slice parses into a
//! `UrcBuf`; and the answers and URCs are the same whether the stream is
//! written whole, in the given chunks or byte by byte.
#![no_main]

use atat::{DigestResult, Digester as _};
use libfuzzer_sys::fuzz_target;
use ml302::atat_digester::{AtatDigester, UrcBuf};

/// What came out: answers (body or error) and URCs, in order.
#[derive(Debug, PartialEq, Eq)]
enum Out {
    Answer(Result<Vec<u8>, String>),
    Urc(String),
}

fn run<const INGRESS: usize>(stream: &[u8], mut next_len: impl FnMut() -> usize) -> Vec<Out> {
    let mut d = AtatDigester::<INGRESS>::new();
    let mut buf: Vec<u8> = Vec::with_capacity(INGRESS);
    let mut out = Vec::new();
    let mut rest = stream;
    while !rest.is_empty() {
        let n = next_len().clamp(1, rest.len());
        let (mut chunk, tail) = rest.split_at(n);
        rest = tail;
        while !chunk.is_empty() {
            let room = INGRESS - buf.len();
            assert!(room > 0, "the ingress buffer was left full");
            let k = room.min(chunk.len());
            buf.extend_from_slice(&chunk[..k]);
            chunk = &chunk[k..];
            while !buf.is_empty() {
                let (result, swallowed) = d.digest(&buf);
                match result {
                    DigestResult::Urc(u) => {
                        let u = <UrcBuf<256> as atat::AtatUrc>::parse(u)
                            .expect("every URC slice parses");
                        out.push(Out::Urc(format!("{:?}", u.urc())));
                    }
                    DigestResult::Response(r) => out.push(Out::Answer(
                        r.map(<[u8]>::to_vec).map_err(|e| format!("{e:?}")),
                    )),
                    DigestResult::Prompt(_) => panic!("the adapter reports no prompt"),
                    DigestResult::None => {}
                }
                assert!(
                    swallowed <= buf.len(),
                    "swallowed {swallowed} of {}",
                    buf.len()
                );
                if swallowed == 0 {
                    break;
                }
                buf.drain(..swallowed);
            }
        }
    }
    out
}

fn check<const INGRESS: usize>(sizes: &[u8], stream: &[u8]) {
    let mut i = 0;
    let chunked = run::<INGRESS>(stream, || {
        let s = sizes.get(i % sizes.len().max(1)).copied().unwrap_or(0);
        i += 1;
        if s == 0 {
            usize::MAX
        } else {
            usize::from(s)
        }
    });
    let whole = run::<INGRESS>(stream, || usize::MAX);
    assert_eq!(chunked, whole, "chunked and whole differ");
    let bytewise = run::<INGRESS>(stream, || 1);
    assert_eq!(bytewise, whole, "byte by byte and whole differ");
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let n = usize::from((flags >> 2) & 7) + 1;
    if rest.len() < n {
        return;
    }
    let (sizes, stream) = rest.split_at(n);
    match flags & 3 {
        0 => check::<16>(sizes, stream),
        1 => check::<64>(sizes, stream),
        2 => check::<512>(sizes, stream),
        _ => check::<1024>(sizes, stream),
    }
});
