//! `AT+MQTTSUB`: subscribe one topic filter, or list the subscriptions (spec §2.4).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use super::{
    ack_based_timeout, body_lines, qos, write_bare, write_line, Command, Param, QosArg,
    LOCAL_TIMEOUT_MS,
};
use crate::error::{Error, Field};
use crate::line::Line;
use crate::text::{TopicFilter, MAX_TOPIC};
use crate::types::QoS;
use atat::atat_derive::AtatCmd;

/// The `<code>` of `+MQTTSUBACK` that means the broker refused (spec §2.4).
pub const SUBACK_REFUSED: u8 = 128;

/// `AT+MQTTSUB=<topic>,<qos>`: subscribe one topic filter. Answer:
/// `+MQTTSUBACK:<packId>,<code>,<topic>` and `OK` ([`SubAckResponse`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, AtatCmd)]
#[at_cmd(
    "+MQTTSUB",
    SubAckResponse,
    parse = SubAckResponse::parse,
    timeout_ms = 20000,
    termination = "\r\n"
)]
pub struct Subscribe<'a> {
    topic: TopicFilter<'a>,
    qos: QosArg,
}

impl<'a> Subscribe<'a> {
    /// Subscribes `topic` with the requested QoS.
    pub const fn new(topic: TopicFilter<'a>, qos: QoS) -> Self {
        Self {
            topic,
            qos: QosArg(qos),
        }
    }

    /// The topic filter.
    pub const fn topic(&self) -> TopicFilter<'a> {
        self.topic
    }

    /// The requested QoS.
    pub const fn qos(&self) -> QoS {
        self.qos.0
    }
}

impl Command for Subscribe<'_> {
    fn encode(&self, buf: &mut [u8]) -> Result<usize, Error> {
        write_line(
            buf,
            Field::Topic,
            b"AT+MQTTSUB=",
            &[Param::Text(self.topic.as_str()), qos(self.qos.0)],
        )
    }

    /// ACK time-out + 10 s.
    fn timeout_ms(&self, ack_timeout_s: u16) -> u32 {
        ack_based_timeout(ack_timeout_s, 1)
    }
}

/// What the body of an `AT+MQTTSUB=` answer says.
#[derive(Debug, Clone, PartialEq, Eq)]
// Owned strings sized by the spec; one value per answer, never stored in bulk.
#[allow(clippy::large_enum_variant)]
pub enum SubAckResponse {
    /// `+MQTTSUBACK` with a granted QoS.
    Granted {
        /// Packet id the module chose.
        packet_id: u16,
        /// QoS the broker granted.
        qos: QoS,
        /// The topic as echoed (quotes stripped).
        topic: heapless::String<MAX_TOPIC>,
    },
    /// `OK` came without a `+MQTTSUBACK` line (one real trace prints it after
    /// `OK`): the ACK arrives later as a separate line.
    Unconfirmed,
}

impl atat::AtatResp for SubAckResponse {}

impl SubAckResponse {
    /// Picks the `+MQTTSUBACK:` line out of decoded lines. A refusal (code 128)
    /// is [`Error::SubscribeRejected`] (T-45), any other code not 0–2
    /// [`Error::UnexpectedResponse`].
    pub fn from_lines<'l>(lines: impl IntoIterator<Item = Line<'l>>) -> Result<Self, Error> {
        let ack = lines.into_iter().find_map(|l| match l {
            Line::SubAck {
                packet_id,
                code,
                topic,
            } => Some((packet_id, code, topic)),
            _ => None,
        });
        let Some((packet_id, code, topic)) = ack else {
            return Ok(Self::Unconfirmed);
        };
        if code == SUBACK_REFUSED {
            return Err(Error::SubscribeRejected);
        }
        let qos = QoS::from_u8(code).ok_or(Error::UnexpectedResponse)?;
        Ok(Self::Granted {
            packet_id,
            qos,
            topic: heapless::String::try_from(topic).map_err(|_| Error::Overflow)?,
        })
    }

    /// Parses a response body (the lines before the final `OK`).
    pub fn parse(body: &[u8]) -> Result<Self, Error> {
        Self::from_lines(super::decode_lines(body))
    }
}

