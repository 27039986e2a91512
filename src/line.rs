//! Decoding of one complete line of modem output (everything but final results
//! and `+MQTTPUBLISH`, which the digester frames itself).
//!
//! [`Line::parse`] never fails and never panics: a `+MQTT…` line it does not know,
//! or whose fields do not parse, is [`Line::UnknownMqtt`]; anything else that is
//! not a `+MQTT…` line is [`Line::Text`]. It accepts any number of spaces after
//! the `:` of every prefix (and around unquoted fields), quoted or bare topics and
//! strings, and both spellings `+MQTTPINGRSP` / `+MQTTPINGRESP` (spec §1.3, §3).
//!
//! Whether a line is an answer to the pending command or an event is not decided
//! here (spec §3.10): see [`crate::urc::Urc::from_line`] for the unsolicited
//! reading.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use crate::digest::{trim_end_spaces, trim_start_spaces};
use crate::types::QoS;

/// The fields of a `+MQTTCFG:` answer (spec §2.1). The password is always masked
/// by the modem and is therefore not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CfgLine<'a> {
    /// Broker host.
    pub host: &'a str,
    /// Broker port.
    pub port: u16,
    /// Client id.
    pub client_id: &'a str,
    /// Keep-alive in seconds.
    pub keep_alive: u16,
    /// User name.
    pub user: &'a str,
    /// Clean-session flag.
    pub clean_session: bool,
    /// Version string (empty in the 7-field form).
    pub version: &'a str,
    /// Encryption flag.
    pub encrypt: bool,
}

/// One decoded line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Line<'a> {
    /// `+MQTTCFG: …` with a configured client.
    Cfg(CfgLine<'a>),
    /// `+MQTTCFG:"(null)",…`: no client configured.
    CfgNoClient,
    /// `+MQTTSTAT: <n>` (raw value; decode with [`crate::types::ModemState`]).
    Stat(u8),
    /// `+MQTTSUBACK:<packId>,<code>,<topic>` (topic quoted or not).
    SubAck {
        /// Packet id.
        packet_id: u16,
        /// Granted QoS, or 128 for a refusal.
        code: u8,
        /// Topic, quotes stripped.
        topic: &'a str,
    },
    /// `+MQTTSUB:` header of the `AT+MQTTSUB?` answer.
    SubListHeader,
    /// `+MQTTUNSUBACK:<packId>,<topic>`.
    UnsubAck {
        /// Packet id.
        packet_id: u16,
        /// Topic, quotes stripped.
        topic: &'a str,
    },
    /// `+MQTTPUBACK:<dup>,<packId>`.
    PubAck {
        /// DUP flag.
        dup: bool,
        /// Packet id.
        packet_id: u16,
    },
    /// `+MQTTPUBREC:<dup>,<packId>`.
    PubRec {
        /// DUP flag.
        dup: bool,
        /// Packet id.
        packet_id: u16,
    },
    /// `+MQTTPUBCOMP:<dup>,<packId>`.
    PubComp {
        /// DUP flag.
        dup: bool,
        /// Packet id.
        packet_id: u16,
    },
    /// `+MQTTPUBREL:<dup>,<packId>` (unsolicited).
    PubRel {
        /// DUP flag.
        dup: bool,
        /// Packet id.
        packet_id: u16,
    },
    /// `+MQTTPING: <n>` (answer to `AT+MQTTPING?`).
    PingEcho(u8),
    /// `+MQTTREC: <enabled>,<attempts>` (answer to `AT+MQTTREC?`).
    Reconnect {
        /// Automatic reconnection enabled.
        enabled: bool,
        /// Attempts made so far.
        attempts: u16,
    },
    /// `+MQTTREC:<n>` (one field: a reconnect attempt, unsolicited).
    ReconnectAttempt(u16),
    /// `+MQTTTO: <n>`: the answer to `AT+MQTTTO?` while it is pending, otherwise
    /// an ACK time-out event of type n (spec §3.10).
    To(u16),
    /// `+MQTTOPEN:OK` (`true`) or `+MQTTOPEN:FAIL` (`false`).
    Open(bool),
    /// `+MQTTDISC: OK`.
    Disc,
    /// `+MQTTPINGRSP: OK` or `+MQTTPINGRESP:OK`.
    PingResp,
    /// A `+MQTT…` line that is not recognised or whose fields do not parse.
    UnknownMqtt(&'a [u8]),
    /// Any other line (echo, `AT+MQTTSUB?` entries, other modem URCs).
    Text(&'a [u8]),
}

/// One field of a comma-separated list.
#[derive(Clone, Copy)]
pub(crate) enum Field<'a> {
    /// `"…"`, quotes stripped.
    Quoted(&'a [u8]),
    /// Anything else, spaces around it stripped.
    Bare(&'a [u8]),
}

impl<'a> Field<'a> {
    pub(crate) fn bytes(self) -> &'a [u8] {
        match self {
            Field::Quoted(b) | Field::Bare(b) => b,
        }
    }

    /// A string field, quoted or not.
    pub(crate) fn text(self) -> Option<&'a str> {
        core::str::from_utf8(self.bytes()).ok()
    }

    /// An unquoted decimal number.
    pub(crate) fn num(self) -> Option<u32> {
        match self {
            Field::Bare(b) if !b.is_empty() && b.len() <= 9 => b.iter().try_fold(0u32, |v, &c| {
                let d = c.wrapping_sub(b'0');
                if d > 9 {
                    return None;
                }
                v.checked_mul(10)?.checked_add(u32::from(d))
            }),
            _ => None,
        }
    }

    pub(crate) fn u8(self) -> Option<u8> {
        self.num().and_then(|v| u8::try_from(v).ok())
    }

    pub(crate) fn u16(self) -> Option<u16> {
        self.num().and_then(|v| u16::try_from(v).ok())
    }

    /// 0 or 1.
    fn flag(self) -> Option<bool> {
        match self.num()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }
}

/// Splits the text after `+XXX:` into fields. A field that starts with `"` runs
/// to the next `"`, which must be followed by `,` or the end of the line.
pub(crate) struct Fields<'a> {
    rest: &'a [u8],
    done: bool,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(rest: &'a [u8]) -> Self {
        Fields { rest, done: false }
    }
}

