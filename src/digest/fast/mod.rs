//! Fast paths beside the reference machine (cargo feature `fast-digest`, on by
//! default).
//!
//! At a line start, with a whole line or a whole `+MQTTPUBLISH` message in the
//! input, `Framer::fast` takes it in one go and lends it from the input
//! instead of copying it into the digester's buffers. A message whose header
//! is whole but whose payload is not has its payload copied in bulk. Line ends
//! and topic delimiters are found a word at a time ([`scan`]).
//!
//! A frame cut by the end of the input goes on in the fast route too: a
//! `+MQTTPUBLISH` header cut in the usual spelling is kept raw in the line
//! buffer (`Mode::Kept`) and read straight through once the rest arrives, a
//! prefix cut short is finished and the message read as at a line start, and a
//! payload goes on being copied in bulk. A kept header that is still cut, or
//! turns out unusual, goes through the header reader from its first byte, as
//! if the reference machine had read it all along.
//!
//! Anything else — a `>` prompt, an `OK +…` line, a line longer than the
//! buffer, a malformed or unusually spelt header, an ordinary line cut short —
//! goes to the reference machine, which then reads the same bytes with the same
//! outcome.
//!
//! What the fast paths earn, in callgrind instructions per byte (`bash
//! scripts/bench-callgrind.sh`, which prints both routes; streams of the
//! repository's generator, 1 MiB each, counting included):
//!
//! | stream, chunk | reference machine alone | with the fast paths | gain |
//! | --- | ---: | ---: | ---: |
//! | a, 64 | 27.74 | 18.19 | 34% |
//! | a, 512 | 25.43 | 13.58 | 47% |
//! | b, 64 | 15.24 | 10.34 | 32% |
//! | b, 512 | 13.08 | 7.14 | 45% |
//!
//! Each part is kept only where it pays at least 10% on stream a or b at chunk
//! 64 or 512, measured by turning it off alone: the straight-through header
//! ([`header`]) 22% (a 17.63 → 13.67, b 9.24 → 7.19 at chunk 512); the
//! word-at-a-time search ([`scan`]) 11% (a 15.38 → 13.67, b 8.07 → 7.19 at
//! chunk 512); the continuation of a frame cut by the end of the input (the
//! kept header, the prefix finished, the payload copied on) 12% on a
//! (20.68 → 18.28) and 14% on b (12.11 → 10.39) at chunk 64, nothing at chunk
//! 512. An ASCII shortcut for topics (4%, and it needs `unsafe`) and a one-byte
//! lane for inputs of a single byte (it helps only chunk 1) did not earn it.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod header;
pub(crate) mod scan;

use super::header::Read;
use super::lines::classify;
use super::{copy, Framer, Mode, Ready, PUBLISH_PREFIX};
use core::ops::Range;
use header::Miss;
use scan::{find_eol, skip_eols};

/// Line buffers at least this large take the fast paths (which need room for
/// the longest prefix they decide on).
const FAST_MIN: usize = 16;

/// Whether `line` starts with `+MQTTPUBLISH:`.
#[inline]
fn has_publish_prefix(line: &[u8]) -> bool {
    line.get(..PUBLISH_PREFIX.len()) == Some(PUBLISH_PREFIX)
}

impl<const LINE: usize> Framer<LINE> {
    /// [`Self::reference`] with the fast paths in front: the same bytes
    /// consumed, the same frame. With `lend`, a whole message's payload is lent
    /// from the input instead of being copied into `payload`.
    #[inline]
    pub(super) fn fast(
        &mut self,
        input: &[u8],
        payload: &mut [u8],
        lend: bool,
    ) -> (usize, Option<Ready>) {
        let (n, r) = match self.mode {
            Mode::LineStart if LINE >= FAST_MIN => match self.line_at_hand(input, payload, lend) {
                Some(done) => done,
                None => return self.reference(input, payload),
            },
            Mode::Line if LINE >= FAST_MIN && self.limit == PUBLISH_PREFIX.len() => {
                match self.prefix_at_hand(input, payload, lend) {
                    Some(done) => done,
                    None => return self.reference(input, payload),
                }
            }
            Mode::Kept => return self.kept_at_hand(input, payload),
            Mode::Payload => self.in_payload(input, payload),
            _ => return self.reference(input, payload),
        };
        if r.is_some() || n >= input.len() {
            return (n, r);
        }
        let (m, r) = self.reference(input.get(n..).unwrap_or_default(), payload);
        (n.saturating_add(m), r)
    }

