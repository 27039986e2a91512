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