impl<'a> Iterator for Fields<'a> {
    /// `None` inside marks a malformed field (an unterminated quote or text
    /// after a closing quote).
    type Item = Option<Field<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let s = trim_start_spaces(self.rest);
        if let Some(q) = s.strip_prefix(b"\"") {
            let Some(k) = q.iter().position(|&b| b == b'"') else {
                self.done = true;
                return Some(None);
            };
            let inner = q.get(..k).unwrap_or_default();
            let after = trim_start_spaces(q.get(k.saturating_add(1)..).unwrap_or_default());
            match after {
                [] => self.done = true,
                [b',', rest @ ..] => self.rest = rest,
                _ => {
                    self.done = true;
                    return Some(None);
                }
            }
            Some(Some(Field::Quoted(inner)))
        } else {
            let (field, rest) = match s.iter().position(|&b| b == b',') {
                Some(k) => (s.get(..k).unwrap_or_default(), s.get(k.saturating_add(1)..)),
                None => (s, None),
            };
            match rest {
                Some(r) => self.rest = r,
                None => self.done = true,
            }
            Some(Some(Field::Bare(trim_end_spaces(field))))
        }
    }
}

/// `OK` (or nothing at all).
fn is_ok(rest: &[u8]) -> bool {
    matches!(rest, b"OK" | b"")
}

/// Reads unquoted decimal numbers separated by commas, spaces around them
/// allowed.
struct Nums<'a> {
    rest: &'a [u8],
}

impl<'a> Nums<'a> {
    /// The next number (at most nine digits), and whether a comma follows it.
    #[inline(always)]
    fn next(&mut self) -> Option<(u32, bool)> {
        let mut s = self.rest;
        while let [b' ', r @ ..] = s {
            s = r;
        }
        let mut v: u32 = 0;
        let mut n = 0u32;
        while let [b, r @ ..] = s {
            let d = b.wrapping_sub(b'0');
            if d > 9 {
                break;
            }
            if n == 9 {
                return None;
            }
            // At most nine digits: no overflow.
            v = v.wrapping_mul(10).wrapping_add(u32::from(d));
            n = n.wrapping_add(1);
            s = r;
        }
        if n == 0 {
            return None;
        }
        while let [b' ', r @ ..] = s {
            s = r;
        }
        match s {
            [] => {
                self.rest = s;
                Some((v, false))
            }
            [b',', r @ ..] => {
                self.rest = r;
                Some((v, true))
            }
            _ => None,
        }
    }

    /// The next number, which must be followed by a comma.
    #[inline(always)]
    fn more(&mut self) -> Option<u32> {
        match self.next()? {
            (v, true) => Some(v),
            _ => None,
        }
    }

