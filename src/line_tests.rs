//! Unit tests of the line decoder: every line shape, quoted and bare fields,
//! and the `AT+MQTTSUB?` entries.

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

/// The decoder as it was before the name table and the numbers were made
/// cheaper: packs the upper-case run after `+MQTT` byte by byte and looks it
/// up among the packed names; reads numbers with a digit count. Kept as the
/// reference that [`Line::parse`] must agree with on every line.
mod reference {
    use super::super::{cfg, tail_topic, Line, Name};
    use crate::digest::{trim_end_spaces, trim_start_spaces};

    const fn packed(name: &[u8]) -> u64 {
        let mut v = 0u64;
        let mut rest = name;
        while let [head @ .., last] = rest {
            v = v.wrapping_shl(8) | *last as u64;
            rest = head;
        }
        v
    }

    fn read_name(s: &[u8]) -> Option<(u64, &[u8])> {
        let (mut v, mut shift, mut rest) = (0u64, 0u32, s);
        while let [b, r @ ..] = rest {
            if !b.is_ascii_uppercase() {
                break;
            }
            if shift == 64 {
                return None;
            }
            v |= u64::from(*b).wrapping_shl(shift);
            shift = shift.wrapping_add(8);
            rest = r;
        }
        Some((v, rest))
    }

    const NAMES: [(u64, Name); 16] = [
        (packed(b"PUBACK"), Name::PubAck),
        (packed(b"PUBREC"), Name::PubRec),
        (packed(b"PUBCOMP"), Name::PubComp),
        (packed(b"PUBREL"), Name::PubRel),
        (packed(b"PINGRSP"), Name::PingResp),
        (packed(b"PINGRESP"), Name::PingResp),
        (packed(b"SUBACK"), Name::SubAck),
        (packed(b"UNSUBACK"), Name::UnsubAck),
        (packed(b"TO"), Name::To),
        (packed(b"REC"), Name::Rec),
        (packed(b"DISC"), Name::Disc),
        (packed(b"OPEN"), Name::Open),
        (packed(b"CFG"), Name::Cfg),
        (packed(b"STAT"), Name::Stat),
        (packed(b"SUB"), Name::Sub),
        (packed(b"PING"), Name::Ping),
    ];

    struct Nums<'a> {
        rest: &'a [u8],
    }

    impl Nums<'_> {
        fn next(&mut self) -> Option<(u32, bool)> {
            let mut s = trim_start_spaces(self.rest);
            let (mut v, mut n) = (0u32, 0u32);
            while let [b, r @ ..] = s {
                let d = b.wrapping_sub(b'0');
                if d > 9 {
                    break;
                }
                v = v.wrapping_mul(10).wrapping_add(u32::from(d));
                n += 1;
                s = r;
            }
            if n == 0 || n > 9 {
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

        fn more(&mut self) -> Option<u32> {
            match self.next()? {
                (v, true) => Some(v),
                _ => None,
            }
        }

        fn last(&mut self) -> Option<u32> {
            match self.next()? {
                (v, false) => Some(v),
                _ => None,
            }
        }
    }

    fn flag(v: u32) -> Option<bool> {
        match v {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    pub(super) fn parse(bytes: &[u8]) -> Line<'_> {
        match bytes.strip_prefix(b"+MQTT") {
            Some(after) => mqtt(after).unwrap_or(Line::UnknownMqtt(bytes)),
            None => Line::Text(bytes),
        }
    }

    fn mqtt(after: &[u8]) -> Option<Line<'_>> {
        let (name, rest) = read_name(after)?;
        if !matches!(rest, [] | [b':' | b' ', ..]) {
            return None;
        }
        let rest = trim_start_spaces(rest);
        let rest = rest.strip_prefix(b":").unwrap_or(rest);
        let rest = trim_end_spaces(trim_start_spaces(rest));
        let name = NAMES.iter().find(|(n, _)| *n == name)?.1;
        let ok = matches!(rest, b"OK" | b"");
        let mut n = Nums { rest };
        Some(match name {
            Name::PubAck | Name::PubRec | Name::PubComp | Name::PubRel => {
                let dup = flag(n.more()?)?;
                let packet_id = u16::try_from(n.last()?).ok()?;
                match name {
                    Name::PubAck => Line::PubAck { dup, packet_id },
                    Name::PubRec => Line::PubRec { dup, packet_id },
                    Name::PubComp => Line::PubComp { dup, packet_id },
                    _ => Line::PubRel { dup, packet_id },
                }
            }
            Name::PingResp if ok => Line::PingResp,
            Name::Disc if ok => Line::Disc,
            Name::SubAck => Line::SubAck {
                packet_id: u16::try_from(n.more()?).ok()?,
                code: u8::try_from(n.more()?).ok()?,
                topic: tail_topic(n.rest)?,
            },
            Name::UnsubAck => Line::UnsubAck {
                packet_id: u16::try_from(n.more()?).ok()?,
                topic: tail_topic(n.rest)?,
            },
            Name::To => Line::To(u16::try_from(n.last()?).ok()?),
            Name::Rec => match n.next()? {
                (v, false) => Line::ReconnectAttempt(u16::try_from(v).ok()?),
                (enabled, true) => Line::Reconnect {
                    enabled: flag(enabled)?,
                    attempts: u16::try_from(n.last()?).ok()?,
                },
            },
            Name::Open => match rest {
                b"OK" => Line::Open(true),
                b"FAIL" => Line::Open(false),
                _ => return None,
            },
            Name::Cfg => cfg(rest)?,
            Name::Stat => Line::Stat(u8::try_from(n.last()?).ok()?),
            Name::Sub if rest.is_empty() => Line::SubListHeader,
            Name::Ping => Line::PingEcho(u8::try_from(n.last()?).ok()?),
            Name::PingResp | Name::Disc | Name::Sub => return None,
        })
    }
}

