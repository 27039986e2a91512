//! The RX side of every vector in `transcripts.md`, through the wire layer:
//! [`Digester`] frames, [`Line::parse`] lines, [`Urc`] events. Every input is
//! fed whole, one byte at a time, and in chunks of 2, 3 and 7 bytes; all five
//! feedings must give the same frames.

use ml302::digest::{Digester, Frame};
use ml302::line::{parse_sub_entry, CfgLine, Line};
use ml302::types::M5311State;
use ml302::{FramingError, ModemState, QoS, TimeoutKind, Urc};

mod wire_support;

use wire_support::F;

fn line(l: &[u8]) -> F {
    F::Line(l.to_vec())
}

fn publish(dup: u8, qos: u8, retained: u8, packet_id: u16, topic: &str, payload: &[u8]) -> F {
    F::Publish {
        dup: dup == 1,
        qos,
        retained: retained == 1,
        packet_id,
        topic: topic.to_owned(),
        payload: payload.to_vec(),
    }
}

/// Feeds `input` in chunks of `chunk` bytes into `d`, collecting the frames.
fn feed_into<const L: usize, const P: usize>(
    d: &mut Digester<L, P>,
    input: &[u8],
    chunk: usize,
) -> Vec<F> {
    let mut out = Vec::new();
    for piece in input.chunks(chunk.max(1)) {
        let mut rest = piece;
        while !rest.is_empty() {
            let (used, frame) = d.feed(rest);
            assert!(
                used >= 1 && used <= rest.len(),
                "used {used} of {}",
                rest.len()
            );
            rest = &rest[used..];
            if let Some(f) = frame {
                out.push(F::from(f));
            }
        }
    }
    out
}

/// Decodes `input` with every feeding; asserts they agree; returns the frames.
fn decode_sized<const L: usize, const P: usize>(input: &[u8], prompt: bool) -> Vec<F> {
    let mut results = Vec::new();
    for chunk in [input.len(), 1, 2, 3, 7] {
        let mut d: Digester<L, P> = Digester::new();
        d.expect_prompt(prompt);
        let frames = feed_into(&mut d, input, chunk);
        assert_eq!(d.stats().bytes, input.len() as u64);
        results.push((chunk, frames));
    }
    let (_, first) = results[0].clone();
    for (chunk, frames) in &results {
        assert_eq!(
            frames, &first,
            "chunk size {chunk} disagrees with whole input"
        );
    }
    first
}

fn decode(input: &[u8]) -> Vec<F> {
    decode_sized::<1024, 1024>(input, false)
}

/// Decodes one line frame.
fn parsed(f: &F) -> Line<'_> {
    match f {
        F::Line(l) => Line::parse(l),
        other => panic!("expected a line, got {other:?}"),
    }
}

/// The unsolicited reading of a decoded frame.
fn urc_of(f: &F) -> Option<Urc<'_>> {
    match f {
        F::Line(l) => Urc::from_frame(&Frame::Line(l)),
        F::Cme(n) => Urc::from_frame(&Frame::Cme(*n)),
        F::Publish {
            dup,
            qos,
            retained,
            packet_id,
            topic,
            payload,
        } => Urc::from_frame(&Frame::Publish(ml302::Publish {
            dup: *dup,
            qos: QoS::from_u8(*qos)?,
            retained: *retained,
            packet_id: *packet_id,
            topic,
            payload,
        })),
        F::TooLarge { topic, len } => Urc::from_frame(&Frame::MessageTooLarge { topic, len: *len }),
        _ => None,
    }
}

/// The decode of an exchange made of one information line and `OK`.
fn one_line_then_ok(wire: &[u8]) -> Vec<F> {
    let frames = decode(wire);
    assert_eq!(frames.len(), 2, "{frames:?}");
    assert_eq!(frames[1], F::Ok);
    frames
}

#[test]
fn t01_t09_t11_t12_t16_t26_ok_only() {
    assert_eq!(decode(b"\r\nOK\r\n"), [F::Ok]);
}