    /// The next number, which must be the last.
    #[inline(always)]
    fn last(&mut self) -> Option<u32> {
        match self.next()? {
            (v, false) => Some(v),
            _ => None,
        }
    }
}

/// 0 or 1.
fn flag(v: u32) -> Option<bool> {
    match v {
        0 => Some(false),
        1 => Some(true),
        _ => None,
    }
}

/// A topic at the end of an ACK line: the rest of the line, quotes stripped if it
/// is quoted as a whole.
#[inline(always)]
fn tail_topic(rest: &[u8]) -> Option<&str> {
    let t = match rest {
        [b'"', inner @ .., b'"'] if !inner.contains(&b'"') => inner,
        t => t,
    };
    core::str::from_utf8(t).ok()
}

/// `<dup>,<packId>` of the ACK lines and `+MQTTPUBREL`.
#[inline(always)]
fn dup_and_id(rest: &[u8]) -> Option<(bool, u16)> {
    let mut n = Nums { rest };
    let dup = flag(n.more()?)?;
    Some((dup, u16::try_from(n.last()?).ok()?))
}

/// `<packId>,` at the start of an ACK line, and the topic after it.
#[inline(always)]
fn id_and_topic(rest: &[u8]) -> Option<(u16, &[u8])> {
    let mut n = Nums { rest };
    let id = u16::try_from(n.more()?).ok()?;
    Some((id, trim_start_spaces(n.rest)))
}

/// A single number.
#[inline(always)]
fn one(rest: &[u8]) -> Option<u32> {
    Nums { rest }.last()
}

/// Length of the upper-case name at the start of `s` (the part of a `+MQTT…`
/// prefix after `+MQTT`); names are at most eight letters, so one word usually
/// decides.
#[inline(always)]
fn name_len(s: &[u8]) -> usize {
    if let Some(w) = s.first_chunk::<8>() {
        // High bit set in every byte that is not in `A`..=`Z` (exact per byte).
        let w = u64::from_le_bytes(*w);
        let lo = 0x0101_0101_0101_0101u64;
        let hi = 0x8080_8080_8080_8080u64;
        let below_a = (w | hi).wrapping_sub(lo.wrapping_mul(u64::from(b'A'))) & hi ^ hi;
        let above_z = (w & !hi).wrapping_add(lo.wrapping_mul(u64::from(0x7f - b'Z'))) & hi;
        let not_upper = below_a | above_z | (w & hi);
        if not_upper != 0 {
            return (not_upper.trailing_zeros() / 8) as usize;
        }
    }
    s.iter()
        .position(|b| !b.is_ascii_uppercase())
        .unwrap_or(s.len())
}

