//! A `+MQTTPUBLISH` header at hand, read straight through.
//!
//! [`whole`] reads the usual header — `<dup>,<qos>,<retained>,` one digit each,
//! then packet id, topic and length — in one pass over a slice that holds all of
//! it. For anything else it says why ([`Miss`]): [`Miss::Cut`] where the input
//! ends inside a header that is so far in the usual spelling and well formed
//! (the caller may keep those bytes and try again with more), [`Miss::Other`]
//! for an unusual spelling or any error. The caller then reads the same bytes
//! with the reference reader, [`HeaderReader::read`], which decides every case;
//! where both read a header they agree, and a cut header is one the reference
//! reader asks more of (tested below and by the route property test).
//!
//! Gain, measured with `bash scripts/bench-callgrind.sh` against the reference
//! reader alone with every other fast path on (the continuation of cut headers
//! needs this reader, so it went too): 22% on stream a (17.63 → 13.67
//! instructions per byte) and b (9.24 → 7.19) at chunk 512.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use core::ops::Range;

use super::scan::find_delim;
use crate::digest::header::HeaderReader;
use crate::digest::MAX_MSG_LEN;
use crate::types::QoS;

/// Why [`whole`] did not read a header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Miss {
    /// The input ended inside a header that, so far, is in the usual spelling
    /// and well formed: the reference reader would ask for more too.
    Cut,
    /// Anything else (an unusual spelling or an error): the reference reader
    /// decides.
    Other,
}

/// 1–5 digits at `h[*p..]` worth at most `max`, followed by a byte that is
/// not a digit (left in place). [`Miss::Cut`] if `h` ends while the number is
/// still well formed.
#[inline(always)]
fn number(h: &[u8], p: &mut usize, max: u32) -> Result<u32, Miss> {
    let mut v: u32 = 0;
    let mut n = 0usize;
    loop {
        let Some(&b) = h.get(p.wrapping_add(n)) else {
            return Err(if v <= max { Miss::Cut } else { Miss::Other });
        };
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        // At most five digits: no overflow.
        v = v.wrapping_mul(10).wrapping_add(u32::from(d));
        n = n.wrapping_add(1);
        if n > 5 {
            return Err(Miss::Other);
        }
    }
    if n == 0 || v > max {
        return Err(Miss::Other);
    }
    *p = p.wrapping_add(n);
    Ok(v)
}

/// `h[p]`, which must be `want`: [`Miss::Cut`] where `h` ends before it.
#[inline(always)]
fn expect(h: &[u8], p: usize, want: u8) -> Result<(), Miss> {
    match h.get(p) {
        None => Err(Miss::Cut),
        Some(&b) if b == want => Ok(()),
        Some(_) => Err(Miss::Other),
    }
}

/// Whether `s`, shorter than `d,q,r,`, is a start of it (one digit each, in
/// range).
fn flags_start(s: &[u8]) -> bool {
    const MAX: [u8; 3] = [1, 2, 1];
    s.iter().enumerate().all(|(i, &b)| {
        if i % 2 == 1 {
            b == b','
        } else {
            let max = MAX.get(i / 2).copied().unwrap_or(0);
            b.wrapping_sub(b'0') <= max
        }
    })
}

/// The position of the first `delim` (or CR or LF) within the first
/// `cap + 1` bytes of `s`: [`Miss::Cut`] if `s` ends first, [`Miss::Other`]
/// past `cap` bytes or at a CR or LF.
#[inline(always)]
fn topic_end(s: &[u8], delim: u8, cap: usize) -> Result<usize, Miss> {
    let window = s.get(..cap.saturating_add(1)).unwrap_or(s);
    match find_delim(delim, window) {
        Some(k) if k <= cap && s.get(k) == Some(&delim) => Ok(k),
        None if window.len() <= cap => Err(Miss::Cut),
        _ => Err(Miss::Other),
    }
}