#[test]
fn t02_cfg_query() {
    let f = one_line_then_ok(
        b"\r\n+MQTTCFG: \"183.230.40.39\",6002,\"532337966\",60,\"246883\",\"***\",0,\"\",0\r\n\r\nOK\r\n",
    );
    assert_eq!(
        parsed(&f[0]),
        Line::Cfg(CfgLine {
            host: "183.230.40.39",
            port: 6002,
            client_id: "532337966",
            keep_alive: 60,
            user: "246883",
            clean_session: false,
            version: "",
            encrypt: false,
        })
    );
    assert_eq!(urc_of(&f[0]), None);
}

#[test]
fn t02_cfg_query_seven_fields() {
    let f = one_line_then_ok(b"\r\n+MQTTCFG:\"h\",1883,\"id\",10,\"u\",\"***\",1\r\n\r\nOK\r\n");
    assert_eq!(
        parsed(&f[0]),
        Line::Cfg(CfgLine {
            host: "h",
            port: 1883,
            client_id: "id",
            keep_alive: 10,
            user: "u",
            clean_session: true,
            version: "",
            encrypt: false,
        })
    );
}

#[test]
fn t03_open_ok() {
    let f = one_line_then_ok(b"\r\n+MQTTOPEN:OK\r\n\r\nOK\r\n");
    assert_eq!(parsed(&f[0]), Line::Open(true));
}

#[test]
fn t04_subscribe_ack() {
    let f = one_line_then_ok(b"\r\n+MQTTSUBACK:2,2,dev/gsm/u\r\n\r\nOK\r\n");
    assert_eq!(
        parsed(&f[0]),
        Line::SubAck {
            packet_id: 2,
            code: 2,
            topic: "dev/gsm/u"
        }
    );
    assert_eq!(urc_of(&f[0]), None);
}

#[test]
fn t05_subscription_list() {
    for wire in [
        &b"\r\n+MQTTSUB:\r\n\r\ndev/gsm/u\r\n\r\nOK\r\n"[..],
        b"\r\n+MQTTSUB: \r\ndev/gsm/u\r\n\r\nOK\r\n",
    ] {
        let f = decode(wire);
        assert_eq!(f.len(), 3, "{f:?}");
        assert_eq!(parsed(&f[0]), Line::SubListHeader);
        let F::Line(entry) = &f[1] else { panic!() };
        assert_eq!(parse_sub_entry(entry), Some(("dev/gsm/u", None)));
        assert_eq!(f[2], F::Ok);
    }
}

#[test]
fn t06_unsubscribe_ack() {
    let f = one_line_then_ok(b"\r\n+MQTTUNSUBACK:8,\"test\"\r\n\r\nOK\r\n");
    assert_eq!(
        parsed(&f[0]),
        Line::UnsubAck {
            packet_id: 8,
            topic: "test"
        }
    );
}

#[test]
fn t07_publish_qos2_acks() {
    let f = decode(b"\r\n+MQTTPUBREC:0,2\r\n\r\n+MQTTPUBCOMP:0,2\r\n\r\nOK\r\n");
    assert_eq!(f.len(), 3);
    assert_eq!(
        parsed(&f[0]),
        Line::PubRec {
            dup: false,
            packet_id: 2
        }
    );
    assert_eq!(
        parsed(&f[1]),
        Line::PubComp {
            dup: false,
            packet_id: 2
        }
    );
    assert_eq!(f[2], F::Ok);
}

#[test]
fn t08_publish_qos1_ack() {
    let f = one_line_then_ok(b"\r\n+MQTTPUBACK:0,5\r\n\r\nOK\r\n");
    assert_eq!(
        parsed(&f[0]),
        Line::PubAck {
            dup: false,
            packet_id: 5
        }
    );
}

#[test]
fn t10_disconnect() {
    let f = one_line_then_ok(b"\r\n+MQTTDISC: OK\r\n\r\nOK\r\n");
    assert_eq!(parsed(&f[0]), Line::Disc);
}

#[test]
fn t13_publish_normalised() {
    let f = decode(b"\r\n+MQTTPUBLISH: 0,0,0,0,\"test\",14,abc\\\"xxxx\\\"abc\r\n");
    assert_eq!(f, [publish(0, 0, 0, 0, "test", b"abc\\\"xxxx\\\"abc")]);
    assert!(matches!(urc_of(&f[0]), Some(Urc::Publish(p)) if p.payload.len() == 14));
}

