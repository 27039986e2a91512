//! The one reader of the `+MQTTPUBLISH` header (spec §3.1): the fields after
//! `+MQTTPUBLISH:`, up to the first payload byte.
//!
//! `<dup>,<qos>,<retained>,<packId>,<topic>,<msg_len>` then `,` or CR LF; spaces
//! before the first field are skipped; numbers have 1–5 digits and stay in
//! their ranges; the topic is quoted (up to the next `"`, which must be
//! followed by `,`) or bare (up to the next `,`), holds no CR or LF, and fits
//! the caller's cap.
//!
//! The reader is incremental: it takes the header in pieces of any size and
//! keeps its place between them, so every route of the digester — and
//! [`parse_header`] for a header at hand — reads headers through it. It copies
//! nothing: it tells the caller where the topic's bytes lie in each piece.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use core::ops::Range;

// Byte by byte on every route (see `scan.rs`).
use super::scan::find_delim;
use super::MAX_MSG_LEN;
use crate::error::FramingError;
use crate::types::QoS;

/// Largest value of each numeric field by index: dup, qos, retained, packet
/// id, (the topic, not numeric), length.
const FIELD_MAX: [u32; 6] = [1, 2, 1, 65535, 0, MAX_MSG_LEN as u32];

/// Index of `<msg_len>` among the fields.
const LEN_FIELD: u8 = 5;

/// Where the reader is inside the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum At {
    /// Before the first field: spaces are skipped.
    Space,
    /// Inside a numeric field (`field` 0..=3 or 5).
    Num,
    /// First byte of the topic: `"` or not.
    TopicStart,
    /// Inside a quoted topic.
    TopicQuoted,
    /// Inside a bare topic.
    TopicBare,
    /// After the closing quote: `,` is due.
    TopicClose,
    /// After `<msg_len>` and CR: LF is due.
    LenLf,
}

/// What a call to [`HeaderReader::read`] ended with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Read {
    /// The piece was used up; the header goes on in the next one.
    More,
    /// The header is complete: the next byte is the payload's first.
    Done,
    /// The header is malformed; the last byte consumed is the one at which
    /// that was found.
    Bad(FramingError),
}

/// What one call read: bytes consumed, how it ended, and where the topic's
/// bytes of this piece lie in it (an empty range if none).
pub(crate) type Step = (usize, Read, Range<usize>);

/// The incremental `+MQTTPUBLISH` header reader (see the module docs).
#[derive(Debug, Clone, Copy)]
pub(crate) struct HeaderReader {
    at: At,
    /// Index of the field being read (0..=5).
    field: u8,
    /// Digits of the numeric field so far, and their value.
    digits: u8,
    acc: u32,
    /// Topic bytes seen so far.
    topic_len: usize,
    /// DUP flag.
    pub(crate) dup: bool,
    /// QoS.
    pub(crate) qos: QoS,
    /// RETAIN flag.
    pub(crate) retained: bool,
    /// Packet id.
    pub(crate) packet_id: u16,
    /// Announced payload length.
    pub(crate) msg_len: usize,
}

impl HeaderReader {
    /// A reader at the first byte after `+MQTTPUBLISH:`.
    pub(crate) const fn new() -> Self {
        Self {
            at: At::Space,
            field: 0,
            digits: 0,
            acc: 0,
            topic_len: 0,
            dup: false,
            qos: QoS::AtMostOnce,
            retained: false,
            packet_id: 0,
            msg_len: 0,
        }
    }

    /// Back to the first byte after `+MQTTPUBLISH:`, for the next header. Only
    /// the reading state is reset: every field is assigned again before the
    /// header is done (and resetting them too costs a `memclr` routine of
    /// 174 bytes on a Cortex-M).
    pub(crate) fn restart(&mut self) {
        self.at = At::Space;
        self.field = 0;
        self.digits = 0;
        self.acc = 0;
    }

    /// Reads from `input` until the header completes, turns out malformed, or
    /// `input` is used up. Topics longer than `cap` bytes are malformed.
    pub(crate) fn read(&mut self, input: &[u8], cap: usize) -> Step {
        let mut pos = 0usize;
        let mut topic = 0..0;
        while let Some(rest) = input.get(pos..).filter(|r| !r.is_empty()) {
            let (n, done) = match self.at {
                At::Space => self.space(rest),
                At::Num => self.num(rest),
                At::TopicStart => {
                    self.topic_len = 0;
                    if rest.first() == Some(&b'"') {
                        self.at = At::TopicQuoted;
                        (1, None)
                    } else {
                        self.at = At::TopicBare;
                        (0, None)
                    }
                }
                At::TopicQuoted | At::TopicBare => {
                    let (n, k, done) = self.topic(rest, cap);
                    topic = pos..pos.saturating_add(k);
                    (n, done)
                }
                At::TopicClose => match rest.first() {
                    Some(b',') => {
                        self.next_is_len();
                        (1, None)
                    }
                    _ => (1, Some(Read::Bad(FramingError::BadPublishTopic))),
                },
                At::LenLf => match rest.first() {
                    Some(b'\n') => (1, Some(Read::Done)),
                    _ => (1, Some(Read::Bad(FramingError::BadPublishLength))),
                },
            };
            pos = pos.saturating_add(n);
            if let Some(done) = done {
                return (pos, done, topic);
            }
        }
        (pos, Read::More, topic)
    }

