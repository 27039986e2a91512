//! Errors: one [`Error`] type for the whole driver, with the modem's `+CME ERROR`
//! codes decoded into [`CmeError`]: the MQTT stack's 600–621 and the general
//! 3GPP TS 27.007 codes a driver meets while getting onto the network.
//!
//! Every variant says, through [`Error::is_retryable`], whether sending the same
//! request again can help; [`CmeError::retry`] says when.

/// A `+CME ERROR: <n>` code: the MQTT stack's 600–621 (spec §4) and the general
/// codes of TS 27.007 §9.2 that the network bring-up meets (NETWORK.md §3).
///
/// Every code is named here once: the rest of the driver matches on variants.
/// Any other code is kept as [`CmeError::Other`]: data, not an error of the
/// decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CmeError {
    /// 3: operation not allowed.
    OperationNotAllowed,
    /// 4: operation not supported.
    OperationNotSupported,
    /// 10: SIM not inserted.
    SimNotInserted,
    /// 11: SIM PIN required.
    SimPinRequired,
    /// 12: SIM PUK required.
    SimPukRequired,
    /// 13: SIM failure.
    SimFailure,
    /// 14: SIM busy.
    SimBusy,
    /// 15: SIM wrong.
    SimWrong,
    /// 30: no network service.
    NoNetworkService,
    /// 31: network time-out.
    NetworkTimeout,
    /// 100: unknown error.
    Unknown,
    /// 107: GPRS services not allowed.
    GprsNotAllowed,
    /// 111: PLMN not allowed.
    PlmnNotAllowed,
    /// 112: location area not allowed.
    LocationAreaNotAllowed,
    /// 113: roaming not allowed in this location area.
    RoamingNotAllowed,
    /// 133: requested service option not subscribed (APN or subscription).
    ServiceNotSubscribed,
    /// 134: service option temporarily out of order.
    ServiceOutOfOrder,
    /// 148: unspecified GPRS error.
    UnspecifiedGprsError,
    /// 149: PDP authentication failure.
    PdpAuthenticationFailed,
    /// 600: data link (PDP context) not active, or the MQTT client is not connected.
    NotConnected,
    /// 601: an AT parameter was wrong (count, range, type, length).
    InvalidParameter,
    /// 602: a connection is already open.
    AlreadyConnected,
    /// 603: connecting to the broker failed (DNS, TCP or CONNACK refused).
    ConnectFailed,
    /// 604: connecting to the broker timed out.
    ConnectTimeout,
    /// 605: the broker refused the subscription (SUBACK failure).
    SubscribeRejected,
    /// 606: the topic is already subscribed.
    AlreadySubscribed,
    /// 607: unexpected or unknown data from the server.
    UnknownData,
    /// 608: sending a packet failed; the link is probably broken.
    SendFailed,
    /// 609: an incoming PUBLISH could not be decoded by the module (unsolicited).
    BadIncomingPublish,
    /// 610: PUBREC error on a QoS 2 publish; outcome unknown.
    PubRecFailed,
    /// 611: PUBCOMP error on a QoS 2 publish; the broker already has the message.
    PubCompFailed,
    /// 612: PUBACK error on a QoS 1 publish; outcome unknown.
    PubAckFailed,
    /// 613: creating the socket failed.
    SocketFailed,
    /// 614: the broker rejected the user name or password (or the client id).
    AuthRejected,
    /// 615: automatic reconnection failed.
    ReconnectFailed,
    /// 616: waiting for the broker's acknowledgement timed out.
    AckTimeout,
    /// 617: the connection to the broker broke.
    ConnectionLost,
    /// 618: UNSUBACK error.
    UnsubAckFailed,
    /// 619: an incoming PUBREL could not be decoded by the module (unsolicited).
    BadIncomingPubRel,
    /// 620: already disconnected / no connection.
    Disconnected,
    /// 621: unsubscribe error (for example a topic that is not subscribed).
    UnsubscribeFailed,
    /// Any other code, kept as received.
    Other(u16),
}