#[test]
fn t13_publish_as_printed_waits_then_frames_by_length() {
    let printed = b"\r\n+MQTTPUBLISH: 0,0,0,0,\"test\",14,abc\"xxxx\"abc\r\n";
    for chunk in [printed.len(), 1, 5] {
        // Incomplete: the 14 bytes are `abc"xxxx"abc\r\n`; the terminator is due.
        let mut d: Digester = Digester::new();
        assert_eq!(feed_into(&mut d, printed, chunk), []);
        assert!(d.is_in_publish());
        assert_eq!(
            feed_into(&mut d, b"\r\n", chunk),
            [publish(0, 0, 0, 0, "test", b"abc\"xxxx\"abc\r\n")]
        );

        let mut d: Digester = Digester::new();
        assert_eq!(feed_into(&mut d, printed, chunk), []);
        assert_eq!(
            feed_into(&mut d, b"XY\r\nOK\r\n", chunk),
            [F::Malformed(FramingError::BadPublishTerminator), F::Ok]
        );
    }
}

#[test]
fn t14_publish_qos1() {
    let f = decode(b"\r\n+MQTTPUBLISH: 0,1,0,1,\"test\",14,abc\\\"xxxx\\\"abc\r\n");
    assert_eq!(f, [publish(0, 1, 0, 1, "test", b"abc\\\"xxxx\\\"abc")]);
}

#[test]
fn t14_publish_as_printed_is_incomplete() {
    let printed = b"\r\n+MQTTPUBLISH: 0,1,0,1,\"test\",14,abxxxxabc\r\n";
    for chunk in [printed.len(), 1] {
        let mut d: Digester = Digester::new();
        assert_eq!(feed_into(&mut d, printed, chunk), []);
        assert!(d.is_in_publish());
    }
}

const T15: &[u8] = b"\r\n+MQTTPUBLISH: 0,2,0,1,\"test\",23,{\"action\":\"leave_hbcd\"}\r\n\r\n+MQTTPUBREL: 0,1\r\n";

fn t15_expected() -> Vec<F> {
    vec![
        publish(0, 2, 0, 1, "test", b"{\"action\":\"leave_hbcd\"}"),
        line(b"+MQTTPUBREL: 0,1"),
    ]
}

#[test]
fn t15_publish_qos2_then_pubrel() {
    let f = decode(T15);
    assert_eq!(f, t15_expected());
    assert_eq!(
        urc_of(&f[1]),
        Some(Urc::PubRel {
            dup: false,
            packet_id: 1
        })
    );
}

#[test]
fn t17a_open_with_will() {
    let f = one_line_then_ok(b"\r\n+MQTTOPEN:OK\r\n\r\nOK\r\n");
    assert_eq!(parsed(&f[0]), Line::Open(true));
}

#[test]
fn t17b_subscribe_ack_bare_topic() {
    let f = one_line_then_ok(b"\r\n+MQTTSUBACK:1,1,pyr\r\n\r\nOK\r\n");
    assert_eq!(
        parsed(&f[0]),
        Line::SubAck {
            packet_id: 1,
            code: 1,
            topic: "pyr"
        }
    );
}

#[test]
fn t17c_t17g_publish_acks() {
    for (wire, id) in [
        (&b"\r\n+MQTTPUBACK:0,1\r\n\r\nOK\r\n"[..], 1),
        (b"\r\n+MQTTPUBACK:0,6\r\n\r\nOK\r\n", 6),
    ] {
        let f = one_line_then_ok(wire);
        assert_eq!(
            parsed(&f[0]),
            Line::PubAck {
                dup: false,
                packet_id: id
            }
        );
    }
}

#[test]
fn t17d_publish_between_ack_and_ok() {
    let f = decode(b"\r\n+MQTTPUBACK:0,3\r\n\r\n+MQTTPUBLISH:0,1,0,1,pyr,3,abc\r\n\r\nOK\r\n");
    assert_eq!(
        f,
        [
            line(b"+MQTTPUBACK:0,3"),
            publish(0, 1, 0, 1, "pyr", b"abc"),
            F::Ok
        ]
    );
    assert_eq!(
        parsed(&f[0]),
        Line::PubAck {
            dup: false,
            packet_id: 3
        }
    );
}