    /// Before the first field: skips spaces. (Taking the usual
    /// `<dup>,<qos>,<retained>,` at once here earned 3% on stream a at chunk 64,
    /// under the 10% a fast path must earn, for 204 bytes of flash: the fast
    /// route's straight-through reader does that, not this one.)
    fn space(&mut self, rest: &[u8]) -> (usize, Option<Read>) {
        let n = rest.iter().position(|&b| b != b' ').unwrap_or(rest.len());
        let Some(after) = rest.get(n..) else {
            return (n, None);
        };
        if after.is_empty() {
            return (n, None);
        }
        self.at = At::Num;
        (n, None)
    }

    /// The topic is read; `<msg_len>` is next.
    fn next_is_len(&mut self) {
        self.field = LEN_FIELD;
        self.at = At::Num;
    }

    /// The error for a bad numeric field.
    fn num_error(&self) -> Read {
        Read::Bad(if self.field == LEN_FIELD {
            FramingError::BadPublishLength
        } else {
            FramingError::BadPublishHeader
        })
    }

    /// Inside the numeric fields: reads digits and the byte after each field,
    /// field after field, until the topic is due, the header is done or
    /// malformed, or `rest` is used up.
    fn num(&mut self, rest: &[u8]) -> (usize, Option<Read>) {
        let (mut acc, mut digits) = (self.acc, self.digits);
        let mut i = 0usize;
        while let Some(&b) = rest.get(i) {
            i = i.wrapping_add(1);
            let d = b.wrapping_sub(b'0');
            if d <= 9 {
                if digits >= 5 {
                    return (i, Some(self.num_error()));
                }
                // At most five digits: no overflow.
                acc = acc.wrapping_mul(10).wrapping_add(u32::from(d));
                digits = digits.wrapping_add(1);
                continue;
            }
            let done = self.end_num(acc, digits, b);
            if done.is_some() || self.at != At::Num {
                return (i, done);
            }
            (acc, digits) = (0, 0);
        }
        (self.acc, self.digits) = (acc, digits);
        (i, None)
    }

    /// The numeric field being read ended, with value `v` of `digits` digits, at
    /// byte `b` (consumed).
    fn end_num(&mut self, v: u32, digits: u8, b: u8) -> Option<Read> {
        let max = FIELD_MAX
            .get(usize::from(self.field))
            .copied()
            .unwrap_or_default();
        if digits == 0 || v > max {
            return Some(self.num_error());
        }
        (self.acc, self.digits) = (0, 0);
        match (self.field, b) {
            (0, b',') => self.dup = v == 1,
            (1, b',') => self.qos = QoS::from_u8(v as u8).unwrap_or_default(),
            (2, b',') => self.retained = v == 1,
            (3, b',') => {
                self.packet_id = v as u16;
                self.at = At::TopicStart;
            }
            (LEN_FIELD, b',') => {
                self.msg_len = v as usize;
                return Some(Read::Done);
            }
            (LEN_FIELD, b'\r') => {
                self.msg_len = v as usize;
                self.at = At::LenLf;
            }
            _ => return Some(self.num_error()),
        }
        self.field = self.field.wrapping_add(1);
        None
    }

