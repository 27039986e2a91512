//! No caller-supplied value can end the command line, start a second command or
//! break the `>` exchange.
//!
//! Every string field of every command (host, client id, user, password, version,
//! will topic, will message, topics, payloads in both publish modes) meets every
//! hostile class — `"`, `\`, CR, LF, CR LF + `AT+MQTTDISC`, NUL, Ctrl-Z, ESC, a
//! leading `>`, non-UTF-8 bytes, the maximum length and one byte over — and then
//! arbitrary bytes from proptest. The outcome is always either a typed
//! [`ValidationError`] (with nothing written), or exactly one well-formed line:
//! one CR LF, at the end; one `AT` command with the expected parameter count;
//! only printable ASCII; the value back, intact, in its own parameter; and, in
//! length mode, a header with no payload byte and the exact payload for after
//! the prompt.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use ml302::command::{
    Command, Configure, Configure7, Open, Publish, PublishInline, PublishLength, PublishMode,
    Subscribe, Unsubscribe, Will, MAX_LINE,
};
use ml302::error::{Field, ValidationError};
use ml302::text::{ClientId, Host, Password, TopicFilter, TopicName, User, Version, WillMessage};
use ml302::{Error, QoS};
use proptest::prelude::*;

/// What happened to a hostile value.
#[derive(Debug)]
enum Outcome {
    /// Refused with a typed error; nothing was written.
    Refused(ValidationError),
    /// The API takes `&str`, so non-UTF-8 bytes cannot even be passed.
    NotExpressible,
    /// Encoded: the line, and the bytes to send after the `>` prompt (length mode).
    Line(Vec<u8>, Option<Vec<u8>>),
}

/// A parameter of a parsed command line.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Param {
    /// `"…"`, with `\"` turned back into `"`.
    Quoted(Vec<u8>),
    /// Unquoted decimal digits.
    Bare(Vec<u8>),
}

/// Encodes into a buffer pre-filled with 0xAA; on a refusal, checks that not one
/// byte was written.
fn encode<C: Command>(c: &C) -> Outcome {
    let mut buf = [0xAAu8; MAX_LINE];
    match c.encode(&mut buf) {
        Ok(n) => Outcome::Line(buf[..n].to_vec(), None),
        Err(Error::Invalid(e)) => {
            assert!(buf.iter().all(|&b| b == 0xAA), "refused after writing");
            Outcome::Refused(e)
        }
        Err(other) => panic!("untyped refusal {other:?}"),
    }
}

/// Construction-time refusals.
fn build<T>(r: Result<T, ValidationError>, then: impl FnOnce(T) -> Outcome) -> Outcome {
    match r {
        Ok(t) => then(t),
        Err(e) => Outcome::Refused(e),
    }
}

fn utf8(v: &[u8]) -> Option<&str> {
    std::str::from_utf8(v).ok()
}

/// Checks that `line` is exactly one well-formed command line `<prefix><params>\r\n`
/// and returns its parameters.
fn parse_line(line: &[u8], prefix: &str, params: usize) -> Vec<Param> {
    let shown = String::from_utf8_lossy(line);
    assert!(line.len() <= MAX_LINE, "over the line limit: {shown:?}");
    assert!(line.ends_with(b"\r\n"), "no CR LF at the end: {shown:?}");
    let body = &line[..line.len() - 2];
    assert!(
        body.iter().all(|&b| (0x20..=0x7e).contains(&b)),
        "a byte outside printable ASCII before the end (CR, LF, NUL, ^Z, ESC, non-ASCII): {shown:?}"
    );
    assert!(
        body.starts_with(prefix.as_bytes()),
        "not one {prefix} command: {shown:?}"
    );
    let mut rest = &body[prefix.len()..];
    let mut out = Vec::new();
    loop {
        if let Some(q) = rest.strip_prefix(b"\"") {
            let mut value = Vec::new();
            let mut i = 0;
            loop {
                match q.get(i) {
                    Some(b'\\') => {
                        assert_eq!(
                            q.get(i + 1),
                            Some(&b'"'),
                            "a `\\` that escapes nothing: {shown:?}"
                        );
                        value.push(b'"');
                        i += 2;
                    }
                    Some(b'"') => break,
                    Some(&b) => {
                        value.push(b);
                        i += 1;
                    }
                    None => panic!("unterminated quoted parameter: {shown:?}"),
                }
            }
            out.push(Param::Quoted(value));
            rest = &q[i + 1..];
        } else {
            let end = rest.iter().position(|&b| b == b',').unwrap_or(rest.len());
            let digits = &rest[..end];
            assert!(
                !digits.is_empty() && digits.iter().all(u8::is_ascii_digit),
                "a bare parameter that is not a number: {shown:?}"
            );
            out.push(Param::Bare(digits.to_vec()));
            rest = &rest[end..];
        }
        match rest {
            [] => break,
            [b',', r @ ..] => rest = r,
            _ => panic!("text after a parameter: {shown:?}"),
        }
    }
    assert_eq!(out.len(), params, "parameter count: {shown:?}");
    out
}