#[test]
fn t17e_publish_between_ack_and_ok() {
    let f = decode(b"\r\n+MQTTPUBACK:0,4\r\n\r\n+MQTTPUBLISH:0,1,0,1,pyr,6,abcdef\r\n\r\nOK\r\n");
    assert_eq!(
        f,
        [
            line(b"+MQTTPUBACK:0,4"),
            publish(0, 1, 0, 1, "pyr", b"abcdef"),
            F::Ok
        ]
    );
}

#[test]
fn t17f_unsubscribe_ack() {
    let f = one_line_then_ok(b"\r\n+MQTTUNSUBACK:5,\"pyr\"\r\n\r\nOK\r\n");
    assert_eq!(
        parsed(&f[0]),
        Line::UnsubAck {
            packet_id: 5,
            topic: "pyr"
        }
    );
}

#[test]
fn t18_disconnect_then_delete() {
    let f = decode(b"\r\n+MQTTDISC: OK\r\n\r\nOK\r\n\r\nOK\r\n");
    assert_eq!(f, [line(b"+MQTTDISC: OK"), F::Ok, F::Ok]);
    assert_eq!(parsed(&f[0]), Line::Disc);
}

#[test]
fn t19_chapter3_publish_urcs() {
    let f =
        decode(b"\r\n+MQTTPUBLISH:0,1,0,1,pyr,3,abc\r\n\r\n+MQTTPUBLISH:0,1,0,1,pyr,6,abcdef\r\n");
    assert_eq!(
        f,
        [
            publish(0, 1, 0, 1, "pyr", b"abc"),
            publish(0, 1, 0, 1, "pyr", b"abcdef")
        ]
    );
}

#[test]
fn t20_ping_response() {
    let f = decode(b"\r\n+MQTTPINGRSP: OK\r\n");
    assert_eq!(urc_of(&f[0]), Some(Urc::PingResp));
}

#[test]
fn t21_lost_pings_reconnects_and_give_up() {
    let wire = b"\r\n+MQTTPINGRESP:OK\r\n\r\n+MQTTPINGRESP:OK\r\n\r\n+MQTTTO:5\r\n\r\n+MQTTTO:5\r\n\r\n+MQTTTO:5\r\n\r\n+MQTTREC:0\r\n\r\n+MQTTREC:1\r\n\r\n+MQTTREC:2\r\n\r\n+MQTTDISC:OK\r\n";
    let f = decode(wire);
    let urcs: Vec<_> = f.iter().map(urc_of).collect();
    assert_eq!(
        urcs,
        [
            Some(Urc::PingResp),
            Some(Urc::PingResp),
            Some(Urc::AckTimeout(TimeoutKind::Ping)),
            Some(Urc::AckTimeout(TimeoutKind::Ping)),
            Some(Urc::AckTimeout(TimeoutKind::Ping)),
            Some(Urc::ReconnectAttempt(0)),
            Some(Urc::ReconnectAttempt(1)),
            Some(Urc::ReconnectAttempt(2)),
            Some(Urc::Disconnected),
        ]
    );
}

#[test]
fn t27_timeout_query_and_event() {
    let f = one_line_then_ok(b"\r\n+MQTTTO: 10\r\n\r\nOK\r\n");
    assert_eq!(parsed(&f[0]), Line::To(10));
    let f = decode(b"\r\n+MQTTTO: 3\r\n");
    assert_eq!(urc_of(&f[0]), Some(Urc::AckTimeout(TimeoutKind::Subscribe)));
    let f = decode(b"\r\n+MQTTTO:9\r\n");
    assert_eq!(
        urc_of(&f[0]),
        Some(Urc::AckTimeout(TimeoutKind::Unknown(9)))
    );
}

#[test]
fn t28_reconnect_query_and_attempt() {
    let f = one_line_then_ok(b"\r\n+MQTTREC: 1,0\r\n\r\nOK\r\n");
    assert_eq!(
        parsed(&f[0]),
        Line::Reconnect {
            enabled: true,
            attempts: 0
        }
    );
    assert_eq!(urc_of(&f[0]), None);
    let f = decode(b"\r\n+MQTTREC: 2\r\n");
    assert_eq!(parsed(&f[0]), Line::ReconnectAttempt(2));
    assert_eq!(urc_of(&f[0]), Some(Urc::ReconnectAttempt(2)));
}

