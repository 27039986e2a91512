//! The atat adapter on transcripts, through atat's own `Ingress`, and the
//! property that it frames like this crate's digester for every chunking.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::arithmetic_side_effects
)]

use super::*;
use crate::command::{body_lines, OpenResponse, PublishResponse};
use crate::digest::Digester;
use proptest::prelude::*;
use std::string::String;
use std::vec::Vec as StdVec;

/// What came out of the ingress, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Out {
    /// A final result: the body's lines, or the error.
    Answer(Result<StdVec<StdVec<u8>>, String>),
    /// A URC, as its `Debug` text.
    Urc(String),
}

/// Feeds `input` in chunks of `chunk` bytes to an [`AtatDigester`] over an
/// `INGRESS`-byte buffer, the way atat's `Ingress::try_advance` does (digest,
/// drop what was swallowed, again until nothing is swallowed); collects
/// answers and URCs (through [`UrcBuf`], as atat's URC channel would).
fn run<const INGRESS: usize>(input: &[u8], chunk: usize) -> (StdVec<Out>, StdVec<Out>) {
    let mut d = AtatDigester::<INGRESS>::new();
    let mut buf: StdVec<u8> = StdVec::new();
    let (mut answers, mut events) = (StdVec::new(), StdVec::new());
    for piece in input.chunks(chunk.max(1)) {
        let mut rest = piece;
        while !rest.is_empty() {
            let room = INGRESS - buf.len();
            assert!(room > 0, "the ingress buffer never stays full");
            let n = room.min(rest.len());
            buf.extend_from_slice(&rest[..n]);
            rest = &rest[n..];
            while !buf.is_empty() {
                let (result, swallowed) = atat::Digester::digest(&mut d, &buf);
                match result {
                    DigestResult::Urc(u) => {
                        let u = <UrcBuf<256> as atat::AtatUrc>::parse(u).unwrap();
                        events.push(Out::Urc(std::format!("{:?}", u.urc())));
                    }
                    DigestResult::Response(r) => answers.push(Out::Answer(match r {
                        Ok(body) => Ok(body_lines(body).map(|l| l.to_vec()).collect()),
                        Err(InternalError::Error) => Err("error".into()),
                        Err(InternalError::CmeError(c)) => {
                            Err(std::format!("cme {}", u16::from(c)))
                        }
                        Err(e) => Err(std::format!("{e:?}")),
                    })),
                    DigestResult::Prompt(_) => panic!("no prompt"),
                    DigestResult::None => {}
                }
                assert!(swallowed <= buf.len());
                if swallowed == 0 {
                    break;
                }
                buf.drain(..swallowed);
            }
        }
    }
    (answers, events)
}

fn lines(ls: &[&[u8]]) -> Out {
    Out::Answer(Ok(ls.iter().map(|l| l.to_vec()).collect()))
}

fn urc(u: Urc<'_>) -> Out {
    Out::Urc(std::format!("{u:?}"))
}

fn publish<'a>(topic: &'a str, payload: &'a [u8]) -> Urc<'a> {
    Urc::Publish(crate::Publish {
        dup: false,
        qos: crate::QoS::AtMostOnce,
        retained: false,
        packet_id: 0,
        topic,
        payload,
    })
}

#[test]
fn manual_example_3_2_the_answer_then_the_message() {
    // Spec §1.3: a `+MQTTPUBLISH` between `+MQTTPUBACK` and `OK`.
    let t = b"\r\n+MQTTPUBACK:0,5\r\n\r\n+MQTTPUBLISH:0,0,0,0,\"a/b\",6,OK\r\n:)\r\n\r\nOK\r\n";
    for chunk in 1..t.len() {
        let (answers, events) = run::<256>(t, chunk);
        assert_eq!(answers, [lines(&[b"+MQTTPUBACK:0,5"])], "chunk {chunk}");
        assert_eq!(events, [urc(publish("a/b", b"OK\r\n:)"))], "chunk {chunk}");
    }
    let body = b"+MQTTPUBACK:0,5";
    assert_eq!(
        PublishResponse::parse(body).unwrap(),
        PublishResponse::Acked { packet_id: 5 }
    );
}