/// How a value must come back out of an accepted line.
#[derive(Clone, Copy)]
enum Kind {
    /// In quoted parameter `index`, verbatim.
    Quoted { index: usize },
    /// The ordinary publish payload: quoted in parameter 4 (inline), or its length
    /// in parameter 4 and the bytes after the prompt (length mode).
    Payload,
    /// The length-mode header alone: parameter 4 is the length.
    Length,
}

struct Target {
    name: &'static str,
    field: Field,
    prefix: &'static str,
    params: usize,
    /// The longest accepted value.
    max: usize,
    kind: Kind,
    build: fn(&[u8]) -> Outcome,
}

fn host() -> Host<'static> {
    Host::new("broker").unwrap()
}
fn id() -> ClientId<'static> {
    ClientId::new("id").unwrap()
}
fn user() -> User<'static> {
    User::new("u").unwrap()
}
fn password() -> Password<'static> {
    Password::new("p").unwrap()
}
fn t() -> TopicName<'static> {
    TopicName::new("t").unwrap()
}

fn cfg9(h: Host, i: ClientId, u: User, p: Password, v: Version) -> Outcome {
    encode(&Configure::new(h, 1883, i).credentials(u, p).version(v))
}
fn cfg7(h: Host, i: ClientId, u: User, p: Password) -> Outcome {
    encode(&Configure7::new(h, 1883, i).credentials(u, p))
}
fn open_with(w: Will) -> Outcome {
    build(Open::new(true, true, Some(w)), |o| encode(&o))
}

