//! `AT+MQTTPUB`: publish, inline or in length mode (spec §2.6).
//!
//! * [`PublishInline`] — `AT+MQTTPUB="<topic>",<qos>,<retain>,0,"<message>"`: the
//!   message is printable ASCII without `\`; each `"` is written `\"`. At most
//!   1024 message bytes as written (escapes included), and the whole line at most
//!   [`MAX_LINE`] bytes, so at most `1000 − topic_len`.
//! * [`PublishLength`] — the header line `AT+MQTTPUB="<topic>",<qos>,<retain>,0,<len>`;
//!   after the modem's `>` prompt the client sends exactly `<len>` raw bytes with
//!   no terminator. The header never carries a payload byte.
//! * [`Publish`] — the ordinary API: inline when the payload is plain printable
//!   ASCII without `"` or `\` and the line fits, length mode otherwise.
//!
//! `<dup>` is always 0 (\[D\]).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use super::{
    ack_based_timeout, bit, decode_lines, qos, write_line, Bit, Command, Dup, LineWriter, Param,
    QosArg, MAX_LINE,
};
use crate::error::{Error, Field, ValidationError};
use crate::line::Line;
use crate::text::{is_quotable, utf8, TopicName};
use crate::types::QoS;
use atat::atat_derive::AtatCmd;
use atat::serde_at::serde::{Serialize, Serializer};

/// Limit of a quoted message, counted as written between the quotes (spec §1.3).
pub const MAX_INLINE_MESSAGE: usize = 1024;
/// Bytes of an inline line besides topic and message: `AT+MQTTPUB="` (12),
/// `",q,r,0,"` (9), the closing `"` (1) and CR LF (2).
pub const INLINE_OVERHEAD: usize = 24;
/// Default cap of a length-mode payload (\[D\], spec §1.3).
pub const DEFAULT_LENGTH_CAP: usize = 1024;
/// The module's serialiser buffer; a length-mode payload may use
/// `2048 − 7 − topic_len` bytes of it (spec §1.3).
pub const MODULE_PUBLISH_BUFFER: usize = 2048;
/// MQTT fixed header, topic length and packet id bytes inside that buffer.
const PUBLISH_PACKET_OVERHEAD: usize = 7;
/// Host-side time-out of a QoS 0 publish (spec §1.3).
pub const QOS0_TIMEOUT_MS: u32 = 25_000;

/// Host-side time-out of `AT+MQTTPUB` (spec §1.3): 25 s for QoS 0, ACK time-out +
/// 10 s for QoS 1, twice the ACK time-out + 10 s for QoS 2.
pub const fn publish_timeout_ms(qos: QoS, ack_timeout_s: u16) -> u32 {
    match qos {
        QoS::AtMostOnce => QOS0_TIMEOUT_MS,
        QoS::AtLeastOnce => ack_based_timeout(ack_timeout_s, 1),
        QoS::ExactlyOnce => ack_based_timeout(ack_timeout_s, 2),
    }
}

/// The largest length-mode payload the module can take for a topic of
/// `topic_len` bytes: `2048 − 7 − topic_len`.
pub const fn max_length_cap(topic_len: usize) -> usize {
    MODULE_PUBLISH_BUFFER
        .saturating_sub(PUBLISH_PACKET_OVERHEAD)
        .saturating_sub(topic_len)
}

/// The largest inline message (as written, escapes included) that keeps the line
/// within [`MAX_LINE`] for a topic of `topic_len` bytes: `1000 − topic_len`.
pub const fn max_inline_message(topic_len: usize) -> usize {
    let by_line = MAX_LINE
        .saturating_sub(INLINE_OVERHEAD)
        .saturating_sub(topic_len);
    if by_line < MAX_INLINE_MESSAGE {
        by_line
    } else {
        MAX_INLINE_MESSAGE
    }
}

