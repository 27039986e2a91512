//! Typed AT commands: one struct per verb and form, each validated before a single
//! byte is written.
//!
//! Every command implements [`Command`], the trait the client uses to put a command
//! line on the wire: [`Command::encode`] checks every parameter, then writes the
//! whole line, `AT…` to the final CR LF, or returns an error and leaves nothing
//! usable behind (the caller sends nothing on `Err`). It never panics, whatever
//! the buffer size. Each command also derives [`atat::AtatCmd`], for use with
//! `atat`'s clients and for its typed response parsing, but note that `atat`'s
//! derived `write()` panics when the buffer is too small: the driver never calls
//! it, and neither should you.
//!
//! | verb | forms |
//! | --- | --- |
//! | `AT+MQTTCFG` | [`Configure`] (9 parameters), [`Configure7`], [`QueryConfig`] |
//! | `AT+MQTTOPEN` | [`Open`] (with an optional [`Will`]) |
//! | `AT+MQTTSTAT?` | [`QueryState`] |
//! | `AT+MQTTSUB` | [`Subscribe`], [`QuerySubscriptions`] |
//! | `AT+MQTTUNSUB` | [`Unsubscribe`] |
//! | `AT+MQTTPUB` | [`Publish`] (picks the form), [`PublishInline`], [`PublishLength`] |
//! | `AT+MQTTDISC` / `AT+MQTTDEL` | [`Disconnect`], [`Delete`] |
//! | `AT+MQTTPING` / `AT+MQTTREC` / `AT+MQTTTO` | [`SetPingEcho`], [`QueryPingEcho`], [`SetReconnect`], [`QueryReconnect`], [`SetAckTimeout`], [`QueryAckTimeout`] |
//! | `AT`, `ATE0`, `AT+CMEE=1` | [`At`], [`EchoOff`], [`NumericErrors`] |
//!
//! ```
//! use ml302::command::{Command, Subscribe, MAX_LINE};
//! use ml302::text::TopicFilter;
//! use ml302::QoS;
//!
//! let cmd = Subscribe::new(TopicFilter::new("dev/gsm/u")?, QoS::ExactlyOnce);
//! let mut buf = [0u8; MAX_LINE];
//! let n = cmd.encode(&mut buf)?;
//! assert_eq!(&buf[..n], b"AT+MQTTSUB=\"dev/gsm/u\",2\r\n");
//! assert_eq!(cmd.timeout_ms(10), 20_000); // ACK time-out + 10 s
//! # Ok::<(), ml302::Error>(())
//! ```
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use crate::error::{Error, Field, ValidationError};
use crate::line::Line;
use crate::types::QoS;
use atat::serde_at::serde::{Serialize, Serializer};

pub mod basic;
pub mod cfg;
pub mod del;
pub mod disc;
pub mod net;
pub mod open;
pub mod ping;
pub mod publish;
pub mod rec;
pub mod stat;
pub mod sub;
pub mod to;
pub mod unsub;

pub use basic::{At, EchoOff, NumericErrors};
pub use cfg::{ConfigInfo, ConfigResponse, Configure, Configure7, QueryConfig};
pub use del::Delete;
pub use disc::{Disconnect, DisconnectResponse};
pub use open::{Open, OpenResponse, Will};
pub use ping::{PingEchoResponse, QueryPingEcho, SetPingEcho};
pub use publish::{Publish, PublishInline, PublishLength, PublishMode, PublishResponse};
pub use rec::{QueryReconnect, ReconnectResponse, SetReconnect};
pub use stat::{QueryState, StateResponse};
pub use sub::{
    QuerySubscriptions, SubAckResponse, Subscribe, SubscriptionEntry, SubscriptionList,
    MAX_SUBSCRIPTIONS,
};
pub use to::{AckTimeoutResponse, QueryAckTimeout, SetAckTimeout};
pub use unsub::{UnsubAckResponse, Unsubscribe};

/// The driver's limit for a whole command line, `AT` and CR LF included (\[D\],
/// spec §1.3).
pub const MAX_LINE: usize = 1024;

/// Host-side time-out for the `>` prompt of a length-mode publish (spec §1.3).
pub const PROMPT_TIMEOUT_MS: u32 = 5_000;