    /// At a line start: a whole line, or a whole `+MQTTPUBLISH` header, at
    /// hand. `None` (nothing consumed, no state changed) leaves the input to
    /// the reference machine.
    #[inline]
    fn line_at_hand(
        &mut self,
        input: &[u8],
        payload: &mut [u8],
        lend: bool,
    ) -> Option<(usize, Option<Ready>)> {
        let Some(i) = skip_eols(input) else {
            // Only line ends: nothing to do but consume them.
            return Some((input.len(), None));
        };
        let line = input.get(i..)?;
        match *line.first()? {
            b'>' if self.prompt => return None,
            b'+' if has_publish_prefix(line) => {
                let h = line.get(PUBLISH_PREFIX.len()..).unwrap_or_default();
                let at = i.wrapping_add(PUBLISH_PREFIX.len());
                return self.publish_at_hand(h, at, payload, lend);
            }
            // `OK ` may be split (`OK +…`), and a line of fewer than three
            // bytes may still grow into it: the reference machine decides.
            b'O' => match line.get(..3)? {
                b"OK\r" | b"OK\n" => return Some((i.wrapping_add(3), Some(Ready::Ok))),
                b"OK " => return None,
                _ => {}
            },
            _ => {}
        }
        let window = line.get(..LINE.saturating_add(1)).unwrap_or(line);
        let Some(k) = find_eol(window) else {
            // The line goes on in the next input: keep what is here, unless it
            // is too long or could still turn out to be `+MQTTPUBLISH:`.
            let may_be_publish =
                window.len() < PUBLISH_PREFIX.len() && window.first() == Some(&b'+');
            if window.len() > LINE || may_be_publish {
                return None;
            }
            self.len = 0;
            self.append(window);
            self.enter_line();
            return Some((i.wrapping_add(window.len()), None));
        };
        let r = match classify(window.get(..k)?) {
            Ready::Line => {
                self.lent = [i, i.wrapping_add(k), 0];
                Ready::LineIn
            }
            r => r,
        };
        Some((i.wrapping_add(k).wrapping_add(1), Some(r)))
    }

    /// In `Line`, a line that may still turn out to be `+MQTTPUBLISH:` (its
    /// first bytes came in an earlier input): if the rest of the prefix is at
    /// hand, the message goes on as at a line start. `None` (nothing consumed,
    /// no state changed) leaves the input to the reference machine.
    #[inline]
    fn prefix_at_hand(
        &mut self,
        input: &[u8],
        payload: &mut [u8],
        lend: bool,
    ) -> Option<(usize, Option<Ready>)> {
        // The prefix's bytes: the line's so far, then the input's (compared
        // byte by byte: slice comparisons of unknown length link `memcmp`
        // code, 312 bytes in the firmware).
        let have = self.line.get(..self.len)?;
        let at = PUBLISH_PREFIX.len().checked_sub(have.len())?;
        let bytes = have.iter().chain(input.get(..at)?);
        if !bytes.eq(PUBLISH_PREFIX) {
            return None;
        }
        self.publish_at_hand(input.get(at..)?, at, payload, lend)
    }

    /// In `Kept`: the rest of a header kept raw. The bytes that can still
    /// belong to it are appended to the kept ones and the whole is read straight
    /// through; if it is still cut, or not in the usual spelling, the reference
    /// machine carries on through the header reader (so a header is read
    /// straight through at most twice).
    fn kept_at_hand(&mut self, input: &[u8], payload: &mut [u8]) -> (usize, Option<Ready>) {
        let have = self.len;
        // The longest header: the numeric fields, two quotes, five commas.
        let longest = Self::TOPIC_CAP.saturating_add(32);
        let want = longest.saturating_sub(have).min(LINE.saturating_sub(have));
        self.append(input.get(..want).unwrap_or(input));
        let read = header::whole(
            self.line.get(..self.len).unwrap_or_default(),
            Self::TOPIC_CAP,
            &mut self.header,
        );
        self.len = have;
        match read {
            Ok((body, topic)) if body > have => {
                let used = body.wrapping_sub(have);
                self.keep_only(topic);
                self.begin_payload(payload.len());
                if self.mode != Mode::Payload {
                    return (used, None);
                }
                let (m, r) = self.in_payload(input.get(used..).unwrap_or_default(), payload);
                (used.saturating_add(m), r)
            }
            _ => self.reference(input, payload),
        }
    }

