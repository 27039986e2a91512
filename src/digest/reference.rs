//! The reference machine: the digester's one complete route from bytes to
//! frames. Everything the module docs promise holds for it alone; the fast
//! paths of `fast/` only take some inputs off its hands.
//!
//! It reads whatever it is given as far as the current state allows, then
//! hands the rest to the next state. The states, in the order a frame meets
//! them ([`Mode`]):
//!
//! 1. `LineStart`: skip CR and LF; a `>` is the prompt when one is expected;
//!    anything else starts a `Line`.
//! 2. `Line`, while a line that starts with `+` or `O` is too short to tell:
//!    collect its first bytes until they decide between `+MQTTPUBLISH:`
//!    (→ `Header`), `OK ` (→ `OkSpace`) and an ordinary line.
//! 3. `Line`: collect up to CR or LF, then classify the line (final result or
//!    not); a line longer than the buffer is an error.
//! 4. `Header`: the header reader takes the `+MQTTPUBLISH` fields; the topic is
//!    kept in the line buffer.
//! 5. `Payload`, then `TermCr`, `TermLf`: the `<msg_len>` bytes, copied without
//!    a look (or only counted when they do not fit), and the CR LF after them.
//! 6. `Resync` after an error: skip to the next CR or LF.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use super::header::Read;
use super::lines::classify;
use super::scan::{find_eol, is_eol};
use super::{copy, Framer, Mode, Ready, PUBLISH_PREFIX};
use crate::error::FramingError;