/// Host-side time-out of commands the module answers locally (spec §1.3).
pub(crate) const LOCAL_TIMEOUT_MS: u32 = 5_000;

/// The ACK time-out the module starts with (spec §2.11), used for the `atat`
/// `MAX_TIMEOUT_MS` constants, which cannot know the value in force.
pub const DEFAULT_ACK_TIMEOUT_S: u16 = 10;

/// A command the client can put on the wire.
pub trait Command {
    /// Validates every parameter, then writes the whole command line (`AT…\r\n`) into `buf`.
    /// Returns the line length. On error the caller must send nothing.
    fn encode(&self, buf: &mut [u8]) -> Result<usize, Error>;

    /// Host-side time-out in ms (spec §1.3), given the ACK time-out in force (seconds).
    fn timeout_ms(&self, ack_timeout_s: u16) -> u32;
}

/// `ACK time-out × factor + 10 s`, in ms, saturating.
pub(crate) const fn ack_based_timeout(ack_timeout_s: u16, factor: u32) -> u32 {
    (ack_timeout_s as u32)
        .saturating_mul(1000)
        .saturating_mul(factor)
        .saturating_add(10_000)
}

// ---------------------------------------------------------------------------------
// Writing

/// One parameter of a command line, as [`write_line`] writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Param<'a> {
    /// An unsigned decimal number (flags and QoS too: `0`, `1`, `2`).
    Num(u32),
    /// A string between `"` quotes, each `"` in it written `\"`. Only a publish
    /// message can hold a `"`: the text types refuse it.
    Text(&'a str),
}

/// A flag parameter: `0` or `1`.
pub(crate) fn bit(b: bool) -> Param<'static> {
    Param::Num(u32::from(b))
}

/// A QoS parameter: `0`, `1` or `2`.
pub(crate) fn qos(q: QoS) -> Param<'static> {
    Param::Num(u32::from(q.as_u8()))
}

/// A command line being written into a buffer: a byte that does not fit is
/// counted but not stored, so the same writer measures a line (given no room at
/// all) and writes it.
pub(crate) struct LineWriter<'b> {
    buf: &'b mut [u8],
    /// Bytes written so far, stored or not.
    len: usize,
}

impl<'b> LineWriter<'b> {
    /// Starts writing at the beginning of `buf`.
    pub(crate) fn new(buf: &'b mut [u8]) -> Self {
        Self { buf, len: 0 }
    }

    /// The bytes stored so far (all of them unless the buffer overflowed).
    pub(crate) fn written(&self) -> &[u8] {
        let n = self.len.min(self.buf.len());
        self.buf.get(..n).unwrap_or_default()
    }

    /// Appends one byte: stored if it fits, counted either way.
    #[inline(never)]
    fn byte(&mut self, b: u8) {
        if let Some(d) = self.buf.get_mut(self.len) {
            *d = b;
        }
        self.len = self.len.saturating_add(1);
    }

    fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.byte(b);
        }
    }

    /// Writes an unsigned decimal number: the digits before the last one first
    /// (at most ten calls deep).
    fn num(&mut self, v: u32) {
        if v >= 10 {
            self.num(v / 10);
        }
        // `v % 10` is below 10, so the sum stays within the ASCII digits.
        self.byte(b'0'.wrapping_add((v % 10) as u8));
    }

    /// Writes `"text"`, each `"` in `text` as `\"`.
    pub(crate) fn quoted(&mut self, text: &str) {
        self.byte(b'"');
        for &b in text.as_bytes() {
            if b == b'"' {
                self.byte(b'\\');
            }
            self.byte(b);
        }
        self.byte(b'"');
    }
}

/// Writes `head` and the parameters, separated by commas (no terminator).
fn put_line(line: &mut LineWriter<'_>, head: &[u8], params: &[Param<'_>]) {
    line.bytes(head);
    for (i, param) in params.iter().enumerate() {
        if i > 0 {
            line.byte(b',');
        }
        match *param {
            Param::Num(v) => line.num(v),
            Param::Text(t) => line.quoted(t),
        }
    }
}