impl CmeError {
    /// Decodes a numeric `+CME ERROR` code.
    pub const fn from_code(code: u16) -> Self {
        match code {
            600 => Self::NotConnected,
            601 => Self::InvalidParameter,
            602 => Self::AlreadyConnected,
            603 => Self::ConnectFailed,
            604 => Self::ConnectTimeout,
            605 => Self::SubscribeRejected,
            606 => Self::AlreadySubscribed,
            607 => Self::UnknownData,
            608 => Self::SendFailed,
            609 => Self::BadIncomingPublish,
            610 => Self::PubRecFailed,
            611 => Self::PubCompFailed,
            612 => Self::PubAckFailed,
            613 => Self::SocketFailed,
            614 => Self::AuthRejected,
            615 => Self::ReconnectFailed,
            616 => Self::AckTimeout,
            617 => Self::ConnectionLost,
            618 => Self::UnsubAckFailed,
            619 => Self::BadIncomingPubRel,
            620 => Self::Disconnected,
            621 => Self::UnsubscribeFailed,
            n => Self::general(n),
        }
    }

    /// The general codes of TS 27.007 (out of line: the MQTT codes above are
    /// the ones a session decodes on its hot path).
    #[inline(never)]
    const fn general(code: u16) -> Self {
        match code {
            3 => Self::OperationNotAllowed,
            4 => Self::OperationNotSupported,
            10 => Self::SimNotInserted,
            11 => Self::SimPinRequired,
            12 => Self::SimPukRequired,
            13 => Self::SimFailure,
            14 => Self::SimBusy,
            15 => Self::SimWrong,
            30 => Self::NoNetworkService,
            31 => Self::NetworkTimeout,
            100 => Self::Unknown,
            107 => Self::GprsNotAllowed,
            111 => Self::PlmnNotAllowed,
            112 => Self::LocationAreaNotAllowed,
            113 => Self::RoamingNotAllowed,
            133 => Self::ServiceNotSubscribed,
            134 => Self::ServiceOutOfOrder,
            148 => Self::UnspecifiedGprsError,
            149 => Self::PdpAuthenticationFailed,
            n => Self::Other(n),
        }
    }

    /// The numeric code, as the modem prints it.
    pub const fn code(self) -> u16 {
        match self {
            Self::OperationNotAllowed => 3,
            Self::OperationNotSupported => 4,
            Self::SimNotInserted => 10,
            Self::SimPinRequired => 11,
            Self::SimPukRequired => 12,
            Self::SimFailure => 13,
            Self::SimBusy => 14,
            Self::SimWrong => 15,
            Self::NoNetworkService => 30,
            Self::NetworkTimeout => 31,
            Self::Unknown => 100,
            Self::GprsNotAllowed => 107,
            Self::PlmnNotAllowed => 111,
            Self::LocationAreaNotAllowed => 112,
            Self::RoamingNotAllowed => 113,
            Self::ServiceNotSubscribed => 133,
            Self::ServiceOutOfOrder => 134,
            Self::UnspecifiedGprsError => 148,
            Self::PdpAuthenticationFailed => 149,
            Self::NotConnected => 600,
            Self::InvalidParameter => 601,
            Self::AlreadyConnected => 602,
            Self::ConnectFailed => 603,
            Self::ConnectTimeout => 604,
            Self::SubscribeRejected => 605,
            Self::AlreadySubscribed => 606,
            Self::UnknownData => 607,
            Self::SendFailed => 608,
            Self::BadIncomingPublish => 609,
            Self::PubRecFailed => 610,
            Self::PubCompFailed => 611,
            Self::PubAckFailed => 612,
            Self::SocketFailed => 613,
            Self::AuthRejected => 614,
            Self::ReconnectFailed => 615,
            Self::AckTimeout => 616,
            Self::ConnectionLost => 617,
            Self::UnsubAckFailed => 618,
            Self::BadIncomingPubRel => 619,
            Self::Disconnected => 620,
            Self::UnsubscribeFailed => 621,
            Self::Other(n) => n,
        }
    }

