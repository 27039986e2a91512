//! `AT+MQTTOPEN`: connect to the broker (spec §2.2).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use super::{bit, decode_lines, qos, write_line, Bit, Command, Configure, Param, QosArg, MAX_LINE};
use crate::error::{Error, Field, ValidationError};
use crate::line::Line;
use crate::text::{Password, TopicName, User, WillMessage};
use crate::types::QoS;
use atat::atat_derive::AtatCmd;
use atat::serde_at::serde::{Serialize, Serializer};

/// Host-side time-out of `AT+MQTTOPEN` (spec §1.3: DNS, TCP connect, TLS, CONNACK).
pub const OPEN_TIMEOUT_MS: u32 = 150_000;

/// Bytes of an `AT+MQTTOPEN` line besides the two will strings:
/// `AT+MQTTOPEN=` (12) + five flags with their commas (10) + two pairs of quotes
/// (4) + the comma between them (1) + CR LF (2).
const OPEN_OVERHEAD: usize = 29;

/// The last-will message of a connection: topic, message, QoS and retain flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Will<'a> {
    topic: TopicName<'a>,
    message: WillMessage<'a>,
    qos: QoS,
    retain: bool,
}

impl<'a> Will<'a> {
    /// Checks the topic (a topic name, errors reported as [`Field::WillTopic`]) and
    /// the message (at most 256 bytes, may be empty).
    pub fn new(
        topic: &'a str,
        message: &'a str,
        qos: QoS,
        retain: bool,
    ) -> Result<Self, ValidationError> {
        Ok(Self {
            topic: TopicName::for_field(topic, Field::WillTopic)?,
            message: WillMessage::new(message)?,
            qos,
            retain,
        })
    }

    /// Builds a will from values checked already (for example a will message
    /// checked with [`WillMessage::with_limit`]).
    pub const fn from_parts(
        topic: TopicName<'a>,
        message: WillMessage<'a>,
        qos: QoS,
        retain: bool,
    ) -> Self {
        Self {
            topic,
            message,
            qos,
            retain,
        }
    }

    /// Will topic.
    pub const fn topic(&self) -> TopicName<'a> {
        self.topic
    }
    /// Will message.
    pub const fn message(&self) -> WillMessage<'a> {
        self.message
    }
    /// Will QoS.
    pub const fn qos(&self) -> QoS {
        self.qos
    }
    /// Will retain flag.
    pub const fn retain(&self) -> bool {
        self.retain
    }
}

/// The will topic parameter: the topic, or `""` without a will.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
struct WillTopicArg<'a>(Option<TopicName<'a>>);

impl WillTopicArg<'_> {
    fn as_str(&self) -> &str {
        self.0.map_or("", |t| t.as_str())
    }
}

impl core::fmt::Debug for WillTopicArg<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl Serialize for WillTopicArg<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// `AT+MQTTOPEN=<usrFlag>,<pwdFlag>,<willFlag>,<willRetain>,<willQos>,<will-topic>,<will-mesg>`
/// (spec §2.2). Answer: `+MQTTOPEN:OK` and `OK` ([`OpenResponse`]).
///
/// The §2.2 consistency rules hold by construction and are checked again by
/// [`Command::encode`]: the password flag needs the user flag, and without a will
/// the retain flag and QoS are 0 and both will strings `""`.
/// [`Open::check_credentials`] checks the rules that involve the configuration.
///
/// ```
/// use ml302::command::{Command, Open, Will};
/// use ml302::QoS;
///
/// let will = Will::new("mywill", "001bye", QoS::AtLeastOnce, true)?;
/// let open = Open::new(true, true, Some(will))?;
/// let mut buf = [0u8; 128];
/// let n = open.encode(&mut buf)?;
/// assert_eq!(&buf[..n], b"AT+MQTTOPEN=1,1,1,1,1,\"mywill\",\"001bye\"\r\n");
/// # Ok::<(), ml302::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, AtatCmd)]
#[at_cmd(
    "+MQTTOPEN",
    OpenResponse,
    parse = OpenResponse::parse,
    timeout_ms = 150000,
    termination = "\r\n"
)]
pub struct Open<'a> {
    user_flag: Bit,
    password_flag: Bit,
    will_flag: Bit,
    will_retain: Bit,
    will_qos: QosArg,
    will_topic: WillTopicArg<'a>,
    will_message: WillMessage<'a>,
}

impl<'a> Open<'a> {
    /// Connects with the given credential flags and optional will. Fails when the
    /// password flag is set without the user flag.
    pub fn new(
        use_user: bool,
        use_password: bool,
        will: Option<Will<'a>>,
    ) -> Result<Self, ValidationError> {
        let open = Self {
            user_flag: Bit(use_user),
            password_flag: Bit(use_password),
            will_flag: Bit(will.is_some()),
            will_retain: Bit(will.is_some_and(|w| w.retain)),
            will_qos: QosArg(will.map_or(QoS::AtMostOnce, |w| w.qos)),
            will_topic: WillTopicArg(will.map(|w| w.topic)),
            will_message: will.map_or(WillMessage::EMPTY, |w| w.message),
        };
        open.validate()?;
        Ok(open)
    }

