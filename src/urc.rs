//! Unsolicited result codes: what the module reports on its own (spec §1.2, §3).
//!
//! A line is an event only when no pending command claims it (spec §3.10): the
//! session first offers each [`Frame`] to the pending command and reads it with
//! [`Urc::from_frame`] otherwise. Two frames are always events, pending command or
//! not: `+MQTTPUBLISH` and `+CME ERROR: 609` / `619` (spec §3.9).
//!
//! Decisions for lines that are answers by shape (spec §3.8, §3.10):
//! `+MQTTCFG`, `+MQTTSTAT`, `+MQTTSUB:` header, `+MQTTSUBACK`, `+MQTTUNSUBACK`,
//! `+MQTTPUBACK`, `+MQTTPUBREC`, `+MQTTPUBCOMP`, `+MQTTPING: <n>` and the two-field
//! `+MQTTREC: a,b` have no unsolicited meaning: [`Urc::from_line`] returns `None`
//! for them (a late ACK is logged and dropped by the session), as for any line that
//! is not `+MQTT…` (echo, other modems' URCs, which the driver ignores). An
//! unrecognised `+MQTT…` line is [`Urc::Unknown`], reported rather than dropped.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use crate::digest::{parse_header, Frame, Publish, MAX_TOPIC, PUBLISH_PREFIX_BYTES};
use crate::line::Line;
use crate::types::TimeoutKind;