    /// What the code means, in a few words (spec §4, NETWORK.md §3).
    pub const fn describe(self) -> &'static str {
        match self {
            Self::OperationNotAllowed => "operation not allowed",
            Self::OperationNotSupported => "operation not supported",
            Self::SimNotInserted => "no SIM inserted",
            Self::SimPinRequired => "the SIM needs its PIN",
            Self::SimPukRequired => "the SIM needs its PUK",
            Self::SimFailure => "SIM failure",
            Self::SimBusy => "the SIM is busy",
            Self::SimWrong => "wrong SIM",
            Self::NoNetworkService => "no network service",
            Self::NetworkTimeout => "the network timed out",
            Self::Unknown => "unknown error",
            Self::GprsNotAllowed => "GPRS services not allowed",
            Self::PlmnNotAllowed => "network (PLMN) not allowed",
            Self::LocationAreaNotAllowed => "location area not allowed",
            Self::RoamingNotAllowed => "roaming not allowed in this location area",
            Self::ServiceNotSubscribed => "service option not subscribed (APN or subscription)",
            Self::ServiceOutOfOrder => "service option temporarily out of order",
            Self::UnspecifiedGprsError => "unspecified GPRS error",
            Self::PdpAuthenticationFailed => "PDP authentication failed",
            Self::NotConnected => "the data link is not active or the MQTT client is not connected",
            Self::InvalidParameter => "the modem rejected a parameter",
            Self::AlreadyConnected => "the MQTT client is already connected",
            Self::ConnectFailed => "connecting to the broker failed",
            Self::ConnectTimeout => "connecting to the broker timed out",
            Self::SubscribeRejected => "the broker refused the subscription",
            Self::AlreadySubscribed => "the topic is already subscribed",
            Self::UnknownData => "the broker sent unexpected data",
            Self::SendFailed => "sending a packet to the broker failed",
            Self::BadIncomingPublish => "the modem could not decode an incoming PUBLISH",
            Self::PubRecFailed => "the QoS 2 publish failed at PUBREC",
            Self::PubCompFailed => "the QoS 2 publish failed at PUBCOMP",
            Self::PubAckFailed => "the QoS 1 publish failed at PUBACK",
            Self::SocketFailed => "the modem could not create a socket",
            Self::AuthRejected => "the broker rejected the user name or password",
            Self::ReconnectFailed => "automatic reconnection failed",
            Self::AckTimeout => "the broker did not acknowledge in time",
            Self::ConnectionLost => "the connection to the broker broke",
            Self::UnsubAckFailed => "the broker did not acknowledge the unsubscribe",
            Self::BadIncomingPubRel => "the modem could not decode an incoming PUBREL",
            Self::Disconnected => "the MQTT client is not connected",
            Self::UnsubscribeFailed => "unsubscribing failed",
            Self::Other(_) => "the modem reported an error",
        }
    }

    /// When sending the same request again can help (NETWORK.md §3 for the
    /// general codes; spec §4 for 600–621).
    pub const fn retry(self) -> Retry {
        match self {
            Self::InvalidParameter
            | Self::AlreadyConnected
            | Self::SubscribeRejected
            | Self::AlreadySubscribed
            | Self::AuthRejected
            | Self::UnsubscribeFailed
            | Self::OperationNotAllowed
            | Self::OperationNotSupported
            | Self::SimNotInserted
            | Self::SimPinRequired
            | Self::SimPukRequired
            | Self::SimFailure
            | Self::SimWrong
            | Self::GprsNotAllowed
            | Self::PlmnNotAllowed
            | Self::LocationAreaNotAllowed
            | Self::RoamingNotAllowed
            | Self::ServiceNotSubscribed
            | Self::PdpAuthenticationFailed => Retry::No,
            Self::SimBusy => Retry::AfterASecond,
            Self::NoNetworkService | Self::ServiceOutOfOrder => Retry::Later,
            Self::Unknown | Self::Other(_) => Retry::Maybe,
            _ => Retry::Yes,
        }
    }

    /// Whether sending the same request again (possibly after reconnecting) can help.
    ///
    /// `false` for errors that only a change of request, configuration,
    /// credentials or hardware can fix ([`Retry::No`]).
    pub const fn is_retryable(self) -> bool {
        !matches!(self.retry(), Retry::No)
    }
}

/// When retrying a request that failed with a [`CmeError`] can help.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Retry {
    /// Never: only a change of request, configuration, credentials or hardware helps.
    No,
    /// Yes, now (possibly after reconnecting).
    Yes,
    /// Yes, after about a second (a busy SIM).
    AfterASecond,
    /// Yes, later: the network has to come back first (tens of seconds).
    Later,
    /// Perhaps: the code says nothing about the cause.
    Maybe,
}