#[test]
fn t29_ping_echo_query() {
    let f = one_line_then_ok(b"\r\n+MQTTPING: 1\r\n\r\nOK\r\n");
    assert_eq!(parsed(&f[0]), Line::PingEcho(1));
}

#[test]
fn t30_state_query() {
    let f = one_line_then_ok(b"\r\n+MQTTSTAT: 1\r\n\r\nOK\r\n");
    assert_eq!(parsed(&f[0]), Line::Stat(1));
    assert_eq!(ModemState::from_manual(1), ModemState::Connected);
    assert_eq!(M5311State::from_code(1), M5311State::Configured);
    let f = one_line_then_ok(b"\r\n+MQTTSTAT: 7\r\n\r\nOK\r\n");
    let Line::Stat(n) = parsed(&f[0]) else {
        panic!()
    };
    assert_eq!(ModemState::from_manual(n), ModemState::Unknown(7));
}

#[test]
fn t31_prompt_then_ack() {
    let ack = b"\r\n+MQTTPUBACK:0,7\r\n\r\nOK\r\n";
    for prompt in [&b"\r\n> "[..], b">", b"> ", b"\r\n>"] {
        let wire = [prompt, &ack[..]].concat();
        let f = decode_sized::<1024, 1024>(&wire, true);
        assert_eq!(
            f,
            [F::Prompt, line(b"+MQTTPUBACK:0,7"), F::Ok],
            "{prompt:?}"
        );
        assert_eq!(
            parsed(&f[1]),
            Line::PubAck {
                dup: false,
                packet_id: 7
            }
        );
    }
}

#[test]
fn t31_prompt_only_when_expected_and_only_once() {
    // Not expected: `>` starts an ordinary line.
    assert_eq!(decode(b"\r\n> x\r\n"), [line(b"> x")]);
    // Expected: recognised once, then the flag is clear again.
    let mut d: Digester = Digester::new();
    d.expect_prompt(true);
    assert_eq!(feed_into(&mut d, b"\r\n> ", 1), [F::Prompt]);
    assert!(!d.is_expecting_prompt());
    assert_eq!(feed_into(&mut d, b"\r\n>\r\n", 1), [line(b">")]);
}

#[test]
fn t32_error_instead_of_prompt() {
    assert_eq!(
        decode_sized::<1024, 1024>(b"\r\n+CME ERROR: 600\r\n", true),
        [F::Cme(600)]
    );
}

#[test]
fn t33_real_trace_quoted_payload() {
    let f = decode(b"\r\n+MQTTPUBLISH: 0,0,0,0,\"car-manager/lock\",8,\"UNLOCK\"\r\n");
    assert_eq!(f, [publish(0, 0, 0, 0, "car-manager/lock", b"\"UNLOCK\"")]);
}

#[test]
fn t34_payload_with_ok_inside() {
    let f = decode(b"\r\n+MQTTPUBLISH: 0,0,0,0,\"bin/blob\",8,a\r\nOK\r\nb\r\n");
    assert_eq!(f, [publish(0, 0, 0, 0, "bin/blob", b"a\r\nOK\r\nb")]);
}

#[test]
fn t35_payload_with_fake_publish_inside() {
    let inner = b"\r\n+MQTTPUBLISH: 0,0,0,0,\"x\",3,abc\r\n";
    assert_eq!(inner.len(), 35);
    let f = decode(
        b"\r\n+MQTTPUBLISH: 0,1,0,77,\"bin/blob\",35,\r\n+MQTTPUBLISH: 0,0,0,0,\"x\",3,abc\r\n\r\n",
    );
    assert_eq!(f, [publish(0, 1, 0, 77, "bin/blob", inner)]);
}

#[test]
fn t36_zero_length_payload() {
    let f = decode(b"\r\n+MQTTPUBLISH: 0,0,1,0,\"t\",0,\r\n");
    assert_eq!(f, [publish(0, 0, 1, 0, "t", b"")]);
}