#[test]
fn payloads_that_look_like_results_stay_payloads() {
    let fake = b"\r\nOK\r\n+CME ERROR: 601\r\n+MQTTPUBLISH:0,0,0,0,x,1,y\r\n";
    let mut t = std::format!("\r\n+MQTTPUBLISH:0,1,0,7,dev/u,{},", fake.len()).into_bytes();
    t.extend_from_slice(fake);
    t.extend_from_slice(b"\r\n\r\n+MQTTSTAT: 1\r\n\r\nOK\r\n");
    for chunk in [1, 2, 3, 7, 64, t.len()] {
        let (answers, events) = run::<256>(&t, chunk);
        assert_eq!(answers, [lines(&[b"+MQTTSTAT: 1"])]);
        let mut p = publish("dev/u", fake);
        if let Urc::Publish(m) = &mut p {
            m.qos = crate::QoS::AtLeastOnce;
            m.packet_id = 7;
        }
        assert_eq!(events, [urc(p)]);
    }
}

#[test]
fn an_error_is_never_merged_with_the_lines_after_it() {
    let t = b"AT+MQTTOPEN=0,0,0,0,0,\"\",\"\"\r\r\n+MQTTOPEN:FAIL\r\n\r\n+CME ERROR: 603\r\n\r\n+MQTTPINGRSP: OK\r\nAT+MQTTSTAT?\r\r\n+MQTTSTAT: 0\r\n\r\nOK\r\n";
    for chunk in 1..t.len() {
        let (answers, events) = run::<256>(t, chunk);
        assert_eq!(
            answers,
            [
                Out::Answer(Err("cme 603".into())),
                lines(&[b"+MQTTSTAT: 0"])
            ]
        );
        assert_eq!(events, [urc(Urc::PingResp)]);
    }
    let (answers, _) = run::<256>(b"ERROR\r\nOK\r\n", 1);
    assert_eq!(answers, [Out::Answer(Err("error".into())), lines(&[])]);
}

#[test]
fn unsolicited_cme_errors_are_urcs() {
    let t = b"\r\n+CME ERROR: 609\r\n\r\n+CME ERROR: 619\r\n";
    let (answers, events) = run::<64>(t, 1);
    assert!(answers.is_empty());
    assert_eq!(
        events,
        [urc(Urc::BadIncomingPublish), urc(Urc::BadIncomingPubRel)]
    );
}

#[test]
fn the_echo_tells_answers_from_events() {
    // Echo on: `+MQTTOPEN:OK` answers the echoed `AT+MQTTOPEN`.
    let t = b"AT+MQTTOPEN=0,0,0,0,0,\"\",\"\"\r\r\n+MQTTOPEN:OK\r\n\r\nOK\r\n";
    let (answers, events) = run::<128>(t, 5);
    assert_eq!(answers, [lines(&[b"+MQTTOPEN:OK"])]);
    assert!(events.is_empty());
    assert_eq!(
        OpenResponse::parse(b"+MQTTOPEN:OK").unwrap(),
        OpenResponse::Accepted
    );
    // Another command echoed: the same line is an event.
    let t = b"AT\r\r\n+MQTTOPEN:OK\r\n\r\nOK\r\n";
    let (answers, events) = run::<128>(t, 5);
    assert_eq!(answers, [lines(&[])]);
    assert_eq!(events, [urc(Urc::Reopened(true))]);
    // `AT+MQTTTO?` claims `+MQTTTO:`; afterwards it is an ACK time-out again.
    let t = b"AT+MQTTTO?\r\r\n+MQTTTO: 10\r\n\r\nOK\r\n\r\n+MQTTTO: 2\r\n";
    let (answers, events) = run::<128>(t, 3);
    assert_eq!(answers, [lines(&[b"+MQTTTO: 10"])]);
    assert_eq!(
        events,
        [urc(Urc::AckTimeout(crate::TimeoutKind::from_code(2)))]
    );
}

#[test]
fn with_echo_a_line_no_command_asked_for_is_an_event() {
    // A late ACK after the answer: with echo on it is no answer's body, and
    // the message after it is not held back.
    let t = b"AT\r\r\nOK\r\n\r\n+MQTTSUBACK:1,1,t\r\n\r\n+MQTTPUBLISH:0,0,0,0,t,1,x\r\n";
    for chunk in 1..t.len() {
        let (answers, events) = run::<64>(t, chunk);
        assert_eq!(answers, [lines(&[])]);
        assert_eq!(
            events,
            [
                urc(Urc::Unknown(b"+MQTTSUBACK:1,1,t")),
                urc(publish("t", b"x"))
            ]
        );
    }
    // After an echoed `ATE0`, answers come without echo.
    let t = b"ATE0\r\r\nOK\r\n\r\n+MQTTSTAT: 1\r\n\r\nOK\r\n";
    let (answers, events) = run::<64>(t, 4);
    assert_eq!(answers, [lines(&[]), lines(&[b"+MQTTSTAT: 1"])]);
    assert!(events.is_empty());
}