/// Writes a whole command line into `buf`: `head` (`AT+…=` or a command without
/// parameters), the parameters separated by commas, and CR LF. Returns its length.
///
/// The caller validates the parameters first. Here the line is measured and
/// checked against [`MAX_LINE`] (blaming `field`: validation should have caught
/// it) and against the buffer before a byte is stored; once written, everything
/// before the terminator must be printable ASCII, so that only the terminator
/// holds CR or LF (defence in depth: a bug in a validator must not become an
/// injection). On error the caller sends nothing.
///
/// Every command writes its line through this one function.
#[inline(never)]
pub(crate) fn write_line(
    buf: &mut [u8],
    field: Field,
    head: &[u8],
    params: &[Param<'_>],
) -> Result<usize, Error> {
    // First measured (a writer without room stores nothing), then written.
    let mut measure = LineWriter::new(&mut []);
    put_line(&mut measure, head, params);
    let body = measure.len;
    let total = body.saturating_add(2);
    if total > MAX_LINE {
        return Err(ValidationError::TooLong {
            field,
            max: MAX_LINE,
        }
        .into());
    }
    if total > buf.len() {
        return Err(ValidationError::BufferTooSmall.into());
    }
    let mut line = LineWriter::new(buf);
    put_line(&mut line, head, params);
    line.bytes(b"\r\n");
    let written = line.written().get(..body).unwrap_or_default();
    if let Some(&byte) = written.iter().find(|&&b| !(0x20..=0x7E).contains(&b)) {
        return Err(ValidationError::ForbiddenByte { field, byte }.into());
    }
    Ok(total)
}

/// Writes a command line without parameters (`AT+MQTTSTAT?`, …) as
/// [`write_line`] does. Out of line: each such command's call is then the
/// shortest one.
#[inline(never)]
pub(crate) fn write_bare(head: &[u8], field: Field, buf: &mut [u8]) -> Result<usize, Error> {
    write_line(buf, field, head, &[])
}

/// Checks that a number lies in `min..=max`.
pub(crate) fn check_range(v: u32, field: Field, min: u32, max: u32) -> Result<(), ValidationError> {
    if (min..=max).contains(&v) {
        Ok(())
    } else {
        Err(ValidationError::OutOfRange { field, min, max })
    }
}

// ---------------------------------------------------------------------------------
// Serde helpers for the `atat` derive (field types of the command structs)

/// A 0/1 flag parameter.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) struct Bit(pub(crate) bool);

impl core::fmt::Debug for Bit {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(&self.0, f)
    }
}

impl Serialize for Bit {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(u8::from(self.0))
    }
}

/// The `<dup>` parameter of `AT+MQTTPUB`: always 0 (\[D\], spec §2.6).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) struct Dup;

impl core::fmt::Debug for Dup {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("0")
    }
}

impl Serialize for Dup {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(0)
    }
}

/// A QoS parameter.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) struct QosArg(pub(crate) QoS);

impl core::fmt::Debug for QosArg {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(&self.0, f)
    }
}

impl Serialize for QosArg {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.0.as_u8())
    }
}

// ---------------------------------------------------------------------------------
// Responses

/// The response of a command whose only answer is the final `OK`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct NoResponse;

impl atat::AtatResp for NoResponse {}

/// Response parser for commands answered by `OK` alone: information lines, if any,
/// are ignored.
pub fn parse_no_response(_body: &[u8]) -> Result<NoResponse, Error> {
    Ok(NoResponse)
}

/// Splits a response body into its non-empty lines (CR and LF both end a line).
pub fn body_lines(body: &[u8]) -> impl Iterator<Item = &[u8]> {
    body.split(|&b| b == b'\r' || b == b'\n')
        .filter(|l| !l.is_empty())
}

/// Decodes each non-empty line of a response body with [`Line::parse`].
pub fn decode_lines(body: &[u8]) -> impl Iterator<Item = Line<'_>> {
    body_lines(body).map(Line::parse)
}

// ---------------------------------------------------------------------------------
// Redaction

/// A command line made fit for logs: see [`redact`].
#[derive(Clone, Copy)]
pub struct Redacted<'a>(&'a [u8]);