impl<const LINE: usize> Framer<LINE> {
    /// Reads `input` until a frame completes or `input` is used up, payload
    /// bytes into `payload`; returns the bytes consumed and the completed frame,
    /// if any. (Out of line: inlined into its caller's read loop, it cost 132
    /// bytes more flash in the small firmware build, `scripts/footprint.sh
    /// --small`; one call per feed costs nothing measurable.)
    #[inline(never)]
    pub(super) fn reference(&mut self, input: &[u8], payload: &mut [u8]) -> (usize, Option<Ready>) {
        let mut pos = 0usize;
        while let Some(rest) = input.get(pos..).filter(|r| !r.is_empty()) {
            // Each state consumes at least one byte or moves to a state that does.
            let (n, ready) = match self.mode {
                Mode::LineStart => self.line_start(rest),
                Mode::Line => self.in_line(rest),
                Mode::OkSpace => self.ok_space(rest),
                Mode::Header => self.in_header(rest, payload.len()),
                Mode::Payload => self.in_payload(rest, payload),
                Mode::TermCr | Mode::TermLf => self.terminator(rest),
                // Up to the line end, which `LineStart` then skips.
                Mode::Resync => match find_eol(rest) {
                    Some(k) => {
                        self.mode = Mode::LineStart;
                        (k, None)
                    }
                    None => (rest.len(), None),
                },
                // A header the fast route kept raw: through the header
                // reader first, then on in `Header`.
                #[cfg(feature = "fast-digest")]
                Mode::Kept => (0, self.unkeep(payload.len())),
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

    /// Step 1: between lines.
    fn line_start(&mut self, rest: &[u8]) -> (usize, Option<Ready>) {
        let i = rest.iter().position(|&b| !is_eol(b)).unwrap_or(rest.len());
        let Some(&b) = rest.get(i) else {
            return (i, None);
        };
        if b == b'>' && self.prompt {
            self.prompt = false;
            self.mode = Mode::PromptSpace;
            return (i.saturating_add(1), Some(Ready::Prompt));
        }
        self.len = 0;
        match b {
            b'+' => self.probe(PUBLISH_PREFIX.len()),
            b'O' => self.probe(3),
            _ => self.enter_line(),
        }
        (i, None)
    }

    /// Steps 2 and 3: inside a line. While its first `limit` bytes are not all
    /// in, it takes no more than those, then decides what the line is.
    pub(super) fn in_line(&mut self, rest: &[u8]) -> (usize, Option<Ready>) {
        let undecided = self.len < self.limit;
        let room = LINE.saturating_sub(self.len);
        let want = if undecided {
            self.limit.saturating_sub(self.len)
        } else {
            room.saturating_add(1)
        };
        let window = rest.get(..want).unwrap_or(rest);
        if let Some(k) = find_eol(window) {
            self.append(window.get(..k).unwrap_or_default());
            return self.end_line(k);
        }
        if window.len() > room {
            self.mode = Mode::Resync;
            return (
                window.len(),
                Some(Ready::Malformed(FramingError::LineTooLong)),
            );
        }
        self.append(window);
        if undecided && self.len >= self.limit {
            self.decide();
        }
        (window.len(), None)
    }

    /// The line in the buffer ended at byte `k` of the input (consumed).
    fn end_line(&mut self, k: usize) -> (usize, Option<Ready>) {
        self.mode = Mode::LineStart;
        let line = self.line.get(..self.len).unwrap_or_default();
        (k.saturating_add(1), Some(classify(line)))
    }

    /// The line so far is `OK` and spaces.
    fn ok_space(&mut self, rest: &[u8]) -> (usize, Option<Ready>) {
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
            Some(b'\r' | b'\n') => self.end_line(0),
            _ => {
                // Not a split after all: an ordinary line.
                self.enter_line();
                (0, None)
            }
        }
    }

    /// Step 4: inside a `+MQTTPUBLISH` header.
    fn in_header(&mut self, rest: &[u8], room: usize) -> (usize, Option<Ready>) {
        let (n, read, topic) = self.header.read(rest, Self::TOPIC_CAP);
        self.append(rest.get(topic).unwrap_or_default());
        match read {
            Read::More => (n, None),
            Read::Done => {
                self.begin_payload(room);
                (n, None)
            }
            Read::Bad(e) => {
                let last = n.checked_sub(1).and_then(|k| rest.get(k)).copied();
                (n, self.fail(last.unwrap_or(0), e))
            }
        }
    }

    /// Step 5: copying the payload (or counting it when it does not fit), then
    /// its CR LF if at hand.
    pub(super) fn in_payload(&mut self, rest: &[u8], payload: &mut [u8]) -> (usize, Option<Ready>) {
        let need = self.header.msg_len.saturating_sub(self.filled);
        let chunk = rest.get(..need).unwrap_or(rest);
        let end = self.filled.saturating_add(chunk.len());
        // A payload larger than the buffer is consumed, not kept.
        if let Some(dst) = payload.get_mut(self.filled..end).filter(|_| self.kept) {
            copy(dst, chunk);
        }
        self.filled = end;
        let n = chunk.len();
        if self.filled < self.header.msg_len {
            return (n, None);
        }
        if let Some([b'\r', b'\n']) = rest.get(n..n.saturating_add(2)) {
            self.mode = Mode::LineStart;
            return (n.saturating_add(2), Some(Ready::Publish));
        }
        self.mode = Mode::TermCr;
        (n, None)
    }

    /// Step 5, after the payload: its CR (in `TermCr`), then its LF (in
    /// `TermLf`), one byte at a time (`in_payload` takes the usual CR LF at
    /// hand at once).
    fn terminator(&mut self, rest: &[u8]) -> (usize, Option<Ready>) {
        let (due, next) = if self.mode == Mode::TermCr {
            (b'\r', Mode::TermLf)
        } else {
            (b'\n', Mode::LineStart)
        };
        match rest.first().copied() {
            Some(b) if b == due => {
                self.mode = next;
                (1, (next == Mode::LineStart).then_some(Ready::Publish))
            }
            b => (
                1,
                self.fail(b.unwrap_or(0), FramingError::BadPublishTerminator),
            ),
        }
    }

    /// Appends `bytes` to the line buffer, as far as they fit (callers check
    /// the room first).
    pub(super) fn append(&mut self, bytes: &[u8]) {
        let end = self.len.saturating_add(bytes.len());
        if let Some(dst) = self.line.get_mut(self.len..end) {
            copy(dst, bytes);
            self.len = end;
        }
    }

    /// Error detected at byte `b` (consumed): resync after it, or right away if
    /// `b` itself ends a line. (Out of line: it is reached from several
    /// states, and only on errors.)
    #[inline(never)]
    pub(super) fn fail(&mut self, b: u8, e: FramingError) -> Option<Ready> {
        self.mode = if is_eol(b) {
            Mode::LineStart
        } else {
            Mode::Resync
        };
        Some(Ready::Malformed(e))
    }

    /// Continues the current line as an ordinary one.
    pub(super) fn enter_line(&mut self) {
        self.limit = 0;
        self.mode = Mode::Line;
    }

    /// Decides the line's prefix once it holds `at` bytes (or the whole buffer).
    pub(super) fn probe(&mut self, at: usize) {
        self.limit = at.min(LINE);
        self.mode = Mode::Line;
        if self.len >= self.limit {
            self.decide();
        }
    }

    /// The line holds `limit` bytes: is it `+MQTTPUBLISH:` or `OK `?
    fn decide(&mut self) {
        // `==` rather than slice patterns: compared a word at a time, not
        // byte by byte.
        let line = self.line.get(..self.len).unwrap_or_default();
        if line == PUBLISH_PREFIX {
            self.begin_header();
        } else if line == b"OK " {
            self.mode = Mode::OkSpace;
        } else {
            self.enter_line();
        }
    }

    /// After `+MQTTPUBLISH:`: the header reader starts afresh.
    pub(super) fn begin_header(&mut self) {
        self.len = 0;
        self.header.restart();
        self.mode = Mode::Header;
    }

    /// After a complete header: the payload is next, kept if it fits the
    /// `room` of the payload buffer lent for it (decided here, once).
    pub(super) fn begin_payload(&mut self, room: usize) {
        self.filled = 0;
        self.kept = self.header.msg_len <= room;
        self.mode = if self.header.msg_len == 0 {
            Mode::TermCr
        } else {
            Mode::Payload
        };
    }
}