#[test]
fn lines_of_a_command_given_up_do_not_join_the_next_answer() {
    // `AT+MQTTSTAT?` got its line but never its final result (atat gave up);
    // the next command's answer is its own.
    let t = b"AT+MQTTSTAT?\r\r\n+MQTTSTAT: 0\r\nAT+MQTTSTAT?\r\r\n+MQTTSTAT: 1\r\n\r\nOK\r\n";
    for chunk in 1..t.len() {
        let (answers, events) = run::<128>(t, chunk);
        assert_eq!(answers, [lines(&[b"+MQTTSTAT: 1"])], "chunk {chunk}");
        assert_eq!(
            events,
            [urc(Urc::Unknown(b"+MQTTSTAT: 0"))],
            "chunk {chunk}"
        );
    }
}

#[test]
fn ok_and_an_ack_on_one_line() {
    let t = b"\r\nOK +MQTTPINGRSP: OK\r\n";
    for chunk in 1..t.len() {
        let (answers, events) = run::<64>(t, chunk);
        assert_eq!(answers, [lines(&[])]);
        assert_eq!(events, [urc(Urc::PingResp)]);
    }
}

#[test]
fn lines_after_a_urc_inside_an_answer_are_not_lost() {
    let t = b"\r\n+MQTTPUBREC:0,9\r\n\r\n+MQTTPUBLISH:0,0,0,0,t,1,x\r\n\r\n+MQTTPUBCOMP:0,9\r\n\r\nOK\r\n";
    for chunk in 1..t.len() {
        let (answers, events) = run::<128>(t, chunk);
        assert_eq!(answers, [lines(&[b"+MQTTPUBREC:0,9"])]);
        assert_eq!(
            events,
            [
                urc(publish("t", b"x")),
                urc(Urc::Unknown(b"+MQTTPUBCOMP:0,9"))
            ]
        );
    }
}

#[test]
fn a_message_larger_than_the_ingress_is_reported_and_skipped() {
    let payload = [b'O'; 200];
    let mut t = b"\r\n+MQTTPUBLISH:0,0,0,0,\"big/t\",200,".to_vec();
    t.extend_from_slice(&payload);
    t.extend_from_slice(b"\r\n\r\n+MQTTPUBLISH:0,0,0,0,s,2,hi\r\n\r\nOK\r\n");
    for chunk in [1, 5, 16, 63, 64] {
        let (answers, events) = run::<64>(&t, chunk);
        assert_eq!(answers, [lines(&[])], "chunk {chunk}");
        assert_eq!(
            events,
            [
                urc(Urc::MessageTooLarge {
                    topic: "big/t",
                    len: 200
                }),
                urc(publish("s", b"hi"))
            ],
            "chunk {chunk}"
        );
    }
}

#[test]
fn a_line_or_an_answer_larger_than_the_ingress_never_blocks_it() {
    // One line longer than the ingress buffer.
    let mut t = [b'x'; 100].to_vec();
    t.extend_from_slice(b"\r\n\r\n+MQTTPINGRSP: OK\r\n");
    let (answers, events) = run::<32>(&t, 7);
    assert!(answers.is_empty());
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(matches!(&events[0], Out::Urc(s) if s.starts_with("Unknown")));
    assert_eq!(events[1], urc(Urc::PingResp));
    // An answer whose lines do not fit together: handed over line by line.
    let t = b"+MQTTSUB:\r\naaaaaaaa/1\r\naaaaaaaa/2\r\naaaaaaaa/3\r\n\r\nOK\r\n";
    let (answers, events) = run::<24>(t, 3);
    assert_eq!(answers, [lines(&[])]);
    assert_eq!(
        events,
        [
            urc(Urc::Unknown(b"+MQTTSUB:")),
            urc(Urc::Unknown(b"aaaaaaaa/1")),
            urc(Urc::Unknown(b"aaaaaaaa/2")),
            urc(Urc::Unknown(b"aaaaaaaa/3")),
        ]
    );
}