const TARGETS: &[Target] = &[
    Target {
        name: "host @ AT+MQTTCFG (9)",
        field: Field::Host,
        prefix: "AT+MQTTCFG=",
        params: 9,
        max: 128,
        kind: Kind::Quoted { index: 0 },
        build: |v| {
            build(Host::from_bytes(v), |h| {
                cfg9(h, id(), user(), password(), Version::EMPTY)
            })
        },
    },
    Target {
        name: "host @ AT+MQTTCFG (7)",
        field: Field::Host,
        prefix: "AT+MQTTCFG=",
        params: 7,
        max: 128,
        kind: Kind::Quoted { index: 0 },
        build: |v| build(Host::from_bytes(v), |h| cfg7(h, id(), user(), password())),
    },
    Target {
        name: "client id @ AT+MQTTCFG (9)",
        field: Field::ClientId,
        prefix: "AT+MQTTCFG=",
        params: 9,
        max: 128,
        kind: Kind::Quoted { index: 2 },
        build: |v| {
            build(ClientId::from_bytes(v), |i| {
                cfg9(host(), i, user(), password(), Version::EMPTY)
            })
        },
    },
    Target {
        name: "client id @ AT+MQTTCFG (7)",
        field: Field::ClientId,
        prefix: "AT+MQTTCFG=",
        params: 7,
        max: 128,
        kind: Kind::Quoted { index: 2 },
        build: |v| {
            build(ClientId::from_bytes(v), |i| {
                cfg7(host(), i, user(), password())
            })
        },
    },
    Target {
        name: "user @ AT+MQTTCFG (9)",
        field: Field::User,
        prefix: "AT+MQTTCFG=",
        params: 9,
        max: 128,
        kind: Kind::Quoted { index: 4 },
        build: |v| {
            build(User::from_bytes(v), |u| {
                cfg9(host(), id(), u, password(), Version::EMPTY)
            })
        },
    },
    Target {
        name: "user @ AT+MQTTCFG (7)",
        field: Field::User,
        prefix: "AT+MQTTCFG=",
        params: 7,
        max: 128,
        kind: Kind::Quoted { index: 4 },
        build: |v| build(User::from_bytes(v), |u| cfg7(host(), id(), u, password())),
    },
    Target {
        name: "password @ AT+MQTTCFG (9)",
        field: Field::Password,
        prefix: "AT+MQTTCFG=",
        params: 9,
        max: 128,
        kind: Kind::Quoted { index: 5 },
        build: |v| {
            build(Password::from_bytes(v), |p| {
                cfg9(host(), id(), user(), p, Version::EMPTY)
            })
        },
    },
    Target {
        name: "password @ AT+MQTTCFG (7)",
        field: Field::Password,
        prefix: "AT+MQTTCFG=",
        params: 7,
        max: 128,
        kind: Kind::Quoted { index: 5 },
        build: |v| build(Password::from_bytes(v), |p| cfg7(host(), id(), user(), p)),
    },
    Target {
        name: "version @ AT+MQTTCFG (9)",
        field: Field::Version,
        prefix: "AT+MQTTCFG=",
        params: 9,
        max: 128,
        kind: Kind::Quoted { index: 7 },
        build: |v| {
            build(Version::from_bytes(v), |ver| {
                cfg9(host(), id(), user(), password(), ver)
            })
        },
    },
    Target {
        name: "will topic @ AT+MQTTOPEN",
        field: Field::WillTopic,
        prefix: "AT+MQTTOPEN=",
        params: 7,
        max: 512,
        kind: Kind::Quoted { index: 5 },
        build: |v| match utf8(v) {
            None => Outcome::NotExpressible,
            Some(s) => build(Will::new(s, "bye", QoS::AtLeastOnce, true), open_with),
        },
    },
    Target {
        name: "will message @ AT+MQTTOPEN",
        field: Field::WillMessage,
        prefix: "AT+MQTTOPEN=",
        params: 7,
        max: 256,
        kind: Kind::Quoted { index: 6 },
        build: |v| {
            build(WillMessage::from_bytes(v), |m| {
                open_with(Will::from_parts(
                    TopicName::new("w").unwrap(),
                    m,
                    QoS::AtMostOnce,
                    false,
                ))
            })
        },
    },
    Target {
        name: "topic @ AT+MQTTSUB",
        field: Field::Topic,
        prefix: "AT+MQTTSUB=",
        params: 2,
        max: 512,
        kind: Kind::Quoted { index: 0 },
        build: |v| {
            build(TopicFilter::from_bytes(v), |f| {
                encode(&Subscribe::new(f, QoS::AtLeastOnce))
            })
        },
    },
    Target {
        name: "topic @ AT+MQTTUNSUB",
        field: Field::Topic,
        prefix: "AT+MQTTUNSUB=",
        params: 1,
        max: 512,
        kind: Kind::Quoted { index: 0 },
        build: |v| build(TopicFilter::from_bytes(v), |f| encode(&Unsubscribe::new(f))),
    },
    Target {
        name: "topic @ AT+MQTTPUB (ordinary)",
        field: Field::Topic,
        prefix: "AT+MQTTPUB=",
        params: 5,
        max: 512,
        kind: Kind::Quoted { index: 0 },
        build: |v| match utf8(v) {
            None => Outcome::NotExpressible,
            Some(s) => build(Publish::new(s, b"x", QoS::AtMostOnce, false), |p| {
                encode(&p)
            }),
        },
    },
    Target {
        name: "topic @ AT+MQTTPUB (inline)",
        field: Field::Topic,
        prefix: "AT+MQTTPUB=",
        params: 5,
        max: 512,
        kind: Kind::Quoted { index: 0 },
        build: |v| {
            build(TopicName::from_bytes(v), |t| {
                build(PublishInline::new(t, QoS::AtLeastOnce, true, "m"), |p| {
                    encode(&p)
                })
            })
        },
    },
    Target {
        name: "topic @ AT+MQTTPUB (length)",
        field: Field::Topic,
        prefix: "AT+MQTTPUB=",
        params: 5,
        max: 512,
        kind: Kind::Quoted { index: 0 },
        build: |v| {
            build(TopicName::from_bytes(v), |t| {
                build(PublishLength::new(t, QoS::ExactlyOnce, false, 3), |p| {
                    encode(&p)
                })
            })
        },
    },
    Target {
        name: "message @ AT+MQTTPUB (explicit inline)",
        field: Field::Payload,
        prefix: "AT+MQTTPUB=",
        params: 5,
        // 1000 − topic_len, topic "t".
        max: 999,
        kind: Kind::Quoted { index: 4 },
        build: |v| {
            build(
                PublishInline::from_bytes(t(), QoS::AtMostOnce, false, v),
                |p| encode(&p),
            )
        },
    },
    Target {
        name: "payload @ AT+MQTTPUB (ordinary: inline or length mode)",
        field: Field::Payload,
        prefix: "AT+MQTTPUB=",
        params: 5,
        max: 1024,
        kind: Kind::Payload,
        build: |v| {
            build(
                Publish::to_topic(t(), v, QoS::AtLeastOnce, false, 1024),
                |p| match (encode(&p), p.after_prompt()) {
                    (Outcome::Line(l, _), after) => {
                        assert_eq!(p.mode() == PublishMode::Length, after.is_some());
                        Outcome::Line(l, after.map(<[u8]>::to_vec))
                    }
                    (other, _) => other,
                },
            )
        },
    },
    Target {
        name: "payload length @ AT+MQTTPUB (length-mode header)",
        field: Field::Payload,
        prefix: "AT+MQTTPUB=",
        params: 5,
        max: 1024,
        kind: Kind::Length,
        build: |v| {
            build(
                PublishLength::new(t(), QoS::AtMostOnce, false, v.len()),
                |p| encode(&p),
            )
        },
    },
];