impl<'a> Line<'a> {
    /// Decodes one line (without its line end). Never fails; never panics.
    pub fn parse(bytes: &'a [u8]) -> Line<'a> {
        let Some(after) = bytes.strip_prefix(b"+MQTT") else {
            return Line::Text(bytes);
        };
        let unknown = Line::UnknownMqtt(bytes);
        let name_end = name_len(after);
        let (name, rest) = after.split_at_checked(name_end).unwrap_or((after, &[]));
        let rest = match rest {
            [] | [b':' | b' ', ..] => rest,
            _ => return unknown,
        };
        let rest = trim_start_spaces(rest);
        let rest = rest.strip_prefix(b":").unwrap_or(rest);
        let rest = trim_end_spaces(trim_start_spaces(rest));
        match name {
            b"PUBACK" | b"PUBREC" | b"PUBCOMP" | b"PUBREL" => {
                let Some((dup, packet_id)) = dup_and_id(rest) else {
                    return unknown;
                };
                match name {
                    b"PUBACK" => Line::PubAck { dup, packet_id },
                    b"PUBREC" => Line::PubRec { dup, packet_id },
                    b"PUBCOMP" => Line::PubComp { dup, packet_id },
                    _ => Line::PubRel { dup, packet_id },
                }
            }
            b"PINGRSP" | b"PINGRESP" if is_ok(rest) => Line::PingResp,
            b"SUBACK" => {
                let mut n = Nums { rest };
                let parsed = n.more().and_then(|id| {
                    let id = u16::try_from(id).ok()?;
                    let code = u8::try_from(n.more()?).ok()?;
                    Some((id, code, tail_topic(trim_start_spaces(n.rest))?))
                });
                match parsed {
                    Some((packet_id, code, topic)) => Line::SubAck {
                        packet_id,
                        code,
                        topic,
                    },
                    None => unknown,
                }
            }
            b"UNSUBACK" => {
                match id_and_topic(rest).and_then(|(id, t)| Some((id, tail_topic(t)?))) {
                    Some((packet_id, topic)) => Line::UnsubAck { packet_id, topic },
                    None => unknown,
                }
            }
            b"TO" => match one(rest).and_then(|v| u16::try_from(v).ok()) {
                Some(v) => Line::To(v),
                None => unknown,
            },
            b"REC" => {
                let mut n = Nums { rest };
                match n.next() {
                    Some((v, false)) => match u16::try_from(v) {
                        Ok(v) => Line::ReconnectAttempt(v),
                        Err(_) => unknown,
                    },
                    Some((enabled, true)) => {
                        match (flag(enabled), n.last().and_then(|v| u16::try_from(v).ok())) {
                            (Some(enabled), Some(attempts)) => {
                                Line::Reconnect { enabled, attempts }
                            }
                            _ => unknown,
                        }
                    }
                    None => unknown,
                }
            }
            b"DISC" if is_ok(rest) => Line::Disc,
            b"OPEN" => match rest {
                b"OK" => Line::Open(true),
                b"FAIL" => Line::Open(false),
                _ => unknown,
            },
            b"CFG" => cfg(rest).unwrap_or(unknown),
            b"STAT" => match one(rest).and_then(|v| u8::try_from(v).ok()) {
                Some(v) => Line::Stat(v),
                None => unknown,
            },
            b"SUB" if rest.is_empty() => Line::SubListHeader,
            b"PING" => match one(rest).and_then(|v| u8::try_from(v).ok()) {
                Some(v) => Line::PingEcho(v),
                None => unknown,
            },
            _ => unknown,
        }
    }
}

/// The `+MQTTCFG:` answer: 9 or 7 fields, or the no-client form.
fn cfg(rest: &[u8]) -> Option<Line<'_>> {
    let mut f = Fields::new(rest);
    let host = f.next()?;
    // `(null)` as the host means no client; the rest of the line is undocumented.
    if host.map(Field::bytes) == Some(b"(null)") {
        return Some(Line::CfgNoClient);
    }
    let mut v = [Field::Bare(&[]); 9];
    v[0] = host?;
    let mut n = 1usize;
    for field in f {
        *v.get_mut(n)? = field?;
        n = n.saturating_add(1);
    }
    let [host, port, id, keep_alive, user, _passwd, clean, version, encrypt] = v;
    let (version, encrypt) = match n {
        9 => (version.text()?, encrypt.flag()?),
        7 => ("", false),
        _ => return None,
    };
    Some(Line::Cfg(CfgLine {
        host: host.text()?,
        port: port.u16()?,
        client_id: id.text()?,
        keep_alive: keep_alive.u16()?,
        user: user.text()?,
        clean_session: clean.flag()?,
        version,
        encrypt,
    }))
}

/// Parses one entry line of the `AT+MQTTSUB?` answer: `topic` or `topic,qos`
/// (spec §2.4, T-05, T-48).
///
/// A trailing `,<digits>` is the QoS (0–2; another number makes the entry
/// invalid); without it the whole line is the topic. A topic quoted as a whole has
/// its quotes stripped. Returns `None` for an empty, non-UTF-8 or otherwise
/// invalid entry, and for a line that starts with `+` not followed by `/` (no
/// topic filter can: such a line is a result code or a URC).
///
/// ```
/// use ml302::line::parse_sub_entry;
/// use ml302::QoS;
///
/// assert_eq!(parse_sub_entry(b"dev/gsm/u"), Some(("dev/gsm/u", None)));
/// assert_eq!(parse_sub_entry(b"+/x,0"), Some(("+/x", Some(QoS::AtMostOnce))));
/// ```
pub fn parse_sub_entry(line: &[u8]) -> Option<(&str, Option<QoS>)> {
    let (topic, qos) = match line.iter().rposition(|&b| b == b',') {
        Some(k) => {
            let tail = trim_end_spaces(trim_start_spaces(line.get(k.saturating_add(1)..)?));
            if !tail.is_empty() && tail.iter().all(u8::is_ascii_digit) {
                let q = Field::Bare(tail).u8().and_then(QoS::from_u8)?;
                (line.get(..k)?, Some(q))
            } else {
                (line, None)
            }
        }
        None => (line, None),
    };
    let topic = match topic {
        [b'"', inner @ .., b'"'] => inner,
        t => t,
    };
    if topic.is_empty() || topic.iter().any(|&b| b == b'\r' || b == b'\n') {
        return None;
    }
    // A `+` wildcard fills a whole level: `+CEREG: 1` and the like are other
    // lines, never an entry.
    if let [b'+', next, ..] = topic {
        if *next != b'/' {
            return None;
        }
    }
    Some((core::str::from_utf8(topic).ok()?, qos))
}