impl core::fmt::Display for CmeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{} (+CME ERROR: {})", self.describe(), self.code())
    }
}

/// Why a value passed by the caller was refused before any byte was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ValidationError {
    /// A string is longer than its limit (`max` bytes).
    TooLong {
        /// Which parameter.
        field: Field,
        /// Its limit in bytes.
        max: usize,
    },
    /// A string that must not be empty is empty.
    Empty {
        /// Which parameter.
        field: Field,
    },
    /// A string holds a byte the modem's quoting cannot carry (`"`, `\`, CR, LF,
    /// NUL, a control character, a non-ASCII byte, or `,` in a topic).
    ForbiddenByte {
        /// Which parameter.
        field: Field,
        /// The offending byte.
        byte: u8,
    },
    /// A topic that the modem would print back as a result code (`OK`, `ERROR`,
    /// `+CME ERROR…`) or a topic filter with wildcards where a topic name is required.
    BadTopic {
        /// Which parameter.
        field: Field,
    },
    /// A number is outside its range.
    OutOfRange {
        /// Which parameter.
        field: Field,
        /// Smallest allowed value.
        min: u32,
        /// Largest allowed value.
        max: u32,
    },
    /// Parameters that contradict each other (spec §2.2 consistency rules).
    Inconsistent {
        /// Which rule.
        rule: Rule,
    },
    /// The encoded command does not fit the command buffer.
    BufferTooSmall,
}

/// A consistency rule between parameters (spec §2.2, §2.6, NETWORK.md §2) that
/// a command's parameters broke: a value rather than a sentence, so that a
/// firmware does not carry the sentences ([`Rule::describe`] has them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Rule {
    /// The user flag requires a configured user name.
    UserFlagWithoutUser,
    /// The password flag requires a configured password.
    PasswordFlagWithoutPassword,
    /// The password flag requires the user flag.
    PasswordFlagWithoutUserFlag,
    /// Without a will, will retain, will QoS and the will strings must be empty.
    WillFieldsWithoutWill,
    /// The radio functionality is 0, 1 or 4.
    RadioFunctionality,
    /// The announced length must equal the payload length.
    AnnouncedLength,
    /// Encryption requires a version string.
    EncryptionWithoutVersion,
}

impl Rule {
    /// The rule in words.
    pub const fn describe(self) -> &'static str {
        match self {
            Self::UserFlagWithoutUser => "the user flag requires a configured user name",
            Self::PasswordFlagWithoutPassword => "the password flag requires a configured password",
            Self::PasswordFlagWithoutUserFlag => "the password flag requires the user flag",
            Self::WillFieldsWithoutWill => {
                "without a will, will retain, will QoS and the will strings must be empty"
            }
            Self::RadioFunctionality => "the radio functionality is 0, 1 or 4",
            Self::AnnouncedLength => "the announced length must equal the payload length",
            Self::EncryptionWithoutVersion => "encryption requires a version string",
        }
    }
}

/// The parameter a [`ValidationError`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Field {
    /// Broker host.
    Host,
    /// Broker port.
    Port,
    /// Client identifier.
    ClientId,
    /// Keep-alive interval.
    KeepAlive,
    /// User name.
    User,
    /// Password.
    Password,
    /// Platform version string.
    Version,
    /// Will topic.
    WillTopic,
    /// Will message.
    WillMessage,
    /// Topic or topic filter.
    Topic,
    /// Message payload.
    Payload,
    /// Quality of service.
    Qos,
    /// ACK time-out in seconds.
    AckTimeout,
    /// Access point name (`AT+CGDCONT`).
    Apn,
    /// PDP context identifier.
    Cid,
    /// Radio functionality (`AT+CFUN`).
    Functionality,
    /// Registration report mode (`AT+CEREG=` / `AT+CGREG=`).
    ReportMode,
    /// A parameter of `AT+VERCTRL=`.
    PdpMode,
    /// A whole command line the caller wrote (`send`, `send_raw`).
    Command,
}

