//! The streaming digester: modem bytes in, [`Frame`]s out.
//!
//! INTERFACE CONTRACT (implementation pending; see the wire helper's task):
//!
//! ```ignore
//! let mut d: Digester = Digester::new();            // LINE = 1024, PAYLOAD = 1024 by default
//! let mut rest: &[u8] = chunk;
//! while !rest.is_empty() {
//!     let (used, frame) = d.feed(rest);             // consumes `used` bytes (>= 1 when rest is non-empty)
//!     rest = &rest[used..];
//!     if let Some(frame) = frame { handle(frame) }   // frame borrows the digester
//! }
//! ```

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

/// The streaming digester (see the module docs).
pub struct Digester<const LINE: usize = DEFAULT_LINE, const PAYLOAD: usize = DEFAULT_PAYLOAD> {
    _todo: [u8; 0],
}