const CFG_PREFIX: &[u8] = b"AT+MQTTCFG=";

/// Wraps a command line for logging and transcripts: its `Display` (and `Debug`)
/// show the line with the password field of `AT+MQTTCFG=` replaced by `"***"`,
/// control characters as `\r`, `\n`, `\t` or `\xNN`, and bytes that are not UTF-8
/// as `\xNN`. A `AT+MQTTCFG=` line whose password field cannot be located is shown
/// as `AT+MQTTCFG=***`.
///
/// ```
/// let line = b"AT+MQTTCFG=\"h\",1883,\"id\",60,\"u\",\"s3cret\",1,\"\",0\r\n";
/// let shown = format!("{}", ml302::command::redact(line));
/// assert_eq!(shown, r#"AT+MQTTCFG="h",1883,"id",60,"u","***",1,"",0\r\n"#);
/// ```
pub fn redact(line: &[u8]) -> Redacted<'_> {
    Redacted(line)
}

impl<'a> Redacted<'a> {
    /// Splits the line into (before the password, after it) when it is an
    /// `AT+MQTTCFG=` line; `None` for any other line.
    fn split(&self) -> Option<Option<(&'a [u8], &'a [u8])>> {
        let line = self.0;
        if !line.starts_with(CFG_PREFIX) {
            return None;
        }
        // The password is the sixth parameter (index 5); commas inside quotes do
        // not separate parameters.
        let mut field = 0usize;
        let mut in_quotes = false;
        let mut start = None;
        for (i, &b) in line.iter().enumerate().skip(CFG_PREFIX.len()) {
            match b {
                b'"' => in_quotes = !in_quotes,
                b',' if !in_quotes => {
                    field = field.saturating_add(1);
                    if field == 5 {
                        start = Some(i.saturating_add(1));
                    } else if field == 6 {
                        let s = start?;
                        return Some(Some((line.get(..s)?, line.get(i..)?)));
                    }
                }
                b'\r' | b'\n' if !in_quotes => {
                    return Some(start.and_then(|s| Some((line.get(..s)?, line.get(i..)?))));
                }
                _ => {}
            }
        }
        // A password that runs to the end of the line: only the 6-field prefix of
        // a truncated line; still redact it.
        Some(start.and_then(|s| Some((line.get(..s)?, line.get(line.len()..)?))))
    }
}

fn write_escaped(f: &mut core::fmt::Formatter<'_>, bytes: &[u8]) -> core::fmt::Result {
    use core::fmt::Write;
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\r' => f.write_str("\\r")?,
                '\n' => f.write_str("\\n")?,
                '\t' => f.write_str("\\t")?,
                c if c.is_control() => {
                    for b in c.encode_utf8(&mut [0; 4]).bytes() {
                        write!(f, "\\x{b:02x}")?;
                    }
                }
                c => f.write_char(c)?,
            }
        }
        for b in chunk.invalid() {
            write!(f, "\\x{b:02x}")?;
        }
    }
    Ok(())
}

impl core::fmt::Display for Redacted<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.split() {
            None => write_escaped(f, self.0),
            Some(Some((before, after))) => {
                write_escaped(f, before)?;
                f.write_str("\"***\"")?;
                write_escaped(f, after)
            }
            Some(None) => f.write_str("AT+MQTTCFG=***"),
        }
    }
}