/// What [`same_as_reference`] puts after `+MQTT`: every name and near misses.
const HEADS: &[&[u8]] = &[
    b"PUBACK",
    b"PUBREC",
    b"PUBCOMP",
    b"PUBREL",
    b"PINGRSP",
    b"PINGRESP",
    b"SUBACK",
    b"UNSUBACK",
    b"TO",
    b"REC",
    b"DISC",
    b"OPEN",
    b"CFG",
    b"STAT",
    b"SUB",
    b"PING",
    b"PUBACKS",
    b"PINGRESPX",
    b"PIN",
    b"P",
    b"",
    b"UNSUBACKX",
    b"pubAck",
    b"+MQTT",
];

/// What follows the name in [`same_as_reference`].
const SEPARATORS: &[&[u8]] = &[b":", b": ", b":  ", b" ", b" :", b"", b"::", b"x"];

/// Fields of the lines of [`same_as_reference`], joined by commas and spaces.
const VALUES: &[&[u8]] = &[
    b"0",
    b"1",
    b"2",
    b"01",
    b"12345",
    b"65535",
    b"65536",
    b"255",
    b"256",
    b"999999999",
    b"0000000001",
    b"1234567890",
    b"",
    b"OK",
    b"FAIL",
    b"\"",
    b"\"pyr\"",
    b"\"a\"b\"",
    b"t/x",
    b"(null)",
    b"\xc3\xa9",
    b"\xff",
    b" 1 ",
    b"1x",
];

/// The commas and spaces between fields in [`same_as_reference`].
const COMMAS: &[&[u8]] = &[b",", b",", b",", b" ,", b", ", b" , ", b" ", b",,"];

/// [`Line::parse`] decodes exactly as the reference does every line of
/// `+MQTT`, a name or near miss, a separator and up to two fields.
#[test]
fn same_as_reference_on_short_lines() {
    let mut lines = 0;
    for head in HEADS {
        for sep in SEPARATORS {
            let start = [&b"+MQTT"[..], head, sep].concat();
            let mut check = |line: &[u8]| {
                assert_eq!(Line::parse(line), reference::parse(line), "{line:?}");
                lines += 1;
            };
            check(&start);
            for a in VALUES {
                check(&[&start[..], a].concat());
                for comma in [&b","[..], b" , ", b",,"] {
                    for b in VALUES {
                        check(&[&start[..], a, comma, b].concat());
                    }
                }
            }
        }
    }
    assert_eq!(
        lines,
        HEADS.len() * SEPARATORS.len() * (1 + VALUES.len() * (1 + 3 * VALUES.len()))
    );
}

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config::with_cases(4096))]

    /// [`Line::parse`] decodes every line exactly as the reference does:
    /// `+MQTT`, a name or near miss, a separator, fields, and odd bytes.
    #[test]
    fn same_as_reference(
        prefix in 0..4usize,
        head in 0..HEADS.len(),
        sep in 0..SEPARATORS.len(),
        fields in proptest::collection::vec((0..VALUES.len(), 0..COMMAS.len()), 0..6),
        end in proptest::collection::vec(proptest::sample::select(&b" ,\"0OKx"[..]), 0..3),
    ) {
        let mut line = [&b"+MQTT"[..], b"+MQTT", b"+MQTT", b"+MQT"][prefix].to_vec();
        line.extend_from_slice(HEADS[head]);
        line.extend_from_slice(SEPARATORS[sep]);
        for (k, &(value, comma)) in fields.iter().enumerate() {
            if k > 0 {
                line.extend_from_slice(COMMAS[comma]);
            }
            line.extend_from_slice(VALUES[value]);
        }
        line.extend_from_slice(&end);
        proptest::prop_assert_eq!(Line::parse(&line), reference::parse(&line));
    }

    /// The same on lines of any bytes after `+MQTT` and a name.
    #[test]
    fn same_as_reference_on_any_bytes(
        head in 0..HEADS.len(),
        rest in proptest::collection::vec(proptest::num::u8::ANY, 0..16),
    ) {
        let line = [&b"+MQTT"[..], HEADS[head], &rest].concat();
        proptest::prop_assert_eq!(Line::parse(&line), reference::parse(&line));
    }
}

#[test]
fn same_as_reference_on_every_name() {
    // Each name alone, and in the shapes of its line, through both decoders.
    let mut text = NAME_TEXT;
    for &(len, _) in &NAMES {
        let (word, others) = text.split_at(usize::from(len));
        text = others;
        for tail in [
            &b""[..],
            b": OK",
            b":FAIL",
            b": 0,7",
            b": 0,1234567890",
            b": 1234567890",
            b": 0000000001",
            b": 1,0000000001",
            b": 123456789",
            b" 1,65535",
            b": 7,1,\"a/b\"",
            b": 3",
            b"X: 1",
            br#": "h",1883,"i",60,"u","***",1,"v",0"#,
            br#": "h",1883,"i",60,"u","***",1"#,
        ] {
            let line = [&b"+MQTT"[..], word, tail].concat();
            assert_eq!(Line::parse(&line), reference::parse(&line), "{line:?}");
        }
    }
    assert!(text.is_empty());
}