/// Checks one outcome for `value` against `target`. Returns whether the value
/// was accepted.
fn check(target: &Target, value: &[u8], outcome: &Outcome) -> bool {
    match outcome {
        Outcome::Refused(e) => {
            let field = match *e {
                ValidationError::TooLong { field, .. }
                | ValidationError::Empty { field }
                | ValidationError::ForbiddenByte { field, .. }
                | ValidationError::BadTopic { field }
                | ValidationError::OutOfRange { field, .. } => Some(field),
                ValidationError::Inconsistent { .. } | ValidationError::BufferTooSmall => None,
            };
            assert_eq!(
                field,
                Some(target.field),
                "{}: {e:?} for {value:?}",
                target.name
            );
            false
        }
        Outcome::NotExpressible => {
            assert!(
                utf8(value).is_none(),
                "{}: valid UTF-8 refused by type",
                target.name
            );
            false
        }
        Outcome::Line(line, after) => {
            let params = parse_line(line, target.prefix, target.params);
            match target.kind {
                Kind::Quoted { index } => {
                    assert_eq!(
                        params[index],
                        Param::Quoted(value.to_vec()),
                        "{}",
                        target.name
                    );
                    assert!(after.is_none());
                }
                Kind::Payload => match after {
                    None => assert_eq!(params[4], Param::Quoted(value.to_vec()), "{}", target.name),
                    Some(raw) => {
                        assert_eq!(raw, value, "{}: bytes after the prompt", target.name);
                        assert_eq!(params[4], Param::Bare(value.len().to_string().into_bytes()));
                        assert_eq!(
                            line,
                            format!("AT+MQTTPUB=\"t\",1,0,0,{}\r\n", value.len()).as_bytes(),
                            "{}: the header carries a payload byte",
                            target.name
                        );
                    }
                },
                Kind::Length => {
                    assert_eq!(params[4], Param::Bare(value.len().to_string().into_bytes()));
                    assert_eq!(
                        line,
                        format!("AT+MQTTPUB=\"t\",0,0,0,{}\r\n", value.len()).as_bytes()
                    );
                }
            }
            true
        }
    }
}

/// The hostile classes.
fn hostile(max: usize) -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("quote", b"a\"b".to_vec()),
        ("backslash", b"a\\b".to_vec()),
        ("CR", b"a\rb".to_vec()),
        ("LF", b"a\nb".to_vec()),
        ("CR LF + second command", b"a\r\nAT+MQTTDISC".to_vec()),
        (
            "quote + CR LF + second command",
            b"a\"\r\nAT+MQTTDISC\r\n".to_vec(),
        ),
        ("NUL", b"a\0b".to_vec()),
        ("Ctrl-Z", b"a\x1ab".to_vec()),
        ("ESC", b"a\x1bb".to_vec()),
        ("leading >", b">a".to_vec()),
        ("lone >", b">".to_vec()),
        ("non-UTF-8", b"a\xffb".to_vec()),
        ("truncated UTF-8", b"a\xc3".to_vec()),
        ("UTF-8 non-ASCII", "a\u{e9}".as_bytes().to_vec()),
        ("DEL", b"a\x7fb".to_vec()),
        ("maximum length", vec![b'x'; max]),
        ("one byte over", vec![b'x'; max + 1]),
    ]
}

/// The first byte of `value` that `target` cannot carry: anything outside
/// printable ASCII, `\`, and `"` except in the explicit inline message (which
/// escapes it). Payloads and lengths have none.
fn first_forbidden(target: &Target, value: &[u8]) -> Option<u8> {
    match target.kind {
        Kind::Payload | Kind::Length => None,
        Kind::Quoted { .. } => {
            let inline = target.field == Field::Payload;
            value
                .iter()
                .copied()
                .find(|&b| !(0x20..=0x7e).contains(&b) || b == b'\\' || (b == b'"' && !inline))
        }
    }
}