#[cfg(test)]
#[allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::panic,
    clippy::arithmetic_side_effects
)]
pub(crate) mod tests {
    extern crate std;
    use super::*;
    use std::vec::Vec;

    #[test]
    fn fields_split_quoted_and_bare() {
        let v: Vec<_> = Fields::new(br#""a,b" , 12 ,"", x"#)
            .map(|f| f.map(|f| f.bytes()))
            .collect();
        assert_eq!(
            v,
            [
                Some(&b"a,b"[..]),
                Some(&b"12"[..]),
                Some(&b""[..]),
                Some(&b"x"[..])
            ]
        );
        let v: Vec<_> = Fields::new(br#""a"b"#).collect::<Vec<_>>();
        assert_eq!(v.len(), 1);
        assert!(v[0].is_none());
    }

    #[test]
    fn name_len_matches_bytewise_scan() {
        let naive = |s: &[u8]| {
            s.iter()
                .position(|b| !b.is_ascii_uppercase())
                .unwrap_or(s.len())
        };
        for b in 0..=255u8 {
            for at in 0..10 {
                let mut s = b"ABCDEFGHIJKL".to_vec();
                if let Some(slot) = s.get_mut(at) {
                    *slot = b;
                }
                assert_eq!(name_len(&s), naive(&s), "byte {b} at {at}");
                assert_eq!(
                    name_len(&s[..at.min(s.len())]),
                    naive(&s[..at.min(s.len())])
                );
            }
        }
    }

    #[test]
    fn unknown_and_text() {
        assert_eq!(
            Line::parse(b"+MQTTFOO: 1"),
            Line::UnknownMqtt(b"+MQTTFOO: 1")
        );
        assert_eq!(
            Line::parse(b"+MQTTSTAT: x"),
            Line::UnknownMqtt(b"+MQTTSTAT: x")
        );
        assert_eq!(
            Line::parse(b"+MQTTSTAT: 1,2"),
            Line::UnknownMqtt(b"+MQTTSTAT: 1,2")
        );
        assert_eq!(Line::parse(b"+CREG: 1"), Line::Text(b"+CREG: 1"));
        assert_eq!(Line::parse(b""), Line::Text(b""));
        assert_eq!(Line::parse(b"+MQTT"), Line::UnknownMqtt(b"+MQTT"));
    }

    #[test]
    fn cfg_with_wrong_field_count_is_unknown() {
        let l = br#"+MQTTCFG: "h",1,"i",60,"u","***",0,"""#;
        assert_eq!(Line::parse(l), Line::UnknownMqtt(l));
    }

    #[test]
    fn sub_entries() {
        assert_eq!(
            parse_sub_entry(b"a/b, 2"),
            Some(("a/b", Some(QoS::ExactlyOnce)))
        );
        assert_eq!(parse_sub_entry(b"a/b,3"), None);
        assert_eq!(parse_sub_entry(b"a,b"), Some(("a,b", None)));
        assert_eq!(
            parse_sub_entry(b"\"q\",1"),
            Some(("q", Some(QoS::AtLeastOnce)))
        );
        assert_eq!(parse_sub_entry(b""), None);
        assert_eq!(parse_sub_entry(b",1"), None);
        assert_eq!(
            parse_sub_entry(b"+/x,1"),
            Some(("+/x", Some(QoS::AtLeastOnce)))
        );
        assert_eq!(parse_sub_entry(b"+,0"), Some(("+", Some(QoS::AtMostOnce))));
        assert_eq!(parse_sub_entry(b"+CEREG: 1"), None);
        assert_eq!(parse_sub_entry(b"+CGEV: NW PDN DEACT 1"), None);
    }

    #[test]
    fn parse_of_ack_like_shapes() {
        // (line, what Line::parse makes of it)
        let cases: &[(&[u8], Line<'_>)] = &[
            (
                b"+MQTTPUBREL: 0,1",
                Line::PubRel {
                    dup: false,
                    packet_id: 1,
                },
            ),
            (
                b"+MQTTPUBACK:  0,1",
                Line::PubAck {
                    dup: false,
                    packet_id: 1,
                },
            ),
            (
                b"+MQTTPUBACK: 0 , 1 ",
                Line::PubAck {
                    dup: false,
                    packet_id: 1,
                },
            ),
            (
                b"+MQTTPUBACK 0,1",
                Line::PubAck {
                    dup: false,
                    packet_id: 1,
                },
            ),
            (
                b"+MQTTPUBACK :0,1",
                Line::PubAck {
                    dup: false,
                    packet_id: 1,
                },
            ),
            (
                b"+MQTTPUBACK: 0,000012",
                Line::PubAck {
                    dup: false,
                    packet_id: 12,
                },
            ),
            (
                b"+MQTTPUBACK: 01,5",
                Line::PubAck {
                    dup: true,
                    packet_id: 5,
                },
            ),
            (
                b"+MQTTPUBACK: 0,65536",
                Line::UnknownMqtt(b"+MQTTPUBACK: 0,65536"),
            ),
            (b"+MQTTPUBACK: 2,1", Line::UnknownMqtt(b"+MQTTPUBACK: 2,1")),
            (b"+MQTTPUBACK: 0,", Line::UnknownMqtt(b"+MQTTPUBACK: 0,")),
            (
                b"+MQTTPUBACK: 0,1x",
                Line::UnknownMqtt(b"+MQTTPUBACK: 0,1x"),
            ),
            (b"+MQTTPUBACK", Line::UnknownMqtt(b"+MQTTPUBACK")),
            (
                b"+MQTTPUBACKS: 0,1",
                Line::UnknownMqtt(b"+MQTTPUBACKS: 0,1"),
            ),
            (
                b"+MQTTSUBACK:1,1,t",
                Line::SubAck {
                    packet_id: 1,
                    code: 1,
                    topic: "t",
                },
            ),
            (
                b"+MQTTSUBACK:2,99,",
                Line::SubAck {
                    packet_id: 2,
                    code: 99,
                    topic: "",
                },
            ),
            (
                b"+MQTTSUBACK: 1,1,\"\xc3\xa9\"",
                Line::SubAck {
                    packet_id: 1,
                    code: 1,
                    topic: "\u{e9}",
                },
            ),
            (
                b"+MQTTSUBACK: 1,1,\"\xff\"",
                Line::UnknownMqtt(b"+MQTTSUBACK: 1,1,\"\xff\""),
            ),
            (
                b"+MQTTSUBACK: 1,200,\"pyr\"",
                Line::SubAck {
                    packet_id: 1,
                    code: 200,
                    topic: "pyr",
                },
            ),
            (
                b"+MQTTSUBACK: 1,256,\"pyr\"",
                Line::UnknownMqtt(b"+MQTTSUBACK: 1,256,\"pyr\""),
            ),
            (
                b"+MQTTSUBACK: 1,1x9,\"pyr\"",
                Line::UnknownMqtt(b"+MQTTSUBACK: 1,1x9,\"pyr\""),
            ),
            (
                b"+MQTTSUBACK: 65536,1,\"pyr\"",
                Line::UnknownMqtt(b"+MQTTSUBACK: 65536,1,\"pyr\""),
            ),
            (
                b"+MQTTUNSUBACK: 7,\"long/topic/with/\xc3\xa9/in/it\"",
                Line::UnsubAck {
                    packet_id: 7,
                    topic: "long/topic/with/\u{e9}/in/it",
                },
            ),
            (b"+MQTTPINGRSP:  OK", Line::PingResp),
            (b"+MQTTPINGRSP: OK ", Line::PingResp),
            (b"+MQTTPINGRSP", Line::PingResp),
            (
                b"+MQTTPINGRSP: FAIL",
                Line::UnknownMqtt(b"+MQTTPINGRSP: FAIL"),
            ),
            (
                b"+MQTTPINGRESPX:OK",
                Line::UnknownMqtt(b"+MQTTPINGRESPX:OK"),
            ),
        ];
        for (l, want) in cases {
            assert_eq!(Line::parse(l), *want, "{:?}", std::str::from_utf8(l));
        }
    }

    #[test]
    fn ping_response_spellings() {
        for l in [
            &b"+MQTTPINGRSP: OK"[..],
            b"+MQTTPINGRSP:OK",
            b"+MQTTPINGRSP:",
            b"+MQTTPINGRSP: ",
            b"+MQTTPINGRESP:OK",
            b"+MQTTPINGRESP: OK",
            b"+MQTTPINGRESP:",
        ] {
            assert_eq!(
                Line::parse(l),
                Line::PingResp,
                "{:?}",
                std::str::from_utf8(l)
            );
        }
    }
}
