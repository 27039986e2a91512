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
//! for them (a late ACK is logged and dropped by the session). An unrecognised
//! `+MQTT…` line is [`Urc::Unknown`], reported rather than dropped.
//!
//! Lines that are not MQTT (NETWORK.md §2): `+CEREG:` / `+CGREG:`, `+CGEV:`,
//! `+CPIN:` and the boot lines `RDY`, `READY`, `+MATREADY`, `+SIM READY` are
//! events ([`Urc::Registration`], [`Urc::Pdp`], [`Urc::Sim`], [`Urc::Restarted`];
//! one of the first three whose fields do not parse is [`Urc::Unknown`]). A
//! `+CEREG:`, `+CGREG:` or `+CPIN:` line is also the answer of its query: the
//! reading here is for when no such query claims it. Any other line (echo, an
//! answer of another command, text) is `None` here: whether it is unsolicited
//! depends on what is pending, which only the session knows (it reports such a
//! line it did not expect as an unknown line, with its text).
//!
//! Like the digester, every function here is safe on any input: it never
//! panics, and it never reads outside the bytes it is given.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use crate::digest::{parse_header, Frame, Publish, MAX_TOPIC, PUBLISH_PREFIX_BYTES};
use crate::command::net::{Registration, SimState};
use crate::error::CmeError;
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
    /// `+CEREG:` / `+CGREG:`: the registration changed (reports on with
    /// `AT+CEREG=1` or `2`).
    Registration(Registration),
    /// `+CGEV:`: a PDP context was activated or deactivated, or the module
    /// was detached.
    Pdp(PdpEvent),
    /// `+CPIN:`: the SIM's state changed (`+CPIN: NOT READY`, `+CPIN: READY`).
    Sim(SimState),
    /// A boot line (`RDY`, `READY`, `+MATREADY`, `+SIM READY`): the module
    /// restarted; every module-side setting is gone (NETWORK.md §4).
    Restarted,
    /// A `+MQTT…` line this driver does not know, or a `+CEREG:`, `+CGREG:`,
    /// `+CGEV:` or `+CPIN:` line whose fields it cannot read: reported rather
    /// than dropped.
    Unknown(&'a [u8]),
}

/// Who changed a PDP context (`NW` or `ME` in `+CGEV:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Initiator {
    /// `NW`: the network.
    Network,
    /// `ME`: the module.
    Module,
}

/// A `+CGEV:` report (TS 27.007 §10.1.19) the driver reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum PdpEvent {
    /// `+CGEV: NW PDN ACT <cid>` / `+CGEV: ME PDN ACT <cid>[,…]`.
    Activated {
        /// Context id.
        cid: u8,
        /// Who activated it.
        by: Initiator,
    },
    /// `+CGEV: NW PDN DEACT <cid>` / `+CGEV: ME PDN DEACT <cid>`: the data link
    /// of that context is gone.
    Deactivated {
        /// Context id.
        cid: u8,
        /// Who deactivated it.
        by: Initiator,
    },
    /// `+CGEV: NW DETACH` / `+CGEV: ME DETACH`: detached from the packet domain.
    Detached {
        /// Who detached.
        by: Initiator,
    },
}

impl PdpEvent {
    /// Decodes one `+CGEV:` line; `None` for another line, another `+CGEV`
    /// report (bearer modifications, …) or a context id that does not parse.
    pub fn from_line(line: &[u8]) -> Option<Self> {
        let rest = line.strip_prefix(b"+CGEV:")?.trim_ascii();
        let (by, rest) = match rest.split_first_chunk::<3>()? {
            (b"NW ", rest) => (Initiator::Network, rest),
            (b"ME ", rest) => (Initiator::Module, rest),
            _ => return None,
        };
        let rest = rest.trim_ascii_start();
        if rest == b"DETACH" {
            return Some(Self::Detached { by });
        }
        let (activated, args) = if let Some(a) = rest.strip_prefix(b"PDN ACT ") {
            (true, a)
        } else {
            (false, rest.strip_prefix(b"PDN DEACT ")?)
        };
        // `<cid>`, then optional `,<reason>…` for ME PDN ACT.
        let cid = args.split(|&b| b == b',').next()?.trim_ascii();
        let cid = crate::line::Field::Bare(cid).u8()?;
        Some(if activated {
            Self::Activated { cid, by }
        } else {
            Self::Deactivated { cid, by }
        })
    }
}

/// Whether `line` is one of the boot lines a restarted module prints
/// (NETWORK.md §2: `RDY`, and the siblings' `READY`, `+MATREADY`, `+SIM READY`).
pub fn is_boot_line(line: &[u8]) -> bool {
    matches!(
        line.trim_ascii(),
        b"RDY" | b"READY" | b"+MATREADY" | b"+SIM READY"
    )
}