    /// Connects with the credentials of `cfg`: the user flag is set when the
    /// configured user is non-empty, the password flag when the password is.
    /// Fails for a password without a user (MQTT 3.1.1 §3.1.2.9).
    pub fn for_config(
        cfg: &Configure<'_>,
        will: Option<Will<'a>>,
    ) -> Result<Self, ValidationError> {
        Self::new(!cfg.user().is_empty(), !cfg.password().is_empty(), will)
    }

    /// The §2.2 rules that involve the configuration: the user flag needs a
    /// non-empty user, the password flag a non-empty password.
    pub fn check_credentials(
        &self,
        user: User<'_>,
        password: Password<'_>,
    ) -> Result<(), ValidationError> {
        if self.user_flag.0 && user.is_empty() {
            return Err(ValidationError::Inconsistent {
                rule: crate::error::Rule::UserFlagWithoutUser,
            });
        }
        if self.password_flag.0 && password.is_empty() {
            return Err(ValidationError::Inconsistent {
                rule: crate::error::Rule::PasswordFlagWithoutPassword,
            });
        }
        Ok(())
    }

    /// Whether the configured user name is sent.
    pub const fn uses_user(&self) -> bool {
        self.user_flag.0
    }
    /// Whether the configured password is sent.
    pub const fn uses_password(&self) -> bool {
        self.password_flag.0
    }
    /// The will, if any.
    pub fn will(&self) -> Option<Will<'a>> {
        self.will_topic.0.map(|topic| Will {
            topic,
            message: self.will_message,
            qos: self.will_qos.0,
            retain: self.will_retain.0,
        })
    }

    /// Checks the consistency rules and that the line fits [`MAX_LINE`].
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.password_flag.0 && !self.user_flag.0 {
            return Err(ValidationError::Inconsistent {
                rule: crate::error::Rule::PasswordFlagWithoutUserFlag,
            });
        }
        if !self.will_flag.0
            && (self.will_retain.0
                || self.will_qos.0 != QoS::AtMostOnce
                || self.will_topic.0.is_some()
                || !self.will_message.is_empty())
        {
            return Err(ValidationError::Inconsistent {
                rule: crate::error::Rule::WillFieldsWithoutWill,
            });
        }
        if self.will_flag.0 && self.will_topic.0.is_none() {
            return Err(ValidationError::Empty {
                field: Field::WillTopic,
            });
        }
        let topic_len = self.will_topic.as_str().len();
        let room = MAX_LINE
            .saturating_sub(OPEN_OVERHEAD)
            .saturating_sub(topic_len);
        if self.will_message.len() > room {
            return Err(ValidationError::TooLong {
                field: Field::WillMessage,
                max: room,
            });
        }
        Ok(())
    }
}

impl Command for Open<'_> {
    fn encode(&self, buf: &mut [u8]) -> Result<usize, Error> {
        self.validate()?;
        write_line(
            buf,
            Field::WillMessage,
            b"AT+MQTTOPEN=",
            &[
                bit(self.user_flag.0),
                bit(self.password_flag.0),
                bit(self.will_flag.0),
                bit(self.will_retain.0),
                qos(self.will_qos.0),
                Param::Text(self.will_topic.as_str()),
                Param::Text(self.will_message.as_str()),
            ],
        )
    }

    fn timeout_ms(&self, _ack_timeout_s: u16) -> u32 {
        OPEN_TIMEOUT_MS
    }
}

/// What the body of an `AT+MQTTOPEN` answer says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum OpenResponse {
    /// `+MQTTOPEN:OK`: the broker accepted the connection.
    Accepted,
    /// `+MQTTOPEN:FAIL`: the broker refused (a `+CME ERROR` follows).
    Refused,
    /// `OK` came without `+MQTTOPEN:` (sister-module order, T-43): the result
    /// arrives later as a separate line.
    Unconfirmed,
}

impl atat::AtatResp for OpenResponse {}

impl OpenResponse {
    /// Picks the `+MQTTOPEN:` line out of decoded lines.
    pub fn from_lines<'l>(lines: impl IntoIterator<Item = Line<'l>>) -> Self {
        lines
            .into_iter()
            .find_map(|l| match l {
                Line::Open(true) => Some(Self::Accepted),
                Line::Open(false) => Some(Self::Refused),
                _ => None,
            })
            .unwrap_or(Self::Unconfirmed)
    }

    /// Parses a response body (the lines before the final `OK`).
    pub fn parse(body: &[u8]) -> Result<Self, Error> {
        Ok(Self::from_lines(decode_lines(body)))
    }
}
