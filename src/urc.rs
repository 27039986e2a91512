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

use crate::command::net::{Registration, SimState};
use crate::digest::{parse_header, Frame, Publish, MAX_TOPIC, PUBLISH_PREFIX_BYTES};
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
    const BOOT: [&[u8]; 4] = [b"RDY", b"READY", b"+MATREADY", b"+SIM READY"];
    BOOT.contains(&line.trim_ascii())
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
        // Every network report starts with `+C`: an echo or any other line
        // stops here, without trying each decoder.
        if !t.starts_with(b"+C") {
            return None;
        }
        // Each decoder checks its own line head.
        if let Some((_, r)) = Registration::from_line(t) {
            return Some(Urc::Registration(r));
        }
        if let Some(e) = PdpEvent::from_line(t) {
            return Some(Urc::Pdp(e));
        }
        if let Some(s) = SimState::from_line(t) {
            return Some(Urc::Sim(s));
        }
        // A network report whose fields do not parse.
        let heads: [&[u8]; 4] = [b"+CEREG:", b"+CGREG:", b"+CGEV:", b"+CPIN:"];
        heads
            .iter()
            .any(|head| t.starts_with(head))
            .then_some(Urc::Unknown(t))
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
            let topic = crate::text::utf8(h.get(header.topic)?)?;
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

    use crate::command::net::{Domain, Location, RegStatus};

    fn urc(l: &[u8]) -> Option<Urc<'_>> {
        Urc::from_frame(&Frame::Line(l))
    }

    fn reg(domain: Domain, code: u8, location: Option<Location>) -> Option<Urc<'static>> {
        Some(Urc::Registration(Registration {
            domain,
            status: RegStatus::from_code(code),
            location,
        }))
    }

    #[test]
    fn registration_lines() {
        let loc = Some(Location {
            area: 0x00c3,
            cell: 0x0a1b_2c3d,
            act: Some(7),
        });
        for (l, want) in [
            (&b"+CEREG: 1"[..], reg(Domain::Eps, 1, None)),
            (b"+CEREG:5", reg(Domain::Eps, 5, None)),
            (b"+CEREG: 0", reg(Domain::Eps, 0, None)),
            (b"+CEREG: 3", reg(Domain::Eps, 3, None)),
            (b"+CGREG: 2", reg(Domain::Gprs, 2, None)),
            // The query's form, read as an event when no query claims it.
            (b"+CEREG: 1,1", reg(Domain::Eps, 1, None)),
            (b"+CEREG: 2,5", reg(Domain::Eps, 5, None)),
            (
                b"+CEREG: 1,\"00C3\",\"0A1B2C3D\",7",
                reg(Domain::Eps, 1, loc),
            ),
            (
                b"+CEREG: 1, \"00c3\", \"A1B2C3D\", 7",
                reg(Domain::Eps, 1, loc),
            ),
            (
                b"+CEREG: 2,1,\"00C3\",\"0A1B2C3D\",7",
                reg(Domain::Eps, 1, loc),
            ),
            (
                b"+CGREG: 1,\"00C3\",\"0A1B2C3D\"",
                reg(
                    Domain::Gprs,
                    1,
                    Some(Location {
                        area: 0xc3,
                        cell: 0x0a1b_2c3d,
                        act: None,
                    }),
                ),
            ),
            // n = 3: empty location, reject cause.
            (b"+CEREG: 3,,,,0,15", reg(Domain::Eps, 3, None)),
            (b"+CEREG: 9", reg(Domain::Eps, 9, None)),
        ] {
            assert_eq!(urc(l), want, "{:?}", core::str::from_utf8(l));
        }
        for l in [
            &b"+CEREG:"[..],
            b"+CEREG: x",
            b"+CEREG: 1,\"00C3\"",
            b"+CEREG: 1,\"GG\",\"1\",7",
            b"+CEREG: 1,\"10000\",\"1\",7",
            b"+CEREG: 1,\"00C3\",\"0A1B2C3D\",x",
            b"+CEREG: 256",
            b"+CEREG: 1,\"00C3",
        ] {
            assert_eq!(
                urc(l),
                Some(Urc::Unknown(l)),
                "{:?}",
                core::str::from_utf8(l)
            );
        }
        // Near misses are not registration lines.
        assert_eq!(urc(b"+CEREGX: 1"), None);
        assert_eq!(urc(b"+CREG: 1"), None);
    }

    #[test]
    fn pdp_event_lines() {
        use Initiator::{Module, Network};
        for (l, want) in [
            (
                &b"+CGEV: NW PDN DEACT 1"[..],
                PdpEvent::Deactivated {
                    cid: 1,
                    by: Network,
                },
            ),
            (
                b"+CGEV: ME PDN DEACT 1",
                PdpEvent::Deactivated { cid: 1, by: Module },
            ),
            (
                b"+CGEV: ME PDN ACT 1",
                PdpEvent::Activated { cid: 1, by: Module },
            ),
            (
                b"+CGEV: ME PDN ACT 2,0",
                PdpEvent::Activated { cid: 2, by: Module },
            ),
            (
                b"+CGEV: NW PDN ACT 3",
                PdpEvent::Activated {
                    cid: 3,
                    by: Network,
                },
            ),
            (
                b"+CGEV:NW PDN DEACT 1",
                PdpEvent::Deactivated {
                    cid: 1,
                    by: Network,
                },
            ),
            (b"+CGEV: NW DETACH", PdpEvent::Detached { by: Network }),
            (b"+CGEV: ME DETACH", PdpEvent::Detached { by: Module }),
        ] {
            assert_eq!(
                urc(l),
                Some(Urc::Pdp(want)),
                "{:?}",
                core::str::from_utf8(l)
            );
        }
        for l in [
            &b"+CGEV: NW MODIFY 1,2,0"[..],
            b"+CGEV: NW PDN DEACT",
            b"+CGEV: NW PDN DEACT x",
            b"+CGEV: XX PDN DEACT 1",
            b"+CGEV:",
        ] {
            assert_eq!(
                urc(l),
                Some(Urc::Unknown(l)),
                "{:?}",
                core::str::from_utf8(l)
            );
        }
    }

    #[test]
    fn sim_and_boot_lines() {
        for (l, want) in [
            (&b"+CPIN: READY"[..], SimState::Ready),
            (b"+CPIN:READY", SimState::Ready),
            (b"+CPIN: NOT READY", SimState::NotReady),
            (b"+CPIN: SIM PIN", SimState::PinRequired),
            (b"+CPIN: SIM PUK", SimState::PukRequired),
            (b"+CPIN: PH-SIM PIN", SimState::OtherCodeRequired),
            (b"+CPIN: NOT INSERTED", SimState::NotInserted),
        ] {
            assert_eq!(
                urc(l),
                Some(Urc::Sim(want)),
                "{:?}",
                core::str::from_utf8(l)
            );
        }
        assert_eq!(urc(b"+CPIN: WHAT"), Some(Urc::Unknown(b"+CPIN: WHAT")));
        for l in [&b"RDY"[..], b"READY", b"+MATREADY", b"+SIM READY", b"RDY "] {
            assert_eq!(
                urc(l),
                Some(Urc::Restarted),
                "{:?}",
                core::str::from_utf8(l)
            );
        }
        for l in [
            &b"RDYX"[..],
            b"READ",
            b"hello",
            b"+CSQ: 20,99",
            b"AT+CEREG?",
            b"4600",
        ] {
            assert_eq!(urc(l), None, "{:?}", core::str::from_utf8(l));
        }
        assert_eq!(
            Urc::parse(b"\r\n+CGEV: NW PDN DEACT 1\r\n"),
            urc(b"+CGEV: NW PDN DEACT 1")
        );
        assert_eq!(Urc::parse(b"\r\nRDY\r\n"), Some(Urc::Restarted));
    }

    #[test]
    fn cme_codes_through_cme_error() {
        for n in 0..=1000u16 {
            let want = match CmeError::from_code(n) {
                CmeError::BadIncomingPublish => Some(Urc::BadIncomingPublish),
                CmeError::BadIncomingPubRel => Some(Urc::BadIncomingPubRel),
                _ => None,
            };
            assert_eq!(Urc::from_frame(&Frame::Cme(n)), want, "{n}");
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
        b"+CEREG: ",
        b"+CGREG:",
        b"+CEREG: 2,",
        b"+CGEV: NW PDN DEACT ",
        b"+CGEV: ME PDN ACT ",
        b"+CGEV: NW ",
        b"+CPIN: ",
        b"RDY",
        b"+SIM READY",
    ];

    /// Bytes of their tails.
    const TAIL_BYTES: &[u8] = &[
        b'0', b'1', b'5', b'6', b'9', b',', b' ', b'"', b'O', b'K', b'a', b'/', b':', 0xc3, 0xa9,
        0xff, 0x80, b'F', b'C', b'R', b'E', b'A', b'D', b'Y', b'\t',
    ];

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(4096))]
        #[test]
        fn from_frame_agrees_with_from_line(
            head in proptest::sample::select(HEADS),
            tail in proptest::collection::vec(proptest::sample::select(TAIL_BYTES), 0..24),
        ) {
            let l = [head, &tail[..]].concat();
            same_as_general(&l);
            // Never panics; a network line is an event or reported as unknown
            // with its own bytes.
            let _ = Urc::parse(&l);
            if let Some(Urc::Unknown(b)) = urc(&l) {
                assert_eq!(b, &l[..]);
            }
            for p in [&b"+CEREG:"[..], b"+CGREG:", b"+CGEV:", b"+CPIN:"] {
                if l.starts_with(p) {
                    assert!(urc(&l).is_some(), "{:?}", l);
                }
            }
        }
    }
}