#[test]
fn t37a_binary_message_between_ack_and_ok() {
    let f = decode(
        b"\r\n+MQTTSUBACK:9,1,s\r\n\r\n+MQTTPUBLISH: 0,1,0,4,\"s\",5,\r\n\x00OK\r\n\r\nOK\r\n",
    );
    assert_eq!(
        f,
        [
            line(b"+MQTTSUBACK:9,1,s"),
            publish(0, 1, 0, 4, "s", b"\r\n\x00OK"),
            F::Ok
        ]
    );
    assert_eq!(
        parsed(&f[0]),
        Line::SubAck {
            packet_id: 9,
            code: 1,
            topic: "s"
        }
    );
}

#[test]
fn t37b_short_length_is_a_framing_error_then_ok() {
    let f = decode(
        b"\r\n+MQTTSUBACK:9,1,s\r\n\r\n+MQTTPUBLISH: 0,1,0,4,\"s\",4,\r\n\x00OK\r\n\r\nOK\r\n",
    );
    assert_eq!(
        f,
        [
            line(b"+MQTTSUBACK:9,1,s"),
            F::Malformed(FramingError::BadPublishTerminator),
            F::Ok
        ]
    );
}

#[test]
fn t38_payload_on_its_own_line() {
    let f = decode(b"\r\n+MQTTPUBLISH: 0,0,0,0,\"test\",5\r\nhello\r\n");
    assert_eq!(f, [publish(0, 0, 0, 0, "test", b"hello")]);
}

#[test]
fn t39_same_frame_in_pieces() {
    // The named split points: inside `+MQTTPUB`, inside the topic, right after the
    // length's comma, mid-payload, between payload and CR, between CR and LF.
    let at = |needle: &[u8], off: usize| {
        T15.windows(needle.len()).position(|w| w == needle).unwrap() + off
    };
    let payload_end = at(b"}\r\n", 1);
    let named = [
        at(b"+MQTTPUB", 5),
        at(b"\"test\"", 3),
        at(b"23,", 3),
        at(b"leave", 2),
        payload_end,
        payload_end + 1,
    ];
    let mut d: Digester = Digester::new();
    let mut frames = Vec::new();
    let mut start = 0;
    for &cut in named.iter().chain([T15.len()].iter()) {
        let got = feed_into(&mut d, &T15[start..cut], T15.len());
        if cut < payload_end + 2 {
            assert_eq!(got, [], "incomplete before {cut}");
        }
        frames.extend(got);
        start = cut;
    }
    assert_eq!(frames, t15_expected());

    // Every split into three pieces.
    for i in 0..=T15.len() {
        for j in i..=T15.len() {
            let mut d: Digester = Digester::new();
            let mut frames = feed_into(&mut d, &T15[..i], T15.len());
            frames.extend(feed_into(&mut d, &T15[i..j], T15.len()));
            frames.extend(feed_into(&mut d, &T15[j..], T15.len()));
            assert_eq!(frames, t15_expected(), "split at {i}, {j}");
        }
    }
}

#[test]
fn t40_malformed_headers_resync() {
    let rows: [(&[u8], FramingError); 6] = [
        (
            b"\r\n+MQTTPUBLISH: 0,3,0,0,\"t\",1,x\r\n",
            FramingError::BadPublishHeader,
        ),
        (
            b"\r\n+MQTTPUBLISH: 0,0,0,0,\"t\",1a,x\r\n",
            FramingError::BadPublishLength,
        ),
        (
            b"\r\n+MQTTPUBLISH: 0,0,0,0,\"t,1,x\r\n",
            FramingError::BadPublishTopic,
        ),
        (
            b"\r\n+MQTTPUBLISH: 0,0,0,0,\"t\",999999,x\r\n",
            FramingError::BadPublishLength,
        ),
        (
            b"\r\n+MQTTPUBLISH: 0,0,0,0,\"t\",3,abcde\r\n",
            FramingError::BadPublishTerminator,
        ),
        (
            b"\r\n+MQTTPUBLISH: 0,0,0,70000,\"t\",1,x\r\n",
            FramingError::BadPublishHeader,
        ),
    ];
    for (wire, err) in rows {
        let input = [wire, &b"\r\nOK\r\n"[..]].concat();
        assert_eq!(
            decode(&input),
            [F::Malformed(err), F::Ok],
            "{}",
            String::from_utf8_lossy(wire)
        );
    }
}