    /// Inside the topic: returns the bytes consumed, how many of them are
    /// topic bytes (from the start of `rest`), and the outcome if any.
    fn topic(&mut self, rest: &[u8], cap: usize) -> (usize, usize, Option<Read>) {
        let quoted = self.at == At::TopicQuoted;
        let delim = if quoted { b'"' } else { b',' };
        let room = cap.saturating_sub(self.topic_len);
        let window = rest.get(..room.saturating_add(1)).unwrap_or(rest);
        let Some(k) = find_delim(delim, window) else {
            if window.len() > room {
                return (
                    window.len(),
                    0,
                    Some(Read::Bad(FramingError::BadPublishTopic)),
                );
            }
            self.topic_len = self.topic_len.saturating_add(window.len());
            return (window.len(), window.len(), None);
        };
        self.topic_len = self.topic_len.saturating_add(k);
        let n = k.saturating_add(1);
        if window.get(k) != Some(&delim) {
            // CR or LF inside the topic.
            return (n, k, Some(Read::Bad(FramingError::BadPublishTopic)));
        }
        if !quoted {
            self.next_is_len();
            return (n, k, None);
        }
        if rest.get(n) == Some(&b',') {
            self.next_is_len();
            return (n.saturating_add(1), k, None);
        }
        self.at = At::TopicClose;
        (n, k, None)
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
    pub(crate) topic: Range<usize>,
    pub(crate) msg_len: usize,
}

/// Reads a complete `+MQTTPUBLISH` header from `h`, which starts right after
/// `+MQTTPUBLISH:`, with topics of at most `cap` bytes: the header and the
/// offset of its first payload byte, or `None` if `h` does not hold a whole,
/// well-formed header. [`crate::urc::Urc::parse`] uses it.
pub(crate) fn parse_header(h: &[u8], cap: usize) -> Option<(Header, usize)> {
    let mut r = HeaderReader::new();
    match r.read(h, cap) {
        (body, Read::Done, topic) => Some((
            Header {
                dup: r.dup,
                qos: r.qos,
                retained: r.retained,
                packet_id: r.packet_id,
                topic,
                msg_len: r.msg_len,
            },
            body,
        )),
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::digest::MAX_TOPIC;

    #[test]
    fn a_whole_header_in_either_spelling() {
        let (h, body) = parse_header(b" 0,1,0,77,\"a/b\",3,xyz", MAX_TOPIC).unwrap();
        assert_eq!((h.packet_id, h.topic, h.msg_len, body), (77, 11..14, 3, 18));
        let (h, body) = parse_header(b"0,2,1,1,pyr,3\r\nabc", MAX_TOPIC).unwrap();
        assert_eq!(
            (h.qos, h.retained, h.topic, body),
            (QoS::ExactlyOnce, true, 8..11, 15)
        );
        let (h, _) = parse_header(b"1,0,0,0,,0,", MAX_TOPIC).unwrap();
        assert!(h.dup && h.topic.is_empty());
    }

    #[test]
    fn out_of_range_fields_and_long_topics_are_refused() {
        assert!(parse_header(b"0,3,0,0,t,1,x", MAX_TOPIC).is_none());
        assert!(parse_header(b"0,0,0,0,\"abc\",1,x", 2).is_none());
        assert!(parse_header(b"0,0,0,0,\"abc\",1,x", 3).is_some());
        assert!(parse_header(b"0,0,0,0,t,123456,x", 3).is_none());
        assert!(parse_header(b"0,0,0,0,t,65536,x", 3).is_none());
        assert!(parse_header(b"0,0,0,0,t,1\rx", 3).is_none());
        assert!(parse_header(b"0,0,0,65536,t,1,x", 3).is_none());
    }

    #[test]
    fn every_prefix_of_a_header_asks_for_more() {
        for h in [&b" 0,1,0,77,\"a/b\",3,xyz"[..], b"0,2,1,1,pyr,3\r\nabc"] {
            let (_, body) = parse_header(h, MAX_TOPIC).unwrap();
            for n in 0..body {
                let (used, read, _) = HeaderReader::new().read(&h[..n], MAX_TOPIC);
                assert_eq!((used, read), (n, Read::More), "prefix {n} of {h:?}");
            }
        }
    }

    #[test]
    fn errors_name_the_field_and_stop_at_the_byte() {
        let bad = |h: &[u8], cap| {
            let (n, read, _) = HeaderReader::new().read(h, cap);
            (n, read)
        };
        let e = |f| Read::Bad(f);
        assert_eq!(bad(b"0,3,", 9), (4, e(FramingError::BadPublishHeader)));
        assert_eq!(bad(b"x", 9), (1, e(FramingError::BadPublishHeader)));
        assert_eq!(
            bad(b"0,1,0,7,t\r", 9),
            (10, e(FramingError::BadPublishTopic))
        );
        assert_eq!(
            bad(b"0,1,0,7,t,1\rx", 9),
            (13, e(FramingError::BadPublishLength))
        );
        assert_eq!(
            bad(b"0,1,0,7,\"abc", 2),
            (12, e(FramingError::BadPublishTopic))
        );
        assert_eq!(
            bad(b"0,1,0,7,\"a\"x", 9),
            (12, e(FramingError::BadPublishTopic))
        );
        assert_eq!(
            bad(b"0,1,0,123456", 9),
            (12, e(FramingError::BadPublishHeader))
        );
    }

    #[test]
    fn a_header_in_pieces_reads_as_whole_and_reports_its_topic_bytes() {
        let h = b"0,1,0,9,\"s/t/u\",4,";
        for cut in 0..h.len() {
            let mut r = HeaderReader::new();
            let mut topic = std::vec::Vec::new();
            let (n, read, t) = r.read(&h[..cut], MAX_TOPIC);
            assert_eq!((n, read), (cut, Read::More));
            topic.extend_from_slice(&h[t]);
            let rest = &h[cut..];
            let (n, read, t) = r.read(rest, MAX_TOPIC);
            assert_eq!((n, read), (rest.len(), Read::Done), "cut {cut}");
            topic.extend_from_slice(&rest[t]);
            assert_eq!((&topic[..], r.msg_len, r.packet_id), (&b"s/t/u"[..], 4, 9));
        }
    }
}