#[test]
fn framing_errors_are_reported_and_resynchronised() {
    let t = b"\r\n+MQTTPUBLISH:0,0,0,0,t,3,abcXY garbage\r\n\r\n+MQTTPINGRSP: OK\r\n";
    for chunk in 1..t.len() {
        let (answers, events) = run::<64>(t, chunk);
        assert!(answers.is_empty());
        assert_eq!(events.len(), 2, "chunk {chunk}: {events:?}");
        assert!(matches!(&events[0], Out::Urc(s) if s.starts_with("Unknown")));
        assert_eq!(events[1], urc(Urc::PingResp));
    }
}

#[test]
fn urc_buf_keeps_what_fits() {
    let u =
        UrcBuf::<16>::from_bytes(b"\r\n+MQTTPUBLISH:0,0,0,0,\"a/b\",20,01234567890123456789\r\n");
    assert_eq!(
        u.urc(),
        Urc::MessageTooLarge {
            topic: "a/b",
            len: 20
        }
    );
    let u = UrcBuf::<64>::from_bytes(b"+MQTTPUBREL: 0,3");
    assert_eq!(
        u.urc(),
        Urc::PubRel {
            dup: false,
            packet_id: 3
        }
    );
    let u = UrcBuf::<4>::from_bytes(b"whatever this is\r\n");
    assert_eq!(u.urc(), Urc::Unknown(b"what"));
}

// ---------------------------------------------------------------------------------
// The property: the same frames as this crate's digester, for every chunking.

/// Pieces of a modem stream.
fn atom() -> impl Strategy<Value = StdVec<u8>> {
    let payload = prop::collection::vec(
        prop_oneof![
            Just(b'\r'),
            Just(b'\n'),
            Just(b'O'),
            Just(b'K'),
            Just(b'+'),
            any::<u8>()
        ],
        0..24,
    );
    prop_oneof![
        Just(b"\r\nOK\r\n".to_vec()),
        Just(b"\r\nERROR\r\n".to_vec()),
        (600u16..622).prop_map(|n| std::format!("\r\n+CME ERROR: {n}\r\n").into_bytes()),
        Just(b"\r\n+CME ERROR: 609\r\n".to_vec()),
        Just(b"\r\n+MQTTPUBACK:0,5\r\n".to_vec()),
        Just(b"\r\n+MQTTSTAT: 1\r\n".to_vec()),
        Just(b"\r\n+MQTTPINGRSP: OK\r\n".to_vec()),
        Just(b"\r\n+MQTTREC:2\r\n".to_vec()),
        Just(b"\r\nOK +MQTTPUBREL: 0,4\r\n".to_vec()),
        (payload, "[a-z/]{1,6}").prop_map(|(p, t)| {
            let mut v = std::format!("\r\n+MQTTPUBLISH:0,1,0,3,\"{t}\",{},", p.len()).into_bytes();
            v.extend_from_slice(&p);
            v.extend_from_slice(b"\r\n");
            v
        }),
    ]
}

/// URCs and final results of `stream` as this crate's digester frames it
/// (URCs through [`Urc::from_frame`], final results by kind).
fn reference(stream: &[u8]) -> (StdVec<String>, StdVec<String>) {
    let mut d: Digester<256, 256> = Digester::new();
    let (mut urcs, mut finals) = (StdVec::new(), StdVec::new());
    let mut rest = stream;
    while !rest.is_empty() {
        let (used, frame) = d.feed(rest);
        rest = &rest[used..];
        match frame {
            Some(Frame::Ok) => finals.push("ok".into()),
            Some(Frame::Error) => finals.push("error".into()),
            Some(f @ Frame::Cme(n)) => match Urc::from_frame(&f) {
                Some(u) => urcs.push(std::format!("{u:?}")),
                None => finals.push(std::format!("cme {n}")),
            },
            Some(f) => {
                if let Some(u) = Urc::from_frame(&f) {
                    urcs.push(std::format!("{u:?}"));
                }
            }
            None => {}
        }
    }
    (urcs, finals)
}

fn kinds(answers: &[Out]) -> StdVec<String> {
    answers
        .iter()
        .map(|a| match a {
            Out::Answer(Ok(_)) => "ok".into(),
            Out::Answer(Err(e)) => e.clone(),
            Out::Urc(_) => unreachable!(),
        })
        .collect()
}