#[test]
fn t40_message_too_large_stays_in_sync() {
    let wire = b"\r\n+MQTTPUBLISH: 0,0,0,0,\"t\",20,01234567890123456789\r\n\r\nOK\r\n";
    let f = decode_sized::<1024, 16>(wire, false);
    assert_eq!(
        f,
        [
            F::TooLarge {
                topic: "t".into(),
                len: 20
            },
            F::Ok
        ]
    );
    assert_eq!(
        urc_of(&f[0]),
        Some(Urc::MessageTooLarge {
            topic: "t",
            len: 20
        })
    );
    // The same message fits the default buffer.
    assert_eq!(
        decode(wire),
        [publish(0, 0, 0, 0, "t", b"01234567890123456789"), F::Ok]
    );
}

#[test]
fn t41_final_result_forms() {
    let rows: [(&[u8], F); 5] = [
        (b"\r\n+CME ERROR: 603\r\n", F::Cme(603)),
        (b"\r\n+CME ERROR:603\r\n", F::Cme(603)),
        (b"\r\nERROR\r\n", F::Error),
        (b"\r\n+CME ERROR\r\n", F::Error),
        (b"\r\n+CME ERROR: 50\r\n", F::Cme(50)),
    ];
    for (wire, want) in rows {
        assert_eq!(decode(wire), [want]);
    }
}

#[test]
fn t42_unsolicited_cme_609() {
    let f = decode(b"\r\n+CME ERROR: 609\r\n");
    assert_eq!(f, [F::Cme(609)]);
    assert_eq!(urc_of(&f[0]), Some(Urc::BadIncomingPublish));
    assert_eq!(urc_of(&F::Cme(619)), Some(Urc::BadIncomingPubRel));
    assert_eq!(urc_of(&F::Cme(603)), None);
}

#[test]
fn t43_ok_before_open_result() {
    let f = decode(b"\r\nOK\r\n\r\n+MQTTOPEN: OK\r\n");
    assert_eq!(f[0], F::Ok);
    assert_eq!(parsed(&f[1]), Line::Open(true));
    assert_eq!(urc_of(&f[1]), Some(Urc::Reopened(true)));
}

#[test]
fn t44_connack_refused() {
    let f = decode(b"\r\n+MQTTOPEN:FAIL\r\n\r\n+CME ERROR: 614\r\n");
    assert_eq!(f.len(), 2);
    assert_eq!(parsed(&f[0]), Line::Open(false));
    assert_eq!(f[1], F::Cme(614));
}

#[test]
fn t45_subscription_refused() {
    let f = decode(b"\r\n+MQTTSUBACK:3,128,no/such\r\n\r\n+CME ERROR: 605\r\n");
    assert_eq!(
        parsed(&f[0]),
        Line::SubAck {
            packet_id: 3,
            code: 128,
            topic: "no/such"
        }
    );
    assert_eq!(f[1], F::Cme(605));
}

#[test]
fn t46_cfg_no_client() {
    let f = one_line_then_ok(
        b"\r\n+MQTTCFG:\"(null)\",0,\"(null)\",0,\"(null)\",\"***\",0,\"(null)\",0\r\n\r\nOK\r\n",
    );
    assert_eq!(parsed(&f[0]), Line::CfgNoClient);
    // Decided by the host field alone.
    assert_eq!(
        Line::parse(b"+MQTTCFG:\"(null)\",garbage"),
        Line::CfgNoClient
    );
    assert_eq!(Line::parse(b"+MQTTCFG: \"(null)\""), Line::CfgNoClient);
}

#[test]
fn t47_echo_left_on() {
    for wire in [
        &b"AT+MQTTPING=0\r\n\r\nOK\r\n"[..],
        b"AT+MQTTPING=0\r\r\nOK\r\n",
    ] {
        let f = decode(wire);
        assert_eq!(f, [line(b"AT+MQTTPING=0"), F::Ok]);
        assert_eq!(parsed(&f[0]), Line::Text(b"AT+MQTTPING=0"));
        assert_eq!(urc_of(&f[0]), None);
    }
}