/// Entries the [`QuerySubscriptions`] answer has room for.
pub const MAX_SUBSCRIPTIONS: usize = 8;

/// `AT+MQTTSUB?`: list the module's subscriptions. Answer: the `+MQTTSUB:` header,
/// one line per topic, `OK` ([`SubscriptionList`] of up to
/// [`MAX_SUBSCRIPTIONS`] entries; parse a body with
/// [`SubscriptionList::parse`] for another capacity).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, AtatCmd)]
#[at_cmd(
    "+MQTTSUB?",
    SubscriptionList<MAX_SUBSCRIPTIONS>,
    parse = SubscriptionList::<MAX_SUBSCRIPTIONS>::parse,
    value_sep = false,
    timeout_ms = 5000,
    termination = "\r\n"
)]
pub struct QuerySubscriptions;

impl Command for QuerySubscriptions {
    fn encode(&self, buf: &mut [u8]) -> Result<usize, Error> {
        write_bare(b"AT+MQTTSUB?", Field::Topic, buf)
    }

    fn timeout_ms(&self, _ack_timeout_s: u16) -> u32 {
        LOCAL_TIMEOUT_MS
    }
}

/// One entry of the `AT+MQTTSUB?` list: `<topic>` or `<topic>,<qos>` (spec §2.4,
/// A19).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionEntry {
    /// The topic filter, as printed.
    pub topic: heapless::String<MAX_TOPIC>,
    /// The QoS, when the module prints one.
    pub qos: Option<QoS>,
}

impl SubscriptionEntry {
    /// Decodes one entry line with [`crate::line::parse_sub_entry`]: `topic` or
    /// `topic,qos`. `None` if the entry is invalid or its topic longer than 512
    /// bytes.
    pub fn parse(line: &[u8]) -> Option<Self> {
        let (topic, qos) = crate::line::parse_sub_entry(line)?;
        Some(Self {
            topic: heapless::String::try_from(topic).ok()?,
            qos,
        })
    }
}

/// The answer to `AT+MQTTSUB?`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SubscriptionList<const N: usize = MAX_SUBSCRIPTIONS> {
    /// The subscriptions, in the module's order.
    pub entries: heapless::Vec<SubscriptionEntry, N>,
}

impl<const N: usize> atat::AtatResp for SubscriptionList<N> {}

impl<const N: usize> SubscriptionList<N> {
    /// Builds the list from the raw lines of the answer: everything after the
    /// `+MQTTSUB:` header that [`Line::parse`] reports as [`Line::Text`] is an
    /// entry; `+MQTT…:` lines (URCs), network and boot lines and other `+…` lines
    /// no topic filter can be are skipped (spec §3.10). No header is an
    /// unexpected answer; more than `N` entries is [`Error::Overflow`].
    pub fn from_raw_lines<'l>(lines: impl IntoIterator<Item = &'l [u8]>) -> Result<Self, Error> {
        let mut seen_header = false;
        let mut entries = heapless::Vec::new();
        for raw in lines {
            match Line::parse(raw) {
                Line::SubListHeader => seen_header = true,
                Line::Text(text) if seen_header => {
                    // Network and boot lines are events, never entries (NETWORK.md §2).
                    if crate::urc::Urc::from_line(&Line::Text(text)).is_some() {
                        continue;
                    }
                    match SubscriptionEntry::parse(text) {
                        Some(entry) => entries.push(entry).map_err(|_| Error::Overflow)?,
                        // `+…`: a line no topic filter can be (another URC).
                        None if text.starts_with(b"+") => {}
                        None => return Err(Error::UnexpectedResponse),
                    }
                }
                _ => {}
            }
        }
        if seen_header {
            Ok(Self { entries })
        } else {
            Err(Error::UnexpectedResponse)
        }
    }

    /// Parses a response body (the lines before the final `OK`).
    pub fn parse(body: &[u8]) -> Result<Self, Error> {
        Self::from_raw_lines(body_lines(body))
    }
}