impl<'a> Urc<'a> {
    /// The unsolicited reading of a decoded line: what it means when no pending
    /// command claims it. `None` for answer-only shapes and text that is neither
    /// MQTT nor a network or boot line (see the module docs).
    pub fn from_line(line: &Line<'a>) -> Option<Urc<'a>> {
        Some(match *line {
            Line::To(n) => Urc::AckTimeout(TimeoutKind::from_code(n)),
            Line::Disc => Urc::Disconnected,
            Line::Open(ok) => Urc::Reopened(ok),
            Line::ReconnectAttempt(n) => Urc::ReconnectAttempt(n),
            Line::PubRel { dup, packet_id } => Urc::PubRel { dup, packet_id },
            Line::PingResp => Urc::PingResp,
            Line::UnknownMqtt(b) => Urc::Unknown(b),
            Line::Text(t) => return Urc::from_text(t),
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
            | Line::Reconnect { .. } => return None,
        })
    }

    /// The unsolicited reading of a line that is not `+MQTT…`: the network and
    /// boot lines, `None` for any other.
    fn from_text(t: &'a [u8]) -> Option<Urc<'a>> {
        if is_boot_line(t) {
            return Some(Urc::Restarted);
        }
        let (head, _) = t.split_first_chunk::<6>()?;
        Some(match head {
            b"+CEREG" | b"+CGREG" if t.get(6) == Some(&b':') => {
                match Registration::from_line(t) {
                    Some((_, r)) => Urc::Registration(r),
                    None => Urc::Unknown(t),
                }
            }
            b"+CGEV:" => PdpEvent::from_line(t).map_or(Urc::Unknown(t), Urc::Pdp),
            b"+CPIN:" => SimState::from_line(t).map_or(Urc::Unknown(t), Urc::Sim),
            _ => return None,
        })
    }

    /// The unsolicited reading of a frame: messages, `+CME ERROR: 609` / `619`,
    /// and lines through [`Urc::from_line`]. `None` for final results, the prompt
    /// and framing errors.
    pub fn from_frame(frame: &Frame<'a>) -> Option<Urc<'a>> {
        match *frame {
            Frame::Line(bytes) => Urc::from_line(&Line::parse(bytes)),
            Frame::Publish(p) => Some(Urc::Publish(p)),
            Frame::MessageTooLarge { topic, len } => Some(Urc::MessageTooLarge { topic, len }),
            Frame::Cme(code) => Urc::from_cme(CmeError::from_code(code)),
            Frame::Ok | Frame::Error | Frame::Prompt | Frame::Malformed(_) => None,
        }
    }

    /// The unsolicited reading of a `+CME ERROR`: the two codes that concern
    /// packets the broker sent and so never end a command (spec §3.9).
    pub const fn from_cme(code: CmeError) -> Option<Urc<'static>> {
        match code {
            CmeError::BadIncomingPublish => Some(Urc::BadIncomingPublish),
            CmeError::BadIncomingPubRel => Some(Urc::BadIncomingPubRel),
            _ => None,
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

    /// `from_frame` of a line is `from_line` of its decoding.
    fn same_as_general(l: &[u8]) {
        assert_eq!(
            Urc::from_frame(&Frame::Line(l)),
            Urc::from_line(&Line::parse(l)),
            "{:?}",
            core::str::from_utf8(l)
        );
    }

    #[test]
    fn from_frame_of_lines() {
        for (l, want) in [
            (&b"+MQTTPUBACK: 0,12345"[..], None),
            (b"+MQTTPUBREC:1,7", None),
            (b"+MQTTPUBCOMP: 0,65535", None),
            (b"+MQTTSUBACK: 4321,1,\"pyr\"", None),
            (b"+MQTTSUBACK:1,1,\"\xc3\xa9\"", None),
            (b"+MQTTUNSUBACK: 7,\"sensors/room-12/temp\"", None),
            (b"+MQTTPINGRSP: OK", Some(Urc::PingResp)),
            (b"+MQTTPINGRSP:OK", Some(Urc::PingResp)),
            (b"+MQTTPINGRESP:OK", Some(Urc::PingResp)),
            (b"+MQTTPINGRESP: OK", Some(Urc::PingResp)),
            (b"+MQTTPINGRSP:  OK ", Some(Urc::PingResp)),
            (
                b"+MQTTPUBREL: 1,7",
                Some(Urc::PubRel {
                    dup: true,
                    packet_id: 7,
                }),
            ),
            (b"+MQTTTO: 5", Some(Urc::AckTimeout(TimeoutKind::Ping))),
            (b"+MQTTDISC: OK", Some(Urc::Disconnected)),
            (b"AT+MQTTPING=0", None),
        ] {
            assert_eq!(
                Urc::from_frame(&Frame::Line(l)),
                want,
                "{:?}",
                core::str::from_utf8(l)
            );
            same_as_general(l);
        }
        // Malformed ACK lines stay reported as unknown.
        for l in [
            &b"+MQTTPUBACK: 0,65536"[..],
            b"+MQTTPUBACK: 2,5",
            b"+MQTTPUBACK: 0,5x",
            b"+MQTTSUBACK: 4321,1,\"\xff\"",
            b"+MQTTSUBACK: 4321,256,\"pyr\"",
            b"+MQTTUNSUBACK: 70000,pyr",
            b"+MQTTPINGRSP: FAIL",
        ] {
            assert_eq!(
                Urc::from_frame(&Frame::Line(l)),
                Some(Urc::Unknown(l)),
                "{:?}",
                core::str::from_utf8(l)
            );
            same_as_general(l);
        }
    }

    /// Starts of the lines of the property test below.
    const HEADS: &[&[u8]] = &[
        b"+MQTTPUBACK:",
        b"+MQTTPUBREC: ",
        b"+MQTTPUBCOMP:",
        b"+MQTTPUBREL:",
        b"+MQTTSUBACK: ",
        b"+MQTTUNSUBACK:",
        b"+MQTTPINGRSP:",
        b"+MQTTPINGRESP: ",
        b"+MQTTPINGRESP",
        b"+MQTTSUBACK",
        b"+MQTT",
        b"",
    ];

    /// Bytes of their tails.
    const TAIL_BYTES: &[u8] = &[
        b'0', b'1', b'5', b'6', b'9', b',', b' ', b'"', b'O', b'K', b'a', b'/', b':', 0xc3, 0xa9,
        0xff, 0x80,
    ];

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(4096))]
        #[test]
        fn from_frame_agrees_with_from_line(
            head in proptest::sample::select(HEADS),
            tail in proptest::collection::vec(proptest::sample::select(TAIL_BYTES), 0..24),
        ) {
            same_as_general(&[head, &tail[..]].concat());
        }
    }
}