#[test]
fn every_field_against_every_hostile_class() {
    let mut accepted = 0;
    let mut refused = 0;
    for target in TARGETS {
        for (class, value) in hostile(target.max) {
            let outcome = (target.build)(&value);
            if check(target, &value, &outcome) {
                accepted += 1;
            } else {
                refused += 1;
            }
            let what = format!("{} / {class}: {outcome:?}", target.name);
            match first_forbidden(target, &value) {
                Some(byte) => match outcome {
                    Outcome::Refused(ValidationError::ForbiddenByte { byte: b, .. }) => {
                        assert_eq!(b, byte, "{what}")
                    }
                    Outcome::NotExpressible => {}
                    _ => panic!("{what}"),
                },
                None if class == "one byte over" => assert!(
                    matches!(outcome, Outcome::Refused(ValidationError::TooLong { max, .. }) if max == target.max),
                    "{what}"
                ),
                None => assert!(matches!(outcome, Outcome::Line(..)), "{what}"),
            }
        }
    }
    // Both branches were exercised.
    assert!(accepted > TARGETS.len() && refused > TARGETS.len());
}

#[test]
fn ordinary_publish_moves_hostile_payloads_to_length_mode() {
    for (class, value) in hostile(1024) {
        let Ok(p) = Publish::new("t", &value, QoS::AtLeastOnce, false) else {
            assert_eq!(class, "one byte over");
            continue;
        };
        let plain = value
            .iter()
            .all(|&b| (0x20..=0x7e).contains(&b) && b != b'"' && b != b'\\');
        let inline = plain && value.len() <= 999;
        assert_eq!(p.mode() == PublishMode::Inline, inline, "{class}");
    }
}

#[test]
fn topic_result_code_lookalikes_are_refused_everywhere() {
    for value in [
        "OK",
        "ERROR",
        "ok",
        " OK",
        "Error ",
        "+CME ERROR: 600",
        "+CME ERROR",
    ] {
        for target in TARGETS
            .iter()
            .filter(|t| matches!(t.field, Field::Topic | Field::WillTopic))
        {
            let outcome = (target.build)(value.as_bytes());
            assert!(
                matches!(outcome, Outcome::Refused(ValidationError::BadTopic { .. })),
                "{} / {value:?}: {outcome:?}",
                target.name
            );
        }
    }
}

/// Bytes biased towards the dangerous ones.
fn hostile_bytes(max_len: usize) -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        4 => 0x20u8..=0x7e,
        1 => Just(b'"'),
        1 => Just(b'\\'),
        1 => Just(b'\r'),
        1 => Just(b'\n'),
        1 => Just(0u8),
        1 => Just(0x1au8),
        1 => Just(0x1bu8),
        1 => Just(b'>'),
        1 => Just(b','),
        1 => Just(b'+'),
        1 => Just(b'#'),
        1 => Just(b'/'),
        1 => any::<u8>(),
    ];
    prop_oneof![
        3 => proptest::collection::vec(byte, 0..=max_len),
        1 => ".{0,40}".prop_map(String::into_bytes),
        1 => proptest::collection::vec(any::<u8>(), 0..=max_len),
        1 => (0x20u8..=0x7e, 0usize..=1100).prop_map(|(b, n)| vec![b; n]),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(768))]

    #[test]
    fn arbitrary_bytes_into_every_field(index in 0..TARGETS.len(), value in hostile_bytes(600)) {
        let target = &TARGETS[index];
        let outcome = (target.build)(&value);
        check(target, &value, &outcome);
    }

}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_payloads_publish_safely(value in hostile_bytes(1100), qos in 0u8..=2, retain: bool) {
        let qos = QoS::from_u8(qos).unwrap();
        match Publish::new("a/b", &value, qos, retain) {
            Err(e) => prop_assert_eq!(e, ValidationError::TooLong { field: Field::Payload, max: 1024 }),
            Ok(p) => {
                let mut buf = [0u8; MAX_LINE];
                let n = p.encode(&mut buf).unwrap();
                let params = parse_line(&buf[..n], "AT+MQTTPUB=", 5);
                prop_assert_eq!(&params[0], &Param::Quoted(b"a/b".to_vec()));
                prop_assert_eq!(&params[3], &Param::Bare(b"0".to_vec()));
                match p.after_prompt() {
                    None => prop_assert_eq!(&params[4], &Param::Quoted(value.clone())),
                    Some(raw) => {
                        prop_assert_eq!(raw, &value[..]);
                        prop_assert_eq!(&params[4], &Param::Bare(value.len().to_string().into_bytes()));
                    }
                }
                prop_assert_eq!(p.payload(), &value[..]);
            }
        }
    }
}