/// The rules of the explicit inline form, in one pass over the message: only
/// [`is_quotable`] bytes and `"` (the first other byte is reported), then the
/// length as written (each `"` becomes `\"`): at most 1024, and at most
/// `1000 − topic_len` ([`max_inline_message`]).
fn check_inline(msg: &[u8], topic_len: usize) -> Result<(), ValidationError> {
    let mut len = msg.len();
    for &byte in msg {
        if byte == b'"' {
            len = len.saturating_add(1);
        } else if !is_quotable(byte) {
            return Err(ValidationError::ForbiddenByte {
                field: Field::Payload,
                byte,
            });
        }
    }
    let max = if len > MAX_INLINE_MESSAGE {
        MAX_INLINE_MESSAGE
    } else {
        max_inline_message(topic_len)
    };
    if len > max {
        return Err(ValidationError::TooLong {
            field: Field::Payload,
            max,
        });
    }
    Ok(())
}

/// The message of the inline form (checked by [`PublishInline`]).
#[derive(Clone, Copy, PartialEq, Eq)]
struct InlineText<'a>(&'a str);

impl core::fmt::Debug for InlineText<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(self.0, f)
    }
}

impl Serialize for InlineText<'_> {
    /// `serde_at` would escape `"` as `\22`; the module documents `\"`, so the
    /// quoted, escaped message is written as raw bytes.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0; MAX_INLINE_MESSAGE + 2];
        let mut quoted = LineWriter::new(&mut buf);
        quoted.quoted(self.0);
        s.serialize_bytes(quoted.written())
    }
}

/// `AT+MQTTPUB="<topic>",<qos>,<retain>,0,"<message>"`: the explicit inline form.
/// Answer: none (QoS 0), `+MQTTPUBACK` (QoS 1) or `+MQTTPUBREC` and
/// `+MQTTPUBCOMP` (QoS 2), then `OK` ([`PublishResponse`]).
///
/// ```
/// use ml302::command::{Command, PublishInline};
/// use ml302::text::TopicName;
/// use ml302::QoS;
///
/// let cmd = PublishInline::new(TopicName::new("t")?, QoS::AtMostOnce, false, r#"{"a":1}"#)?;
/// let mut buf = [0u8; 64];
/// let n = cmd.encode(&mut buf)?;
/// assert_eq!(&buf[..n], b"AT+MQTTPUB=\"t\",0,0,0,\"{\\\"a\\\":1}\"\r\n");
/// # Ok::<(), ml302::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, AtatCmd)]
#[at_cmd(
    "+MQTTPUB",
    PublishResponse,
    parse = PublishResponse::parse,
    timeout_ms = 30000,
    termination = "\r\n"
)]
pub struct PublishInline<'a> {
    topic: TopicName<'a>,
    qos: QosArg,
    retain: Bit,
    dup: Dup,
    message: InlineText<'a>,
}

impl<'a> PublishInline<'a> {
    /// Checks `message` for the inline form: printable ASCII without `\`, at most
    /// 1024 bytes as written and at most `1000 − topic_len`.
    pub fn new(
        topic: TopicName<'a>,
        qos: QoS,
        retain: bool,
        message: &'a str,
    ) -> Result<Self, ValidationError> {
        check_inline(message.as_bytes(), topic.len())?;
        Ok(Self {
            topic,
            qos: QosArg(qos),
            retain: Bit(retain),
            dup: Dup,
            message: InlineText(message),
        })
    }

    /// [`PublishInline::new`] for a message given as bytes.
    pub fn from_bytes(
        topic: TopicName<'a>,
        qos: QoS,
        retain: bool,
        message: &'a [u8],
    ) -> Result<Self, ValidationError> {
        check_inline(message, topic.len())?;
        let message = utf8(message).ok_or(ValidationError::ForbiddenByte {
            field: Field::Payload,
            byte: 0x80,
        })?;
        Self::new(topic, qos, retain, message)
    }

    /// The topic.
    pub const fn topic(&self) -> TopicName<'a> {
        self.topic
    }
    /// The QoS.
    pub const fn qos(&self) -> QoS {
        self.qos.0
    }
    /// The retain flag.
    pub const fn retain(&self) -> bool {
        self.retain.0
    }
    /// The message as the broker receives it (unescaped).
    pub const fn message(&self) -> &'a str {
        self.message.0
    }

    /// Checks the message again against the topic.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_inline(self.message.0.as_bytes(), self.topic.len())
    }
}

