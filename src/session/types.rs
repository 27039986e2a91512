//! Values the session hands to the caller: state, messages, events, outcomes.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use heapless::{String, Vec};

use crate::command::net::{Registration, SimState};
use crate::error::{CmeError, FramingError};
use crate::types::{QoS, TimeoutKind};
use crate::urc::PdpEvent;

/// The connection state the client tracks itself (spec §5.2); it does not trust
/// `AT+MQTTSTAT?` alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum LinkState {
    /// No MQTT client configured in the module (power-up, after `AT+MQTTDEL`).
    NoClient,
    /// Configured, no broker connection.
    Idle,
    /// `AT+MQTTOPEN` is pending.
    Opening,
    /// The broker accepted the connection.
    Connected,
    /// The module is re-establishing the connection on its own.
    Reconnecting,
}

/// An incoming message, copied out of the modem's `+MQTTPUBLISH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message<const TOPIC: usize, const PAYLOAD: usize> {
    /// Topic name.
    pub topic: String<TOPIC>,
    /// Payload, byte-exact.
    pub payload: Vec<u8, PAYLOAD>,
    /// QoS the broker delivered it with.
    pub qos: QoS,
    /// Whether it is a retained message.
    pub retained: bool,
    /// DUP flag.
    pub dup: bool,
    /// Packet id chosen by the broker (0 for QoS 0).
    pub packet_id: u16,
}

/// What the client hands out of its inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming<const TOPIC: usize, const PAYLOAD: usize> {
    /// A complete message.
    Message(Message<TOPIC, PAYLOAD>),
    /// A message whose payload was larger than the payload buffer: it was
    /// consumed and discarded; its topic (truncated to the topic buffer if it had
    /// to be) and length are reported here.
    TooLarge {
        /// Topic of the message.
        topic: String<TOPIC>,
        /// Announced payload length in bytes.
        len: usize,
    },
}

/// Something that happened on the link, for the caller to observe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Event {
    /// The broker answered a keep-alive ping (`+MQTTPINGRSP`).
    PingResp,
    /// `+MQTTTO: <type>` outside a command: an acknowledgement did not arrive.
    AckTimeout(TimeoutKind),
    /// `+MQTTREC:<n>`: the module's automatic reconnect attempt n (from 0).
    ReconnectAttempt(u16),
    /// The module reconnected on its own (unsolicited `+MQTTOPEN:OK`).
    /// Subscriptions are re-issued by the client.
    Reconnected,
    /// An automatic reconnect attempt was refused (unsolicited `+MQTTOPEN:FAIL`).
    ReconnectRefused,
    /// The module gave the connection up (unsolicited `+MQTTDISC: OK`): call
    /// `connect` again to reopen it.
    Disconnected,
    /// `+MQTTPUBREL` for an incoming QoS 2 message, already delivered.
    PubRel {
        /// Packet id of the released message.
        packet_id: u16,
    },
    /// An unsolicited `+CME ERROR` ([`CmeError::BadIncomingPublish`],
    /// [`CmeError::BadIncomingPubRel`]).
    ModemError(CmeError),
    /// The modem's output could not be framed; the digester resynchronised.
    Framing(FramingError),
    /// The inbox was full: this many messages were refused since the last such
    /// event (oldest kept, newest dropped, see the client docs).
    MessagesDropped(u32),
    /// Events were lost because the event queue was full; this many.
    EventsDropped(u32),
    /// A line no pending command expected and the driver does not know: an
    /// unknown `+MQTT…` line, another command's answer, text (its start).
    UnknownLine(LineText),
    /// All subscriptions were re-issued after a reconnection (this many).
    Resubscribed(u16),
    /// `+CEREG:` / `+CGREG:` outside a registration query: the registration
    /// changed (reports on with `AT+CEREG=1` or `2`).
    Registration(Registration),
    /// `+CGEV:`: a PDP context was activated or deactivated, or the module was
    /// detached. A deactivated context takes the data link, and so the MQTT
    /// connection, with it.
    Pdp(PdpEvent),
    /// `+CPIN:` outside a SIM query: the SIM's state changed.
    Sim(SimState),
    /// The module restarted: a boot line (`RDY`, …), or the module reported
    /// no MQTT client (`AT+MQTTCFG?` with `"(null)"`, `AT+MQTTSTAT?` refused)
    /// while the session knew one. It lost its MQTT client, every setting
    /// and the command in flight (which ends with [`crate::Error::Restarted`]);
    /// the link state is now [`LinkState::NoClient`], the subscription table
    /// and the host-side configuration are kept. Queued once per restart.
    /// `recover` brings the link back (or start, configure and connect again).
    Restarted,
}