/// The header in `h` (the bytes after `+MQTTPUBLISH:`), topics of at most
/// `cap` bytes: its fields written into `into` (as the reference reader leaves
/// them when done; only then), the offset of the first payload byte, and the
/// topic's range in `h`.
#[inline]
pub(crate) fn whole(
    h: &[u8],
    cap: usize,
    into: &mut HeaderReader,
) -> Result<(usize, Range<usize>), Miss> {
    let mut p = h.iter().position(|&b| b != b' ').ok_or(Miss::Cut)?;
    let flags = h.get(p..).unwrap_or_default();
    let Some(&[d, b',', q, b',', r, b',']) = flags.first_chunk::<6>() else {
        return Err(if flags.len() < 6 && flags_start(flags) {
            Miss::Cut
        } else {
            Miss::Other
        });
    };
    let (d, q, r) = (
        d.wrapping_sub(b'0'),
        q.wrapping_sub(b'0'),
        r.wrapping_sub(b'0'),
    );
    if d > 1 || q > 2 || r > 1 {
        return Err(Miss::Other);
    }
    p = p.wrapping_add(6);
    let packet_id = number(h, &mut p, 65535)?;
    expect(h, p, b',')?;
    p = p.wrapping_add(1);
    let rest = h.get(p..).unwrap_or_default();
    let topic = if rest.first() == Some(&b'"') {
        // `"…",`
        let start = p.wrapping_add(1);
        let end = start.wrapping_add(topic_end(rest.get(1..).unwrap_or_default(), b'"', cap)?);
        expect(h, end.wrapping_add(1), b',')?;
        p = end.wrapping_add(2);
        start..end
    } else {
        // `…,`
        let start = p;
        let end = start.wrapping_add(topic_end(rest, b',', cap)?);
        p = end.wrapping_add(1);
        start..end
    };
    let msg_len = number(h, &mut p, MAX_MSG_LEN as u32)?;
    let body = match h.get(p..).unwrap_or_default() {
        [b',', ..] => p.wrapping_add(1),
        [b'\r', b'\n', ..] => p.wrapping_add(2),
        [] | [b'\r'] => return Err(Miss::Cut),
        _ => return Err(Miss::Other),
    };
    into.dup = d == 1;
    into.qos = QoS::from_u8(q).unwrap_or_default();
    into.retained = r == 1;
    into.packet_id = packet_id as u16;
    into.msg_len = msg_len as usize;
    Ok((body, topic))
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::digest::header::Read;

    /// Wherever `whole` reads a header, the reference reader reads the same.
    #[test]
    fn agrees_with_the_reference_reader_or_leaves_it_the_bytes() {
        let cases: [&[u8]; 12] = [
            b" 0,1,0,77,\"a/b\",3,xyz",
            b"0,2,1,1,pyr,3\r\nabc",
            b"1,0,0,0,,0,",
            b"0,1,0,65535,\"t,u\",65535,",
            b"0,1,0,65536,t,1,",
            b"0,3,0,1,t,1,",
            b"00,1,0,1,t,1,",
            b"0,1,0,1,\"t\"x,1,",
            b"0,1,0,1,t,123456,",
            b"0,1,0,1,t,1\rx",
            b"0,1,0,1,\"abcdef\",1,",
            b"0,1,0,1,t\r",
        ];
        for h in cases {
            for cap in [3, 5, 512] {
                let mut reference = HeaderReader::new();
                let (n, read, topic) = reference.read(h, cap);
                let mut r = HeaderReader::new();
                match whole(h, cap, &mut r) {
                    Ok((body, t)) => {
                        assert_eq!((n, read, &t), (body, Read::Done, &topic), "{h:?}");
                        assert_eq!(
                            (r.dup, r.qos, r.retained, r.packet_id, r.msg_len),
                            (
                                reference.dup,
                                reference.qos,
                                reference.retained,
                                reference.packet_id,
                                reference.msg_len
                            )
                        );
                    }
                    Err(_) => {
                        // Left to the reference reader: never the usual header.
                        let usual = h.starts_with(b"0,1,0,77,") && cap == 512;
                        assert!(!usual || read != Read::Done, "{h:?}");
                    }
                }
                // A cut header is one the reference reader asks more of.
                for cut in 0..=h.len() {
                    if matches!(whole(&h[..cut], cap, &mut r), Err(Miss::Cut)) {
                        let (n, read, _) = HeaderReader::new().read(&h[..cut], cap);
                        assert_eq!((n, read), (cut, Read::More), "{:?} cap {cap}", &h[..cut]);
                    }
                }
            }
        }
        for h in [&b" 0,1,0,77,\"a/b\",3,xyz"[..], b"0,2,1,1,pyr,3\r\nabc"] {
            let mut r = HeaderReader::new();
            let (body, _) = whole(h, 512, &mut r).unwrap();
            for cut in 0..body {
                assert_eq!(
                    whole(&h[..cut], 512, &mut r).err(),
                    Some(Miss::Cut),
                    "cut {cut}"
                );
            }
        }
    }
}