impl Command for PublishInline<'_> {
    fn encode(&self, buf: &mut [u8]) -> Result<usize, Error> {
        self.validate()?;
        write_line(
            buf,
            Field::Payload,
            b"AT+MQTTPUB=",
            &[
                Param::Text(self.topic.as_str()),
                qos(self.qos.0),
                bit(self.retain.0),
                Param::Num(0),
                Param::Text(self.message.0),
            ],
        )
    }

    fn timeout_ms(&self, ack_timeout_s: u16) -> u32 {
        publish_timeout_ms(self.qos.0, ack_timeout_s)
    }
}

/// `AT+MQTTPUB="<topic>",<qos>,<retain>,0,<len>`: the header of a length-mode
/// publish. After the modem's `>` prompt (time-out
/// [`PROMPT_TIMEOUT_MS`](super::PROMPT_TIMEOUT_MS)) the client sends exactly
/// `len` raw bytes with no terminator; on an error instead of the prompt it sends
/// nothing. Answer as for [`PublishInline`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, AtatCmd)]
#[at_cmd(
    "+MQTTPUB",
    PublishResponse,
    parse = PublishResponse::parse,
    timeout_ms = 30000,
    termination = "\r\n"
)]
pub struct PublishLength<'a> {
    topic: TopicName<'a>,
    qos: QosArg,
    retain: Bit,
    dup: Dup,
    len: u16,
}

impl<'a> PublishLength<'a> {
    /// A header announcing `len` bytes, 1 to 1024 (the driver's default cap).
    pub fn new(
        topic: TopicName<'a>,
        qos: QoS,
        retain: bool,
        len: usize,
    ) -> Result<Self, ValidationError> {
        Self::with_cap(topic, qos, retain, len, DEFAULT_LENGTH_CAP)
    }

    /// A header announcing `len` bytes, 1 to `cap`; `cap` may be raised up to
    /// `2048 − 7 − topic_len` ([`max_length_cap`]).
    pub fn with_cap(
        topic: TopicName<'a>,
        qos: QoS,
        retain: bool,
        len: usize,
        cap: usize,
    ) -> Result<Self, ValidationError> {
        check_cap(cap, topic.len())?;
        if len == 0 {
            return Err(ValidationError::Empty {
                field: Field::Payload,
            });
        }
        if len > cap {
            return Err(ValidationError::TooLong {
                field: Field::Payload,
                max: cap,
            });
        }
        let len = u16::try_from(len).map_err(|_| ValidationError::TooLong {
            field: Field::Payload,
            max: cap,
        })?;
        Ok(Self {
            topic,
            qos: QosArg(qos),
            retain: Bit(retain),
            dup: Dup,
            len,
        })
    }

    /// The topic.
    pub const fn topic(&self) -> TopicName<'a> {
        self.topic
    }
    /// The QoS.
    pub const fn qos(&self) -> QoS {
        self.qos.0
    }
    /// The retain flag.
    pub const fn retain(&self) -> bool {
        self.retain.0
    }
    /// The number of raw bytes to send after the prompt.
    pub const fn len(&self) -> usize {
        self.len as usize
    }
    /// Always `false`: a length-mode payload has at least one byte.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Checks the length against the module's limit for this topic.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let max = max_length_cap(self.topic.len());
        if self.len == 0 {
            return Err(ValidationError::Empty {
                field: Field::Payload,
            });
        }
        if usize::from(self.len) > max {
            return Err(ValidationError::TooLong {
                field: Field::Payload,
                max,
            });
        }
        Ok(())
    }
}

fn check_cap(cap: usize, topic_len: usize) -> Result<(), ValidationError> {
    let max = max_length_cap(topic_len);
    if cap == 0 || cap > max {
        return Err(ValidationError::OutOfRange {
            field: Field::Payload,
            min: 1,
            max: u32::try_from(max).unwrap_or(u32::MAX),
        });
    }
    Ok(())
}