/// How many bytes of an unknown line [`Event::UnknownLine`] keeps: enough for
/// the line's prefix (`+CSQ: 20,99`), small enough that an [`Event`] stays
/// 16 bytes.
pub const LINE_TEXT: usize = 14;

/// The start of a line, at most [`LINE_TEXT`] bytes, and the line's length.
#[derive(Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct LineText {
    bytes: [u8; LINE_TEXT],
    /// The line's length, saturating at 255.
    len: u8,
}

impl LineText {
    /// Keeps the first [`LINE_TEXT`] bytes of `line`.
    pub fn new(line: &[u8]) -> Self {
        let mut bytes = [0u8; LINE_TEXT];
        for (d, s) in bytes.iter_mut().zip(line) {
            *d = *s;
        }
        Self {
            bytes,
            len: u8::try_from(line.len()).unwrap_or(u8::MAX),
        }
    }

    /// The bytes kept.
    pub fn as_bytes(&self) -> &[u8] {
        let kept = usize::from(self.len).min(LINE_TEXT);
        self.bytes.get(..kept).unwrap_or_default()
    }

    /// The whole line's length in bytes (saturating at 255).
    pub const fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether the line was empty.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether bytes were cut off.
    pub const fn is_truncated(&self) -> bool {
        self.len as usize > LINE_TEXT
    }
}

impl core::fmt::Debug for LineText {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "\"{}", self.as_bytes().escape_ascii())?;
        if self.is_truncated() {
            write!(f, "…({} bytes)", self.len)?;
        }
        f.write_str("\"")
    }
}

/// The result of a subscribe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Subscribed {
    /// Packet id the module used, or `None` when the module said the topic was
    /// already subscribed ([`CmeError::AlreadySubscribed`], treated as success).
    pub packet_id: Option<u16>,
    /// QoS the broker granted (the requested QoS when `packet_id` is `None`).
    pub granted: QoS,
}

/// The result of a publish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Published {
    /// Packet id from `+MQTTPUBACK` / `+MQTTPUBCOMP` (`None` at QoS 0).
    pub packet_id: Option<u16>,
    /// Whether the payload went in length mode (`>` prompt) rather than inline.
    pub length_mode: bool,
}

/// The module's configuration as `AT+MQTTCFG?` printed it (the password is
/// never printed), borrowed from the session's command buffer.
pub type ReportedConfig<'a> = crate::line::CfgLine<'a>;

/// One entry of `AT+MQTTSUB?`, borrowed from the session's command buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SubscriptionEntry<'a> {
    /// Topic filter.
    pub topic: &'a str,
    /// QoS, when the module prints it.
    pub qos: Option<QoS>,
}

/// Counters of what the client had to discard or could not place, so that nothing
/// is lost without a trace.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Stats {
    /// Messages refused because the inbox was full.
    pub messages_dropped: u32,
    /// Messages too large for the payload buffer (each also reported in the inbox).
    pub messages_too_large: u32,
    /// Events lost because the event queue was full.
    pub events_dropped: u32,
    /// Framing errors reported by the digester.
    pub framing_errors: u32,
    /// Lines or final results that belonged to no pending command (late answers).
    pub stray_lines: u32,
    /// Automatic reconnect attempts seen.
    pub reconnect_attempts: u32,
}