impl core::fmt::Debug for Redacted<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Display::fmt(self, f)
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Redacted<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        match self.split() {
            None => defmt::write!(f, "{=[u8]:a}", self.0),
            Some(Some((before, after))) => {
                defmt::write!(f, "{=[u8]:a}\"***\"{=[u8]:a}", before, after)
            }
            Some(None) => defmt::write!(f, "AT+MQTTCFG=***"),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use std::format;
    use std::string::String;

    fn shown(line: &[u8]) -> String {
        format!("{}", redact(line))
    }

    #[test]
    fn redact_nine_and_seven_parameter_forms() {
        assert_eq!(
            shown(b"AT+MQTTCFG=\"183.230.40.39\",6002,\"532337966\",60,\"246883\",\"VACC79esEWuVK5j73b3cqWzrD7U=\",0,\"\",0\r\n"),
            "AT+MQTTCFG=\"183.230.40.39\",6002,\"532337966\",60,\"246883\",\"***\",0,\"\",0\\r\\n"
        );
        assert_eq!(
            shown(b"AT+MQTTCFG=\"183.230.40.39\",6002,\"4069959\",10,\"75829\",\"IIOu0oFUg1guk20ornTK1uzAcnM=\",1"),
            "AT+MQTTCFG=\"183.230.40.39\",6002,\"4069959\",10,\"75829\",\"***\",1"
        );
    }

    #[test]
    fn redact_handles_commas_in_quotes_and_truncation() {
        assert_eq!(
            shown(b"AT+MQTTCFG=\"a,b\",1,\"i\",1,\"u\",\"p,w\",1\r\n"),
            "AT+MQTTCFG=\"a,b\",1,\"i\",1,\"u\",\"***\",1\\r\\n"
        );
        // Password running to the end of a truncated line.
        assert_eq!(
            shown(b"AT+MQTTCFG=\"h\",1,\"i\",1,\"u\",\"secr"),
            "AT+MQTTCFG=\"h\",1,\"i\",1,\"u\",\"***\""
        );
        // Not enough fields: everything is hidden.
        assert_eq!(shown(b"AT+MQTTCFG=\"secret\""), "AT+MQTTCFG=***");
        assert!(!shown(b"AT+MQTTCFG=\"h\",1,\"i\",1,\"u\",\"se\r\ncret\",1").contains("cret"));
    }

    #[test]
    fn redact_escapes_other_lines() {
        assert_eq!(shown(b"AT+MQTTSUB=\"x\",1\r\n"), "AT+MQTTSUB=\"x\",1\\r\\n");
        assert_eq!(shown(b"a\xff\x00\x1b\xc3\xa9"), "a\\xff\\x00\\x1b\u{e9}");
    }

    #[test]
    fn num_writes_decimal() {
        for v in [0u32, 7, 10, 65535, 1_000_000, u32::MAX] {
            let mut buf = [0u8; 16];
            let mut s = LineWriter::new(&mut buf);
            s.num(v);
            let n = s.len;
            assert_eq!(&buf[..n], format!("{v}").as_bytes());
        }
    }

    #[test]
    fn line_writer_never_overruns() {
        let mut buf = [0u8; 3];
        let mut s = LineWriter::new(&mut buf);
        s.bytes(b"ab");
        s.bytes(b"cd");
        s.bytes(b"e");
        // Every byte is counted, only those that fit are stored.
        assert_eq!(s.len, 5);
        assert_eq!(s.written(), b"abc");
    }

    #[test]
    fn write_line_checks_line_limit_then_buffer_then_bytes() {
        let mut buf = [0u8; 16];
        let n = write_line(
            &mut buf,
            Field::Topic,
            b"AT+X=",
            &[Param::Num(7), Param::Text("a\"b")],
        );
        assert_eq!(n, Ok(15));
        assert_eq!(&buf[..15], b"AT+X=7,\"a\\\"b\"\r\n");
        let long = "x".repeat(MAX_LINE);
        assert_eq!(
            write_line(&mut buf, Field::Topic, b"AT+X=", &[Param::Text(&long)]),
            Err(ValidationError::TooLong {
                field: Field::Topic,
                max: MAX_LINE
            }
            .into())
        );
        assert_eq!(
            write_line(
                &mut buf,
                Field::Topic,
                b"AT+XYZ=",
                &[Param::Text("abcdefg")]
            ),
            Err(ValidationError::BufferTooSmall.into())
        );
        assert_eq!(
            write_line(&mut buf, Field::Host, b"AT+X=", &[Param::Text("a\rb")]),
            Err(ValidationError::ForbiddenByte {
                field: Field::Host,
                byte: b'\r'
            }
            .into())
        );
    }

    #[test]
    fn ack_based_timeouts_saturate() {
        assert_eq!(ack_based_timeout(10, 1), 20_000);
        assert_eq!(ack_based_timeout(10, 2), 30_000);
        assert_eq!(ack_based_timeout(u16::MAX, 2), 131_080_000);
    }
}