#[test]
fn t48_subscription_list_variants() {
    type Entries = Vec<(&'static str, Option<QoS>)>;
    let rows: [(&[u8], Entries); 3] = [
        (b"\r\n+MQTTSUB:\r\n\r\nOK\r\n", vec![]),
        (
            b"\r\n+MQTTSUB: \r\na/b\r\nc/#\r\n\r\nOK\r\n",
            vec![("a/b", None), ("c/#", None)],
        ),
        (
            b"\r\n+MQTTSUB:\r\n\r\na/b,1\r\n\r\n+/x,0\r\n\r\nOK\r\n",
            vec![
                ("a/b", Some(QoS::AtLeastOnce)),
                ("+/x", Some(QoS::AtMostOnce)),
            ],
        ),
    ];
    for (wire, want) in rows {
        let f = decode(wire);
        assert_eq!(parsed(&f[0]), Line::SubListHeader);
        assert_eq!(f.last(), Some(&F::Ok));
        let entries: Vec<_> = f[1..f.len() - 1]
            .iter()
            .map(|e| match e {
                F::Line(l) => parse_sub_entry(l).unwrap(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(entries, want);
    }
}

#[test]
fn t49_ping_and_disconnect_spellings() {
    for wire in [
        &b"\r\n+MQTTPINGRSP: OK\r\n"[..],
        b"\r\n+MQTTPINGRSP:OK\r\n",
        b"\r\n+MQTTPINGRESP:OK\r\n",
        b"\r\n+MQTTPINGRESP: OK\r\n",
    ] {
        let f = decode(wire);
        assert_eq!(urc_of(&f[0]), Some(Urc::PingResp));
        assert_eq!(Urc::parse(wire), Some(Urc::PingResp));
    }
    for wire in [&b"\r\n+MQTTDISC: OK\r\n"[..], b"\r\n+MQTTDISC:OK\r\n"] {
        let f = decode(wire);
        assert_eq!(urc_of(&f[0]), Some(Urc::Disconnected));
        assert_eq!(Urc::parse(wire), Some(Urc::Disconnected));
    }
}

#[test]
fn urc_parse_agrees_with_digester_on_publish_vectors() {
    for wire in [
        &b"\r\n+MQTTPUBLISH: 0,0,0,0,\"test\",14,abc\\\"xxxx\\\"abc\r\n"[..],
        b"\r\n+MQTTPUBLISH:0,1,0,1,pyr,6,abcdef\r\n",
        b"\r\n+MQTTPUBLISH: 0,0,0,0,\"bin/blob\",8,a\r\nOK\r\nb\r\n",
        b"\r\n+MQTTPUBLISH: 0,0,1,0,\"t\",0,\r\n",
        b"\r\n+MQTTPUBLISH: 0,0,0,0,\"test\",5\r\nhello\r\n",
    ] {
        let f = decode(wire);
        assert_eq!(f.len(), 1);
        assert_eq!(Urc::parse(wire), urc_of(&f[0]));
        assert!(Urc::parse(wire).is_some());
    }
}

#[test]
fn ok_and_ack_on_one_line_split() {
    // One real trace prints `OK +MQTTSUBACK:…` on one line (spec §2.4).
    let f = decode(b"\r\nOK +MQTTSUBACK:1,1,pyr\r\n");
    assert_eq!(f, [F::Ok, line(b"+MQTTSUBACK:1,1,pyr")]);
    let f = decode(b"\r\nOK  +MQTTPUBLISH:0,0,0,0,t,2,hi\r\n");
    assert_eq!(f, [F::Ok, publish(0, 0, 0, 0, "t", b"hi")]);
    // Not a split: text after `OK `.
    assert_eq!(decode(b"\r\nOK then\r\n"), [line(b"OK then")]);
}

#[test]
fn long_line_reported_once_then_resync() {
    let mut wire = b"\r\n".to_vec();
    wire.extend(std::iter::repeat_n(b'x', 100));
    wire.extend_from_slice(b"\r\nOK\r\n");
    let f = decode_sized::<16, 16>(&wire, false);
    assert_eq!(f, [F::Malformed(FramingError::LineTooLong), F::Ok]);
    // Exactly LINE bytes still fit.
    let f = decode_sized::<16, 16>(b"\r\n0123456789abcdef\r\n", false);
    assert_eq!(f, [line(b"0123456789abcdef")]);
}

#[test]
fn lone_cr_and_lone_lf_end_lines() {
    assert_eq!(
        decode(b"OK\rERROR\n+CME ERROR: 5\r"),
        [F::Ok, F::Error, F::Cme(5)]
    );
}
