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
use crate::text::utf8;
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

/// The value `table` pairs with `word`, if any. A table rather than a `match`
/// on byte strings, which costs a length test and a comparison call per arm
/// on a Cortex-M.
pub(crate) fn lookup<T: Copy>(word: &[u8], table: &[(&[u8], T)]) -> Option<T> {
    table.iter().find(|(w, _)| *w == word).map(|&(_, v)| v)
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
        utf8(self.bytes())
    }

    /// An unquoted decimal number.
    pub(crate) fn num(self) -> Option<u32> {
        // The same reader as the numbers of `+MQTT…` lines: 1–9 digits, the
        // whole field.
        match self {
            Field::Bare(rest) => Nums { rest }.num(false),
            Field::Quoted(_) => None,
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

/// The `+MQTT…` names [`Line::parse`] reads (the upper-case run after `+MQTT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Name {
    PubAck,
    PubRec,
    PubComp,
    PubRel,
    PingResp,
    SubAck,
    UnsubAck,
    To,
    Rec,
    Disc,
    Open,
    Cfg,
    Stat,
    Sub,
    Ping,
}

/// Every name [`Line::parse`] reads, as printed after `+MQTT`, one after the
/// other in the order of [`NAMES`] (one run of letters in flash, rather than
/// sixteen slices pointing at sixteen strings).
const NAME_TEXT: &[u8] = b"\
    PUBACK\
    PINGRSP\
    SUBACK\
    PUBREC\
    PUBCOMP\
    PUBREL\
    TO\
    UNSUBACK\
    DISC\
    OPEN\
    REC\
    PINGRESP\
    CFG\
    STAT\
    SUB\
    PING";

/// The length of each name of [`NAME_TEXT`], in order, and what it is
/// (`PINGRSP` and `PINGRESP` are the two spellings of one). The lines the
/// modem prints most often come first: the search stops at the first match.
const NAMES: [(u8, Name); 16] = [
    (6, Name::PubAck),
    (7, Name::PingResp),
    (6, Name::SubAck),
    (6, Name::PubRec),
    (7, Name::PubComp),
    (6, Name::PubRel),
    (2, Name::To),
    (8, Name::UnsubAck),
    (4, Name::Disc),
    (4, Name::Open),
    (3, Name::Rec),
    (8, Name::PingResp),
    (3, Name::Cfg),
    (4, Name::Stat),
    (3, Name::Sub),
    (4, Name::Ping),
];

/// The name at the start of `after` (the text after `+MQTT`) and what follows
/// it, which must be the end of the line, a `:` or a space. No name is followed
/// by an upper-case letter there, so at most one entry of [`NAMES`] fits: the
/// whole upper-case run, as printed.
#[inline]
fn split_name(after: &[u8]) -> Option<(Name, &[u8])> {
    let mut text = NAME_TEXT;
    for &(len, name) in &NAMES {
        let (word, others) = text.split_at_checked(usize::from(len))?;
        text = others;
        if let Some(rest) = after.strip_prefix(word) {
            if matches!(rest, [] | [b':' | b' ', ..]) {
                return Some((name, rest));
            }
        }
    }
    None
}

/// Reads unquoted decimal numbers separated by commas, spaces around them
/// allowed.
struct Nums<'a> {
    rest: &'a [u8],
}

impl<'a> Nums<'a> {
    /// The next number (one to nine digits), and whether a comma follows it
    /// (else the line ends there).
    #[inline]
    fn next(&mut self) -> Option<(u32, bool)> {
        let digits = trim_start_spaces(self.rest);
        let (mut v, mut s) = (0u32, digits);
        while let [b, r @ ..] = s {
            // Widened first: one subtraction and one comparison per byte.
            let d = u32::from(*b).wrapping_sub(u32::from(b'0'));
            if d > 9 {
                break;
            }
            // At most nine digits are kept (checked below): no overflow then.
            v = v.wrapping_mul(10).wrapping_add(d);
            s = r;
        }
        if !(1..=9).contains(&digits.len().wrapping_sub(s.len())) {
            return None;
        }
        match trim_start_spaces(s) {
            [] => {
                self.rest = &[];
                Some((v, false))
            }
            [b',', r @ ..] => {
                self.rest = r;
                Some((v, true))
            }
            _ => None,
        }
    }

    /// The next number, followed by a comma if `comma`, else by the end of
    /// the line.
    fn num(&mut self, comma: bool) -> Option<u32> {
        match self.next()? {
            (v, c) if c == comma => Some(v),
            _ => None,
        }
    }

    /// [`Nums::num`] as a `u16`.
    fn u16(&mut self, comma: bool) -> Option<u16> {
        u16::try_from(self.num(comma)?).ok()
    }