impl core::fmt::Display for Field {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Field::Host => "host",
            Field::Port => "port",
            Field::ClientId => "client id",
            Field::KeepAlive => "keep-alive",
            Field::User => "user name",
            Field::Password => "password",
            Field::Version => "version",
            Field::WillTopic => "will topic",
            Field::WillMessage => "will message",
            Field::Topic => "topic",
            Field::Payload => "payload",
            Field::Qos => "QoS",
            Field::AckTimeout => "ACK time-out",
            Field::Apn => "APN",
            Field::Cid => "PDP context id",
            Field::Functionality => "radio functionality",
            Field::ReportMode => "registration report mode",
            Field::PdpMode => "PDP mode",
            Field::Command => "command line",
        })
    }
}

impl core::fmt::Display for ValidationError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::TooLong { field, max } => write!(f, "the {field} is longer than {max} bytes"),
            Self::Empty { field } => write!(f, "the {field} must not be empty"),
            Self::ForbiddenByte { field, byte } => {
                write!(
                    f,
                    "the {field} holds byte 0x{byte:02x}, which the modem cannot carry"
                )
            }
            Self::BadTopic { field } => write!(f, "the {field} is not a valid topic here"),
            Self::OutOfRange { field, min, max } => {
                write!(f, "the {field} must be between {min} and {max}")
            }
            Self::Inconsistent { rule } => {
                write!(f, "inconsistent parameters: {}", rule.describe())
            }
            Self::BufferTooSmall => f.write_str("the command does not fit the command buffer"),
        }
    }
}

/// What went wrong while framing the modem's output (spec §3.1). The digester
/// reports it and resynchronises at the next line end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum FramingError {
    /// A `+MQTTPUBLISH` header field was not a number in its range, or a separator
    /// was missing.
    BadPublishHeader,
    /// A `+MQTTPUBLISH` topic was unterminated, held CR/LF, or was too long.
    BadPublishTopic,
    /// The announced `+MQTTPUBLISH` length was not a number ≤ 65535.
    BadPublishLength,
    /// The two bytes after a `+MQTTPUBLISH` payload were not CR LF.
    BadPublishTerminator,
    /// A line was longer than the line buffer; it was skipped.
    LineTooLong,
}

impl core::fmt::Display for FramingError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::BadPublishHeader => "malformed +MQTTPUBLISH header",
            Self::BadPublishTopic => "malformed +MQTTPUBLISH topic",
            Self::BadPublishLength => "malformed +MQTTPUBLISH length",
            Self::BadPublishTerminator => "+MQTTPUBLISH payload not followed by CR LF",
            Self::LineTooLong => "line longer than the line buffer",
        })
    }
}

/// Every way a driver operation can fail.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Error {
    /// The modem answered `+CME ERROR: <n>`.
    #[error("{0}")]
    Cme(CmeError),
    /// The modem answered plain `ERROR` (or `+CME ERROR` without a code).
    #[error("the modem answered ERROR")]
    Modem,
    /// No complete answer arrived within the command's time-out.
    #[error("the modem did not answer in time")]
    Timeout,
    /// A caller-supplied value was refused before any byte was written.
    #[error("{0}")]
    Invalid(ValidationError),
    /// The modem's output could not be framed.
    #[error("{0}")]
    Framing(FramingError),
    /// The modem's answer had an unexpected shape.
    #[error("unexpected answer from the modem")]
    UnexpectedResponse,
    /// A buffer or queue was too small for what the modem sent.
    #[error("a buffer was too small")]
    Overflow,
    /// The broker refused the subscription (granted QoS 128 or `+CME ERROR: 605`).
    #[error("the broker refused the subscription")]
    SubscribeRejected,
    /// The operation needs a state the client is not in (for example publishing
    /// while not connected).
    #[error("the client is not in a state that allows this operation")]
    InvalidState,
    /// Another operation is still in progress.
    #[error("another operation is in progress")]
    Busy,
    /// The link to the broker was lost while the operation was pending.
    #[error("the connection to the broker was lost")]
    ConnectionLost,
    /// Reading from or writing to the serial port failed.
    #[error("serial port error: {0:?}")]
    Io(embedded_io::ErrorKind),
    /// The port reached the end of its stream: `read` returned 0 bytes (the
    /// device went away, the other end of a pipe or socket closed). Not
    /// retryable on this port: open it again and start a new client.
    #[error("the serial port was closed")]
    PortClosed,
    /// An [`crate::outbox::Outbox`] is full (queued messages and unread
    /// reports): read its reports or let it drain, then push again.
    #[error("the outbound queue is full")]
    QueueFull,
    /// At start-up the module refused this driver's MQTT commands and speaks
    /// another MQTT AT dialect (see [`crate::dialect`]): it needs other
    /// firmware or another driver. Not retryable.
    #[error("the module speaks another MQTT AT dialect ({0})")]
    WrongDialect(crate::dialect::Dialect),

    /// The module restarted while the command was pending (a boot line
    /// arrived): the command was lost with its state. See
    /// [`crate::Event::Restarted`]; `recover` brings the link back.
    #[error("the module restarted")]
    Restarted,
}