/// Every unsolicited line the module prints (spec §1.2, §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Urc<'a> {
    /// `+MQTTPUBLISH`: an incoming message.
    Publish(Publish<'a>),
    /// `+MQTTPUBLISH` whose payload did not fit the buffer: consumed and reported.
    MessageTooLarge {
        /// Topic of the message.
        topic: &'a str,
        /// Its announced length.
        len: usize,
    },
    /// `+MQTTPUBREL: <dup>,<packId>`: the broker released a QoS 2 message.
    PubRel {
        /// DUP flag.
        dup: bool,
        /// Packet id of the released message.
        packet_id: u16,
    },
    /// `+MQTTPINGRSP: OK` / `+MQTTPINGRESP:OK`: a keep-alive answered.
    PingResp,
    /// `+MQTTTO: <type>`: an ACK time-out.
    AckTimeout(TimeoutKind),
    /// `+MQTTREC:<n>`: automatic reconnect attempt n (from 0).
    ReconnectAttempt(u16),
    /// `+MQTTDISC: OK` outside `AT+MQTTDISC`: the module gave up the connection.
    Disconnected,
    /// `+MQTTOPEN:OK` / `+MQTTOPEN:FAIL` outside `AT+MQTTOPEN`: result of an
    /// automatic reconnect.
    Reopened(bool),
    /// `+CME ERROR: 609`: the module could not decode an incoming PUBLISH.
    BadIncomingPublish,
    /// `+CME ERROR: 619`: the module could not decode an incoming PUBREL.
    BadIncomingPubRel,
    /// A `+MQTT…` line this driver does not know, reported rather than dropped.
    Unknown(&'a [u8]),
}

/// The `+CME ERROR` code the module prints for an undecodable incoming PUBLISH.
pub const CME_BAD_INCOMING_PUBLISH: u16 = 609;
/// The `+CME ERROR` code the module prints for an undecodable incoming PUBREL.
pub const CME_BAD_INCOMING_PUBREL: u16 = 619;

impl<'a> Urc<'a> {
    /// The unsolicited reading of a decoded line: what it means when no pending
    /// command claims it. `None` for answer-only shapes and non-`+MQTT` text (see
    /// the module docs).
    pub fn from_line(line: &Line<'a>) -> Option<Urc<'a>> {
        Some(match *line {
            Line::To(n) => Urc::AckTimeout(TimeoutKind::from_code(n)),
            Line::Disc => Urc::Disconnected,
            Line::Open(ok) => Urc::Reopened(ok),
            Line::ReconnectAttempt(n) => Urc::ReconnectAttempt(n),
            Line::PubRel { dup, packet_id } => Urc::PubRel { dup, packet_id },
            Line::PingResp => Urc::PingResp,
            Line::UnknownMqtt(b) => Urc::Unknown(b),
            Line::Cfg(_)
            | Line::CfgNoClient
            | Line::Stat(_)
            | Line::SubAck { .. }
            | Line::SubListHeader
            | Line::UnsubAck { .. }
            | Line::PubAck { .. }
            | Line::PubRec { .. }
            | Line::PubComp { .. }
            | Line::PingEcho(_)
            | Line::Reconnect { .. }
            | Line::Text(_) => return None,
        })
    }

    /// The unsolicited reading of a frame: messages, `+CME ERROR: 609` / `619`,
    /// and lines through [`Urc::from_line`]. `None` for final results, the prompt
    /// and framing errors.
    pub fn from_frame(frame: &Frame<'a>) -> Option<Urc<'a>> {
        match *frame {
            Frame::Publish(p) => Some(Urc::Publish(p)),
            Frame::MessageTooLarge { topic, len } => Some(Urc::MessageTooLarge { topic, len }),
            Frame::Cme(CME_BAD_INCOMING_PUBLISH) => Some(Urc::BadIncomingPublish),
            Frame::Cme(CME_BAD_INCOMING_PUBREL) => Some(Urc::BadIncomingPubRel),
            Frame::Line(bytes) => Urc::from_line(&Line::parse(bytes)),
            Frame::Ok | Frame::Error | Frame::Cme(_) | Frame::Prompt | Frame::Malformed(_) => None,
        }
    }

    /// Decodes one whole URC as the module prints it, e.g.
    /// `b"\r\n+MQTTPUBLISH: 0,0,0,0,\"t\",3,abc\r\n"` or `b"\r\n+MQTTTO: 5\r\n"`
    /// (leading and trailing CR/LF optional), without a [`crate::Digester`].
    ///
    /// The payload of a `+MQTTPUBLISH` is taken by its length and borrowed from
    /// `bytes` (no size limit but the 65535 of the length field); only CR/LF may
    /// follow it. Returns `None` for anything that is not exactly one URC.
    ///
    /// ```
    /// use ml302::Urc;
    ///
    /// let urc = Urc::parse(b"\r\n+MQTTPUBLISH:0,1,0,1,pyr,5,a\r\nbc\r\n").unwrap();
    /// let Urc::Publish(p) = urc else { panic!() };
    /// assert_eq!((p.topic, p.payload), ("pyr", &b"a\r\nbc"[..]));
    /// assert_eq!(Urc::parse(b"+MQTTPINGRSP: OK"), Some(Urc::PingResp));
    /// ```
    pub fn parse(bytes: &'a [u8]) -> Option<Urc<'a>> {
        let start = bytes.iter().position(|&b| b != b'\r' && b != b'\n')?;
        let s = bytes.get(start..)?;
        if let Some(h) = s.strip_prefix(PUBLISH_PREFIX_BYTES) {
            let (header, body) = parse_header(h, MAX_TOPIC)?;
            let end = body.checked_add(header.msg_len)?;
            let payload = h.get(body..end)?;
            let tail = h.get(end..)?;
            if !(tail.is_empty() || tail.starts_with(b"\r\n"))
                || tail.iter().any(|&b| b != b'\r' && b != b'\n')
            {
                return None;
            }
            let topic = core::str::from_utf8(h.get(header.topic)?).ok()?;
            return Some(Urc::Publish(Publish {
                dup: header.dup,
                qos: header.qos,
                retained: header.retained,
                packet_id: header.packet_id,
                topic,
                payload,
            }));
        }
        let end = s
            .iter()
            .position(|&b| b == b'\r' || b == b'\n')
            .unwrap_or(s.len());
        let (line, tail) = s.split_at_checked(end)?;
        if tail.iter().any(|&b| b != b'\r' && b != b'\n') {
            return None;
        }
        let frame = crate::digest::classify_line(line);
        Urc::from_frame(&frame)
    }
}

#[cfg(test)]
#[allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::panic,
    clippy::arithmetic_side_effects
)]
mod tests {
    use super::*;
    use crate::types::QoS;

    #[test]
    fn solicited_shapes_are_not_events() {
        for l in [
            &b"+MQTTPUBACK:0,5"[..],
            b"+MQTTSUBACK:2,2,dev/gsm/u",
            b"+MQTTREC: 1,0",
            b"+MQTTSTAT: 1",
            b"+MQTTSUB:",
            b"AT+MQTTPING=0",
        ] {
            assert_eq!(Urc::from_line(&Line::parse(l)), None, "{:?}", l);
        }
    }

    #[test]
    fn parse_rejects_two_urcs_and_bad_tails() {
        assert_eq!(Urc::parse(b"\r\n+MQTTTO: 5\r\n+MQTTTO: 5\r\n"), None);
        assert_eq!(
            Urc::parse(b"\r\n+MQTTPUBLISH: 0,0,0,0,\"t\",3,abcd\r\n"),
            None
        );
        assert_eq!(Urc::parse(b"\r\n+MQTTPUBLISH: 0,0,0,0,\"t\",3,ab"), None);
        assert_eq!(Urc::parse(b"\r\n\r\n"), None);
        assert_eq!(Urc::parse(b"\r\nOK\r\n"), None);
    }

    #[test]
    fn parse_cme_events() {
        assert_eq!(
            Urc::parse(b"\r\n+CME ERROR: 609\r\n"),
            Some(Urc::BadIncomingPublish)
        );
        assert_eq!(Urc::parse(b"+CME ERROR:619"), Some(Urc::BadIncomingPubRel));
        assert_eq!(Urc::parse(b"+CME ERROR: 603"), None);
    }

    #[test]
    fn parse_publish_own_line_form() {
        let u = Urc::parse(b"\r\n+MQTTPUBLISH: 0,2,1,9,\"a b\",5\r\nhello\r\n").unwrap();
        assert_eq!(
            u,
            Urc::Publish(Publish {
                dup: false,
                qos: QoS::ExactlyOnce,
                retained: true,
                packet_id: 9,
                topic: "a b",
                payload: b"hello",
            })
        );
    }
}
