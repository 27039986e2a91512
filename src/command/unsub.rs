//! `AT+MQTTUNSUB`: unsubscribe one topic filter (spec §2.5).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use super::{ack_based_timeout, decode_lines, write_line, Command, Param};
use crate::error::{Error, Field};
use crate::line::Line;
use crate::text::{TopicFilter, MAX_TOPIC};
use atat::atat_derive::AtatCmd;

/// `AT+MQTTUNSUB=<topic>`: unsubscribe a filter, exactly as it was subscribed.
/// Answer: `+MQTTUNSUBACK:<packId>,<topic>` and `OK` ([`UnsubAckResponse`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, AtatCmd)]
#[at_cmd(
    "+MQTTUNSUB",
    UnsubAckResponse,
    parse = UnsubAckResponse::parse,
    timeout_ms = 20000,
    termination = "\r\n"
)]
pub struct Unsubscribe<'a> {
    topic: TopicFilter<'a>,
}

impl<'a> Unsubscribe<'a> {
    /// Unsubscribes `topic`.
    pub const fn new(topic: TopicFilter<'a>) -> Self {
        Self { topic }
    }

    /// The topic filter.
    pub const fn topic(&self) -> TopicFilter<'a> {
        self.topic
    }
}

impl Command for Unsubscribe<'_> {
    fn encode(&self, buf: &mut [u8]) -> Result<usize, Error> {
        write_line(
            buf,
            Field::Topic,
            b"AT+MQTTUNSUB=",
            &[Param::Text(self.topic.as_str())],
        )
    }

    /// ACK time-out + 10 s.
    fn timeout_ms(&self, ack_timeout_s: u16) -> u32 {
        ack_based_timeout(ack_timeout_s, 1)
    }
}

/// What the body of an `AT+MQTTUNSUB=` answer says.
#[derive(Debug, Clone, PartialEq, Eq)]
// Owned strings sized by the spec; one value per answer, never stored in bulk.
#[allow(clippy::large_enum_variant)]
pub enum UnsubAckResponse {
    /// `+MQTTUNSUBACK`.
    Acked {
        /// Packet id the module chose.
        packet_id: u16,
        /// The topic as echoed (quotes stripped).
        topic: heapless::String<MAX_TOPIC>,
    },
    /// `OK` came without the ACK line: it arrives later as a separate line.
    Unconfirmed,
}

impl atat::AtatResp for UnsubAckResponse {}

impl UnsubAckResponse {
    /// Picks the `+MQTTUNSUBACK:` line out of decoded lines.
    pub fn from_lines<'l>(lines: impl IntoIterator<Item = Line<'l>>) -> Result<Self, Error> {
        match lines.into_iter().find_map(|l| match l {
            Line::UnsubAck { packet_id, topic } => Some((packet_id, topic)),
            _ => None,
        }) {
            Some((packet_id, topic)) => Ok(Self::Acked {
                packet_id,
                topic: heapless::String::try_from(topic).map_err(|_| Error::Overflow)?,
            }),
            None => Ok(Self::Unconfirmed),
        }
    }

    /// Parses a response body (the lines before the final `OK`).
    pub fn parse(body: &[u8]) -> Result<Self, Error> {
        Self::from_lines(decode_lines(body))
    }
}