    /// [`Nums::num`] as a `u8`.
    fn u8(&mut self, comma: bool) -> Option<u8> {
        u8::try_from(self.num(comma)?).ok()
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
#[inline]
fn tail_topic(rest: &[u8]) -> Option<&str> {
    let rest = trim_start_spaces(rest);
    let t = match rest {
        [b'"', inner @ .., b'"'] if inner.iter().all(|&b| b != b'"') => inner,
        t => t,
    };
    utf8(t)
}

impl<'a> Line<'a> {
    /// Decodes one line (without its line end). Never fails; never panics.
    pub fn parse(bytes: &'a [u8]) -> Line<'a> {
        match bytes.strip_prefix(b"+MQTT") {
            Some(after) => mqtt(bytes, after),
            None => Line::Text(bytes),
        }
    }
}

/// The `+MQTT…` line `line`, of which `after` is the text after `+MQTT`:
/// [`Line::UnknownMqtt`] if the name is unknown or the fields do not parse.
///
/// Each arm builds its line in place (the fields first, as an `Option` of
/// a few numbers), rather than an `Option<Line>` copied out afterwards. Out
/// of line, so that other lines return without saving registers for it.
#[inline(never)]
fn mqtt<'a>(line: &'a [u8], after: &'a [u8]) -> Line<'a> {
    let unknown = Line::UnknownMqtt(line);
    let Some((name, rest)) = split_name(after) else {
        return unknown;
    };
    let rest = trim_start_spaces(rest);
    let rest = rest.strip_prefix(b":").unwrap_or(rest);
    let rest = trim_end_spaces(trim_start_spaces(rest));
    let ok = matches!(rest, b"OK" | b"");
    let mut n = Nums { rest };
    match name {
        Name::PubAck => ack(n).map_or(unknown, |(dup, packet_id)| Line::PubAck { dup, packet_id }),
        Name::PubRec => ack(n).map_or(unknown, |(dup, packet_id)| Line::PubRec { dup, packet_id }),
        Name::PubComp => {
            ack(n).map_or(unknown, |(dup, packet_id)| Line::PubComp { dup, packet_id })
        }
        Name::PubRel => ack(n).map_or(unknown, |(dup, packet_id)| Line::PubRel { dup, packet_id }),
        Name::PingResp if ok => Line::PingResp,
        Name::Disc if ok => Line::Disc,
        Name::SubAck => sub_ack(n).map_or(unknown, |(packet_id, code, topic)| Line::SubAck {
            packet_id,
            code,
            topic,
        }),
        Name::UnsubAck => unsub_ack(n).map_or(unknown, |(packet_id, topic)| Line::UnsubAck {
            packet_id,
            topic,
        }),
        Name::To => n.u16(false).map_or(unknown, Line::To),
        Name::Rec => rec(n).unwrap_or(unknown),
        Name::Open => match rest {
            b"OK" => Line::Open(true),
            b"FAIL" => Line::Open(false),
            _ => unknown,
        },
        Name::Cfg => cfg(rest).unwrap_or(unknown),
        Name::Stat => n.u8(false).map_or(unknown, Line::Stat),
        Name::Sub if rest.is_empty() => Line::SubListHeader,
        Name::Ping => n.u8(false).map_or(unknown, Line::PingEcho),
        Name::PingResp | Name::Disc | Name::Sub => unknown,
    }
}

/// The fields of an ACK line of a publication: `<dup>,<packId>`.
#[inline]
fn ack(mut n: Nums<'_>) -> Option<(bool, u16)> {
    let dup = flag(n.num(true)?)?;
    Some((dup, n.u16(false)?))
}

/// The fields of `+MQTTSUBACK`: `<packId>,<code>,<topic>`.
#[inline]
fn sub_ack(mut n: Nums<'_>) -> Option<(u16, u8, &str)> {
    let packet_id = n.u16(true)?;
    let code = n.u8(true)?;
    Some((packet_id, code, tail_topic(n.rest)?))
}

/// The fields of `+MQTTUNSUBACK`: `<packId>,<topic>`.
#[inline]
fn unsub_ack(mut n: Nums<'_>) -> Option<(u16, &str)> {
    let packet_id = n.u16(true)?;
    Some((packet_id, tail_topic(n.rest)?))
}

/// `+MQTTREC`: one number (an attempt) or two (the answer to `AT+MQTTREC?`).
#[inline]
fn rec(mut n: Nums<'_>) -> Option<Line<'_>> {
    Some(match n.next()? {
        (v, false) => Line::ReconnectAttempt(u16::try_from(v).ok()?),
        (enabled, true) => Line::Reconnect {
            enabled: flag(enabled)?,
            attempts: n.u16(false)?,
        },
    })
}

/// The `+MQTTCFG:` answer: 9 or 7 fields, or the no-client form. Out of
/// line: a rare answer, whose nine fields would otherwise weigh on every line.
#[inline(never)]
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
    Some((utf8(topic)?, qos))
}

#[cfg(test)]
#[allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::panic,
    clippy::arithmetic_side_effects
)]
#[path = "line_tests.rs"]
pub(crate) mod tests;