impl Error {
    /// Whether sending the same request again (possibly after reconnecting) can help.
    pub const fn is_retryable(&self) -> bool {
        match self {
            Error::Cme(c) => c.is_retryable(),
            Error::Modem => true,
            Error::Timeout => true,
            Error::Invalid(_) => false,
            Error::Framing(_) => true,
            Error::UnexpectedResponse => true,
            Error::Overflow => false,
            Error::SubscribeRejected => false,
            Error::InvalidState => true,
            Error::Busy => true,
            Error::ConnectionLost => true,
            Error::QueueFull => true,
            Error::Restarted => true,
            Error::Io(_) => true,
            Error::PortClosed => false,
            Error::WrongDialect(_) => false,
        }
    }
}

impl From<ValidationError> for Error {
    fn from(e: ValidationError) -> Self {
        Error::Invalid(e)
    }
}

impl From<CmeError> for Error {
    fn from(e: CmeError) -> Self {
        Error::Cme(e)
    }
}

impl From<FramingError> for Error {
    fn from(e: FramingError) -> Self {
        Error::Framing(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips() {
        for n in 0..=1000u16 {
            assert_eq!(CmeError::from_code(n).code(), n);
        }
        for n in 600..=621u16 {
            assert!(!matches!(CmeError::from_code(n), CmeError::Other(_)), "{n}");
        }
    }

    #[test]
    fn general_codes_and_their_retry_advice() {
        for (n, want, retry) in [
            (3, CmeError::OperationNotAllowed, Retry::No),
            (4, CmeError::OperationNotSupported, Retry::No),
            (10, CmeError::SimNotInserted, Retry::No),
            (11, CmeError::SimPinRequired, Retry::No),
            (12, CmeError::SimPukRequired, Retry::No),
            (13, CmeError::SimFailure, Retry::No),
            (14, CmeError::SimBusy, Retry::AfterASecond),
            (15, CmeError::SimWrong, Retry::No),
            (30, CmeError::NoNetworkService, Retry::Later),
            (31, CmeError::NetworkTimeout, Retry::Yes),
            (100, CmeError::Unknown, Retry::Maybe),
            (107, CmeError::GprsNotAllowed, Retry::No),
            (111, CmeError::PlmnNotAllowed, Retry::No),
            (112, CmeError::LocationAreaNotAllowed, Retry::No),
            (113, CmeError::RoamingNotAllowed, Retry::No),
            (133, CmeError::ServiceNotSubscribed, Retry::No),
            (134, CmeError::ServiceOutOfOrder, Retry::Later),
            (148, CmeError::UnspecifiedGprsError, Retry::Yes),
            (149, CmeError::PdpAuthenticationFailed, Retry::No),
            (5, CmeError::Other(5), Retry::Maybe),
            (622, CmeError::Other(622), Retry::Maybe),
        ] {
            let c = CmeError::from_code(n);
            assert_eq!(c, want, "{n}");
            assert_eq!(c.retry(), retry, "{n}");
            assert_eq!(c.is_retryable(), retry != Retry::No, "{n}");
            assert_eq!(c.code(), n);
        }
        assert_eq!(CmeError::SendFailed.retry(), Retry::Yes);
        assert_eq!(CmeError::AlreadySubscribed.retry(), Retry::No);
    }

    #[test]
    fn auth_rejection_is_not_retryable() {
        assert!(!Error::Cme(CmeError::AuthRejected).is_retryable());
        assert!(Error::Cme(CmeError::SendFailed).is_retryable());
    }

    #[test]
    fn a_closed_port_is_not_retryable() {
        assert!(!Error::PortClosed.is_retryable());
        assert!(Error::Io(embedded_io::ErrorKind::Other).is_retryable());
    }
}