impl Command for PublishLength<'_> {
    fn encode(&self, buf: &mut [u8]) -> Result<usize, Error> {
        self.validate()?;
        write_line(
            buf,
            Field::Topic,
            b"AT+MQTTPUB=",
            &[
                Param::Text(self.topic.as_str()),
                qos(self.qos.0),
                bit(self.retain.0),
                Param::Num(0),
                Param::Num(self.len.into()),
            ],
        )
    }

    fn timeout_ms(&self, ack_timeout_s: u16) -> u32 {
        publish_timeout_ms(self.qos.0, ack_timeout_s)
    }
}

/// Which form a [`Publish`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum PublishMode {
    /// One line carries topic and message ([`PublishInline`]).
    Inline,
    /// A header line ([`PublishLength`]), then the payload raw after the `>`
    /// prompt ([`Publish::after_prompt`]).
    Length,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form<'a> {
    Inline(PublishInline<'a>),
    Length {
        header: PublishLength<'a>,
        payload: &'a [u8],
    },
}

/// `AT+MQTTPUB`, the ordinary way: any payload, in the form that carries it
/// safely.
///
/// Inline when the payload is plain printable ASCII without `"` or `\` and the
/// line fits [`MAX_LINE`] (an empty payload is sent as `""`);
/// length mode otherwise, for 1 to 1024 bytes by default
/// ([`Publish::with_length_cap`] raises the cap). [`Command::encode`] writes the
/// inline line or the length-mode header; [`Publish::after_prompt`] gives the
/// bytes to send after the `>` prompt, if any.
///
/// ```
/// use ml302::command::{Command, Publish, PublishMode};
/// use ml302::QoS;
///
/// let mut buf = [0u8; 64];
///
/// let text = Publish::new("dev/gsm/u", b"1890", QoS::AtLeastOnce, false)?;
/// let n = text.encode(&mut buf)?;
/// assert_eq!(&buf[..n], b"AT+MQTTPUB=\"dev/gsm/u\",1,0,0,\"1890\"\r\n");
/// assert_eq!(text.mode(), PublishMode::Inline);
/// assert_eq!(text.after_prompt(), None);
///
/// let binary = Publish::new("dev/gsm/u", b"a\r\nb\0", QoS::AtLeastOnce, false)?;
/// let n = binary.encode(&mut buf)?;
/// assert_eq!(&buf[..n], b"AT+MQTTPUB=\"dev/gsm/u\",1,0,0,5\r\n");
/// assert_eq!(binary.mode(), PublishMode::Length);
/// assert_eq!(binary.after_prompt(), Some(&b"a\r\nb\0"[..]));
/// # Ok::<(), ml302::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Publish<'a> {
    form: Form<'a>,
}

impl<'a> Publish<'a> {
    /// Publishes `payload` to the topic name `topic`, with the default
    /// length-mode cap of 1024 bytes.
    pub fn new(
        topic: &'a str,
        payload: &'a [u8],
        qos: QoS,
        retain: bool,
    ) -> Result<Self, ValidationError> {
        Self::to_topic(
            TopicName::new(topic)?,
            payload,
            qos,
            retain,
            DEFAULT_LENGTH_CAP,
        )
    }

    /// Publishes `payload` to `topic`; a length-mode payload may have up to `cap`
    /// bytes (at most `2048 − 7 − topic_len`, [`max_length_cap`]).
    pub fn with_length_cap(
        topic: &'a str,
        payload: &'a [u8],
        qos: QoS,
        retain: bool,
        cap: usize,
    ) -> Result<Self, ValidationError> {
        Self::to_topic(TopicName::new(topic)?, payload, qos, retain, cap)
    }

    /// [`Publish::with_length_cap`] for a topic checked already.
    pub fn to_topic(
        topic: TopicName<'a>,
        payload: &'a [u8],
        qos: QoS,
        retain: bool,
        cap: usize,
    ) -> Result<Self, ValidationError> {
        check_cap(cap, topic.len())?;
        let plain = payload.iter().all(|&b| is_quotable(b));
        let fits = payload.len() <= max_inline_message(topic.len());
        let text = if plain && fits { utf8(payload) } else { None };
        let form = match text {
            Some(message) => Form::Inline(PublishInline::new(topic, qos, retain, message)?),
            None => Form::Length {
                header: PublishLength::with_cap(topic, qos, retain, payload.len(), cap)?,
                payload,
            },
        };
        Ok(Self { form })
    }