proptest! {
    #[test]
    fn frames_like_the_crate_digester_for_every_chunking(
        atoms in prop::collection::vec(atom(), 0..12),
        chunk in 1usize..80,
    ) {
        // Ends with a final result: a URC that came inside an answer is
        // handed over once the answer is.
        let mut stream: StdVec<u8> = atoms.concat();
        stream.extend_from_slice(b"\r\nOK\r\n");
        let (want_urcs, want_finals) = reference(&stream);
        let (answers, events) = run::<256>(&stream, chunk);
        let urcs: StdVec<String> = events
            .iter()
            .map(|e| match e { Out::Urc(s) => s.clone(), Out::Answer(_) => unreachable!() })
            .filter(|s| !s.starts_with("Unknown"))
            .collect();
        prop_assert_eq!(urcs, want_urcs);
        prop_assert_eq!(kinds(&answers), want_finals);
        // And the same whatever the chunking.
        let whole = run::<256>(&stream, stream.len().max(1));
        prop_assert_eq!(whole, (answers, events));
    }
}

/// Bytes a hostile or broken modem might send: the framing's special bytes
/// often, anything else too.
fn hostile() -> impl Strategy<Value = StdVec<u8>> {
    let byte = prop_oneof![
        Just(b'\r'),
        Just(b'\n'),
        Just(b'+'),
        Just(b','),
        Just(b'"'),
        Just(b'0'),
        Just(b'9'),
        any::<u8>()
    ];
    let piece = prop_oneof![
        prop::collection::vec(byte, 0..40),
        atom(),
        Just(b"+MQTTPUBLISH:".to_vec()),
        Just(b"AT+MQTTOPEN=0,0,0,0,0,\"\",\"\"\r".to_vec()),
        Just(b"+MQTTPUBLISH:0,0,0,0,t,60000,".to_vec()),
    ];
    prop::collection::vec(piece, 0..16).prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn any_bytes_any_chunking_never_panic_nor_fill_the_ingress(
        stream in hostile(),
        chunk in 1usize..70,
    ) {
        // `run` checks that every swallow is in range and that the ingress
        // buffer always has room; small buffers force every overflow path.
        // And the same results whatever the chunking, whatever the buffer.
        let whole = stream.len().max(1);
        prop_assert_eq!(run::<16>(&stream, chunk), run::<16>(&stream, whole));
        prop_assert_eq!(run::<64>(&stream, chunk), run::<64>(&stream, whole));
        prop_assert_eq!(run::<512>(&stream, chunk), run::<512>(&stream, whole));
    }
}

#[test]
fn a_cleared_ingress_starts_over() {
    // atat clears its buffer after a read error: the digester notices the
    // shorter buffer and frames what comes next from a line start.
    let mut d = AtatDigester::<256>::new();
    let open = b"\r\n+MQTTPUBLISH:0,0,0,0,t,50,the start of a message";
    let (r, n) = atat::Digester::digest(&mut d, open);
    assert_eq!((r, n), (DigestResult::None, 2), "the message is held");
    let after = b"+MQTTPINGRSP: OK\r\n";
    assert!(after.len() < open.len() - 2);
    let (r, n) = atat::Digester::digest(&mut d, after);
    assert_eq!(r, DigestResult::Urc(b"+MQTTPINGRSP: OK"));
    assert_eq!(n, after.len() - 1);
}

#[test]
fn the_benchmark_streams_frame_as_counted() {
    // The project's benchmark streams (mix b: binary payloads holding CR, LF,
    // `\r\nOK\r\n` and fake frames), whose frame counts are known, through the
    // adapter at several chunk sizes. Closed with an `OK`, so that URCs held
    // inside an unfinished answer are handed over.
    use ml302_testkit::{make_stream, Mix};
    for mix in [Mix::A, Mix::B] {
        let (mut stream, counts) = make_stream(mix, 48 * 1024);
        stream.extend_from_slice(b"\r\nOK\r\n");
        assert!(
            counts.urc_publish > 20 && counts.response_ok > 20,
            "{counts:?}"
        );
        for chunk in [1, 13, 512, stream.len()] {
            let (answers, events) = run::<2048>(&stream, chunk);
            let publishes = events
                .iter()
                .filter(|e| matches!(e, Out::Urc(s) if s.starts_with("Publish") || s.starts_with("MessageTooLarge")))
                .count() as u64;
            let ok = answers
                .iter()
                .filter(|a| matches!(a, Out::Answer(Ok(_))))
                .count() as u64;
            let err = answers.len() as u64 - ok;
            assert_eq!(publishes, counts.urc_publish, "{mix:?} chunk {chunk}");
            assert_eq!(ok, counts.response_ok + 1, "{mix:?} chunk {chunk}");
            assert_eq!(err, counts.response_error, "{mix:?} chunk {chunk}");
        }
    }
}