    /// Leaves `Kept` for `Header`: the kept bytes go through the header reader,
    /// which keeps the topic's bytes in the line buffer as in the reference
    /// machine. (A header is kept only when cut in the usual spelling, which the
    /// reader accepts as far as it goes; a malformed one is still reported.)
    pub(in crate::digest) fn unkeep(&mut self, room: usize) -> Option<Ready> {
        // Restarted in place, as at any new header (see `HeaderReader::restart`).
        self.header.restart();
        let kept = self.line.get(..self.len).unwrap_or_default();
        let (_, read, topic) = self.header.read(kept, Self::TOPIC_CAP);
        self.keep_only(topic);
        self.mode = Mode::Header;
        match read {
            Read::More => None,
            // Neither happens to a kept header (tested in `header.rs`).
            Read::Done => {
                self.begin_payload(room);
                None
            }
            Read::Bad(e) => self.fail(0, e),
        }
    }

    /// Keeps only the bytes `r` of the line buffer, moved to its front (a topic
    /// found among kept header bytes).
    fn keep_only(&mut self, r: Range<usize>) {
        let n = r.len();
        let (front, back) = self.line.split_at_mut(r.start.min(LINE));
        match (front.get_mut(..n), back.get(..n)) {
            // Apart (the usual short topic after the numeric fields): copied.
            (Some(dst), Some(src)) => copy(dst, src),
            // Overlapping: swapped forward byte by byte (the byte at
            // `r.start + i` is still the topic's when its turn comes), with no
            // `memmove` routine, which `copy_within` links (1.5 KB on a
            // Cortex-M).
            _ => {
                for (i, j) in r.enumerate() {
                    if j < LINE {
                        self.line.swap(i, j);
                    }
                }
            }
        }
        self.len = n;
    }

    /// A `+MQTTPUBLISH` whose bytes after the prefix are `h`, which starts at
    /// `at` in the input: the header, then the payload and its CR LF as far as
    /// they are at hand.
    #[inline]
    fn publish_at_hand(
        &mut self,
        h: &[u8],
        at: usize,
        payload: &mut [u8],
        lend: bool,
    ) -> Option<(usize, Option<Ready>)> {
        let (n, read, topic) = match header::whole(h, Self::TOPIC_CAP, &mut self.header) {
            Ok((n, topic)) => (n, Read::Done, topic),
            Err(Miss::Cut) if h.len() <= LINE => {
                // Cut by the end of the input in the usual spelling: kept raw,
                // read whole when the rest arrives.
                self.len = 0;
                self.append(h);
                self.mode = Mode::Kept;
                return Some((at.wrapping_add(h.len()), None));
            }
            Err(_) => {
                self.header.restart();
                self.header.read(h, Self::TOPIC_CAP)
            }
        };
        let topic_bytes = h.get(topic.clone()).unwrap_or_default();
        match read {
            // The reference machine reads it again and reports it.
            Read::Bad(_) => return None,
            Read::More => {
                // Cut by the end of the input: the reference machine goes on
                // from where the reader stopped.
                self.len = 0;
                self.append(topic_bytes);
                self.mode = Mode::Header;
                return Some((at.wrapping_add(n), None));
            }
            Read::Done => {}
        }
        let msg_len = self.header.msg_len;
        let data = h.get(n..).unwrap_or_default();
        let start = at.wrapping_add(n);
        let whole = data.get(msg_len..msg_len.wrapping_add(2)) == Some(b"\r\n".as_slice());
        if lend && whole {
            // The whole message is at hand: lend topic and payload.
            self.mode = Mode::LineStart;
            self.kept = msg_len <= payload.len();
            self.lent = [
                at.wrapping_add(topic.start),
                at.wrapping_add(topic.end),
                start,
            ];
            return Some((
                start.wrapping_add(msg_len).wrapping_add(2),
                Some(Ready::PublishIn),
            ));
        }
        self.len = 0;
        self.append(topic_bytes);
        self.begin_payload(payload.len());
        if self.mode != Mode::Payload {
            return Some((start, None));
        }
        let (m, r) = self.in_payload(data, payload);
        Some((start.wrapping_add(m), r))
    }
}