    /// The form chosen.
    pub const fn mode(&self) -> PublishMode {
        match self.form {
            Form::Inline(_) => PublishMode::Inline,
            Form::Length { .. } => PublishMode::Length,
        }
    }

    /// The inline command, when the inline form was chosen.
    pub const fn as_inline(&self) -> Option<&PublishInline<'a>> {
        match &self.form {
            Form::Inline(p) => Some(p),
            Form::Length { .. } => None,
        }
    }

    /// The length-mode header, when length mode was chosen.
    pub const fn as_length(&self) -> Option<&PublishLength<'a>> {
        match &self.form {
            Form::Inline(_) => None,
            Form::Length { header, .. } => Some(header),
        }
    }

    /// The payload as the broker receives it.
    pub fn payload(&self) -> &'a [u8] {
        match self.form {
            Form::Inline(p) => p.message().as_bytes(),
            Form::Length { payload, .. } => payload,
        }
    }

    /// The bytes to send raw after the `>` prompt (length mode), or `None`.
    pub const fn after_prompt(&self) -> Option<&'a [u8]> {
        match self.form {
            Form::Inline(_) => None,
            Form::Length { payload, .. } => Some(payload),
        }
    }

    /// The topic.
    pub const fn topic(&self) -> TopicName<'a> {
        match self.form {
            Form::Inline(p) => p.topic,
            Form::Length { header, .. } => header.topic,
        }
    }

    /// The QoS.
    pub const fn qos(&self) -> QoS {
        match self.form {
            Form::Inline(p) => p.qos.0,
            Form::Length { header, .. } => header.qos.0,
        }
    }

    /// The retain flag.
    pub const fn retain(&self) -> bool {
        match self.form {
            Form::Inline(p) => p.retain.0,
            Form::Length { header, .. } => header.retain.0,
        }
    }
}

impl Command for Publish<'_> {
    fn encode(&self, buf: &mut [u8]) -> Result<usize, Error> {
        match &self.form {
            Form::Inline(p) => p.encode(buf),
            Form::Length { header, payload } => {
                if header.len() != payload.len() {
                    return Err(ValidationError::Inconsistent {
                        rule: crate::error::Rule::AnnouncedLength,
                    }
                    .into());
                }
                header.encode(buf)
            }
        }
    }

    fn timeout_ms(&self, ack_timeout_s: u16) -> u32 {
        publish_timeout_ms(self.qos(), ack_timeout_s)
    }
}

/// What the body of an `AT+MQTTPUB` answer says. The parser does not know the
/// QoS it was sent with: [`PublishResponse::Sent`] is also what a QoS 1/2 publish
/// yields when its ACK lines come after the `OK`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum PublishResponse {
    /// No ACK line (QoS 0).
    Sent,
    /// `+MQTTPUBACK:<dup>,<packId>` (QoS 1).
    Acked {
        /// Packet id.
        packet_id: u16,
    },
    /// `+MQTTPUBREC` without `+MQTTPUBCOMP` (QoS 2, not finished).
    Received {
        /// Packet id.
        packet_id: u16,
    },
    /// `+MQTTPUBCOMP:<dup>,<packId>` (QoS 2).
    Completed {
        /// Packet id.
        packet_id: u16,
    },
}

impl atat::AtatResp for PublishResponse {}

impl PublishResponse {
    /// Folds the ACK lines among decoded lines (PUBCOMP wins over PUBREC).
    pub fn from_lines<'l>(lines: impl IntoIterator<Item = Line<'l>>) -> Self {
        lines.into_iter().fold(Self::Sent, |acc, l| match (acc, l) {
            (Self::Completed { .. }, _) => acc,
            (_, Line::PubComp { packet_id, .. }) => Self::Completed { packet_id },
            (_, Line::PubRec { packet_id, .. }) => Self::Received { packet_id },
            (Self::Sent, Line::PubAck { packet_id, .. }) => Self::Acked { packet_id },
            _ => acc,
        })
    }

    /// Parses a response body (the lines before the final `OK`).
    pub fn parse(body: &[u8]) -> Result<Self, Error> {
        Ok(Self::from_lines(decode_lines(body)))
    }
}
