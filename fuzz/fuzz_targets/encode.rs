//! Every command's `encode` with arbitrary caller values.
//!
//! Input (see `ml302_fuzz::Reader`): command selector, buffer length, then the
//! command's fields. Text fields carry a flag that maps them into a harmless
//! alphabet, so that valid values are generated as often as hostile ones.
//!
//! Checked for every command:
//! * a text type accepts a value only if every byte is printable ASCII other than
//!   `"` and `\` (topics: no `,` either), and accepts every harmless value within
//!   its length limit;
//! * `encode` either fails without touching the buffer (the client then sends
//!   nothing), or writes exactly the line the spec's grammar gives for the
//!   values — which starts with `AT`, ends with its one CR LF, holds no other CR,
//!   LF or NUL, and, for a length-mode publish, carries only topic, flags and
//!   length (the payload goes after the `>` prompt) — and nothing beyond it;
//! * it succeeds exactly when the values are valid and the buffer is big enough;
//! * the simulator's AT parser reads the line back to the same parameters;
//! * `redact` hides the password of `AT+MQTTCFG=`, and `Debug` never shows it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ml302::command::publish::max_inline_message;
use ml302::command::{
    redact, At, Command, Configure, Configure7, Delete, Disconnect, EchoOff, NumericErrors, Open,
    Publish, PublishInline, PublishLength, PublishMode, QueryAckTimeout, QueryConfig,
    QueryPingEcho, QueryReconnect, QueryState, QuerySubscriptions, SetAckTimeout, SetPingEcho,
    SetReconnect, Subscribe, Unsubscribe, Will, MAX_LINE,
};
use ml302::text::{ClientId, Host, Password, TopicFilter, TopicName, User, Version};
use ml302::QoS;
use ml302_fuzz::{check_command_line, is_safe, quote_escaped, Reader};

const SENTINEL: u8 = 0xA5;

/// One parameter of the expected line.
#[derive(Debug, Clone)]
enum P {
    /// `"…"`, each `"` written `\"`.
    Q(Vec<u8>),
    /// A decimal number.
    N(u32),
}

/// The expected command line.
#[derive(Debug, Clone)]
enum Shape {
    /// `AT` or a basic command such as `ATE0`.
    Basic(&'static str),
    /// `AT+NAME`.
    Exec(&'static str),
    /// `AT+NAME?`.
    Query(&'static str),
    /// `AT+NAME=p1,p2,…`.
    Set(&'static str, Vec<P>),
}

impl Shape {
    fn line(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self {
            Shape::Basic(s) => out.extend_from_slice(s.as_bytes()),
            Shape::Exec(n) => out.extend_from_slice(format!("AT+{n}").as_bytes()),
            Shape::Query(n) => out.extend_from_slice(format!("AT+{n}?").as_bytes()),
            Shape::Set(n, params) => {
                out.extend_from_slice(format!("AT+{n}=").as_bytes());
                for (i, p) in params.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    match p {
                        P::Q(v) => quote_escaped(&mut out, v),
                        P::N(n) => out.extend_from_slice(n.to_string().as_bytes()),
                    }
                }
            }
        }
        out.extend_from_slice(b"\r\n");
        out
    }
}

fn sim_reads_back(shape: &Shape, line: &[u8]) {
    use ml302_sim::at::{parse_line, Form, Parsed};
    let body = &line[..line.len() - 2];
    let parsed = parse_line(body);
    let ok = match (shape, &parsed) {
        (Shape::Basic("AT"), Parsed::At) => true,
        (Shape::Basic(_), Parsed::Basic(_)) => true,
        (
            Shape::Exec(n),
            Parsed::Extended {
                name,
                form: Form::Exec,
            },
        )
        | (
            Shape::Query(n),
            Parsed::Extended {
                name,
                form: Form::Query,
            },
        ) => name == n,
        (
            Shape::Set(n, want),
            Parsed::Extended {
                name,
                form: Form::Set(got),
            },
        ) => {
            name == n
                && want.len() == got.len()
                && want.iter().zip(got).all(|(w, g)| match w {
                    P::Q(v) => {
                        let escapes = v.iter().filter(|&&b| b == b'"').count();
                        g.quoted && g.value == *v && g.raw_len == v.len() + escapes
                    }
                    P::N(n) => !g.quoted && g.number() == Some(*n),
                })
        }
        _ => false,
    };
    assert!(
        ok,
        "the simulator reads {:?} as {parsed:?}, expected {shape:?}",
        String::from_utf8_lossy(body)
    );
}

/// Encodes `cmd` into a sentinel-filled buffer of `buf_len` bytes and checks the
/// outcome against `shape` and `valid`. Returns the line written, if any.
fn check<C: Command>(cmd: &C, buf_len: usize, shape: &Shape, valid: bool) -> Option<Vec<u8>> {
    let expected = shape.line();
    let mut buf = vec![SENTINEL; buf_len];
    let result = cmd.encode(&mut buf);
    let fits = expected.len() <= buf_len && expected.len() <= MAX_LINE;
    match result {
        Ok(n) => {
            assert!(
                n <= buf_len,
                "encode reported {n} bytes in a {buf_len}-byte buffer"
            );
            let line = &buf[..n];
            check_command_line(line);
            assert!(
                buf[n..].iter().all(|&b| b == SENTINEL),
                "encode wrote past the {n} bytes it reported"
            );
            assert_eq!(
                String::from_utf8_lossy(line),
                String::from_utf8_lossy(&expected),
                "wrong command line"
            );
            assert!(valid, "encode accepted invalid values: {shape:?}");
            sim_reads_back(shape, line);
            Some(line.to_vec())
        }
        Err(e) => {
            assert!(
                buf.iter().all(|&b| b == SENTINEL),
                "encode failed ({e:?}) after writing into the buffer"
            );
            assert!(
                !(valid && fits),
                "encode refused valid values ({e:?}): {:?}",
                String::from_utf8_lossy(&expected)
            );
            None
        }
    }
}

/// Which rules beyond quotability a text type applies.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Plain,
    Filter,
    Name,
}

/// What a text type may accept, and what it must accept.
fn check_text(what: &str, bytes: &[u8], ok: bool, min: usize, max: usize, kind: Kind) {
    if ok {
        assert!(
            bytes
                .iter()
                .all(|&b| (0x20..=0x7E).contains(&b) && b != b'"' && b != b'\\'),
            "{what} accepted a byte that is not quotable: {bytes:?}"
        );
        assert!(
            bytes.len() >= min && bytes.len() <= max,
            "{what} accepted {} bytes",
            bytes.len()
        );
        if kind != Kind::Plain {
            assert!(!bytes.contains(&b','), "{what} accepted a comma");
            let t = lossy(bytes).trim_matches(' ').to_ascii_uppercase();
            assert!(
                t != "OK" && t != "ERROR" && !t.starts_with("+CME ERROR"),
                "{what} accepted a result-code look-alike: {t:?}"
            );
        }
        if kind == Kind::Name {
            assert!(
                !bytes.contains(&b'+') && !bytes.contains(&b'#'),
                "{what} accepted a wildcard"
            );
        }
    } else {
        assert!(
            !(is_safe(bytes) && bytes.len() >= min && bytes.len() <= max),
            "{what} refused a harmless value of {} bytes: {:?}",
            bytes.len(),
            String::from_utf8_lossy(bytes)
        );
    }
}

fn qos(r: &mut Reader<'_>) -> QoS {
    match r.u8() % 3 {
        0 => QoS::AtMostOnce,
        1 => QoS::AtLeastOnce,
        _ => QoS::ExactlyOnce,
    }
}

fn q(v: &[u8]) -> P {
    P::Q(v.to_vec())
}

fn bit(b: bool) -> P {
    P::N(u32::from(b))
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Checks `redact` and `Debug` of a configuration line: the redacted text is the
/// line with the password parameter shown as `"***"` and CR LF as `\r\n`.
fn check_password_hidden(
    line: &[u8],
    masked: &Shape,
    password: &[u8],
    others: &[&[u8]],
    debug: &str,
) {
    let mut want = masked.line();
    want.truncate(want.len() - 2);
    want.extend_from_slice(b"\\r\\n");
    assert_eq!(
        format!("{}", redact(line)),
        lossy(&want),
        "redact does not mask exactly the password"
    );
    if !password.is_empty() && !others.contains(&password) {
        assert!(
            !debug.contains(&format!("\"{}\"", lossy(password))),
            "Debug shows the password"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let mut r = Reader::new(data);
    let selector = r.u8() % 12;
    let buf_len = match r.u16() {
        0xFFFF => 2048,
        n => usize::from(n) % 1200,
    };
    match selector {
        0 | 1 => {
            let nine = selector == 0;
            let (host, port, id, keep_alive) = (r.text(), r.u16(), r.text(), r.u16());
            let (user, password, clean) = (r.text(), r.text(), r.bool());
            let (version, encrypt) = (r.text(), r.bool());
            let h = Host::from_bytes(&host);
            check_text("Host", &host, h.is_ok(), 1, 128, Kind::Plain);
            let i = ClientId::from_bytes(&id);
            check_text("ClientId", &id, i.is_ok(), 1, 128, Kind::Plain);
            let u = User::from_bytes(&user);
            check_text("User", &user, u.is_ok(), 0, 128, Kind::Plain);
            let p = Password::from_bytes(&password);
            check_text("Password", &password, p.is_ok(), 0, 128, Kind::Plain);
            let v = Version::from_bytes(&version);
            check_text("Version", &version, v.is_ok(), 0, 128, Kind::Plain);
            let (Ok(h), Ok(i), Ok(u), Ok(p), Ok(v)) = (h, i, u, p, v) else {
                return;
            };
            let mut params = vec![
                q(&host),
                P::N(port.into()),
                q(&id),
                P::N(keep_alive.into()),
                q(&user),
                q(&password),
                bit(clean),
            ];
            let mut valid = port >= 1 && keep_alive >= 1;
            if nine {
                params.push(q(&version));
                params.push(bit(encrypt));
                valid &= !(encrypt && version.is_empty());
            }
            let mut masked = params.clone();
            masked[5] = q(b"***");
            let shape = Shape::Set("MQTTCFG", params);
            let (written, debug) = if nine {
                let cmd = Configure::new(h, port, i)
                    .keep_alive(keep_alive)
                    .credentials(u, p)
                    .clean_session(clean)
                    .version(v)
                    .encrypt(encrypt);
                (check(&cmd, buf_len, &shape, valid), format!("{cmd:?}"))
            } else {
                let cmd = Configure7::new(h, port, i)
                    .keep_alive(keep_alive)
                    .credentials(u, p)
                    .clean_session(clean);
                (check(&cmd, buf_len, &shape, valid), format!("{cmd:?}"))
            };
            if let Some(line) = written {
                let others: [&[u8]; 4] = [&host, &id, &user, &version];
                check_password_hidden(
                    &line,
                    &Shape::Set("MQTTCFG", masked),
                    &password,
                    &others,
                    &debug,
                );
            }
        }
        2 => {
            let (use_user, use_password, has_will) = (r.bool(), r.bool(), r.bool());
            let (topic, message, will_qos, retain) = (r.text(), r.text(), qos(&mut r), r.bool());
            let (topic_str, message_str) = (lossy(&topic), lossy(&message));
            let will = if has_will {
                let harmless = is_safe(&topic)
                    && (1..=512).contains(&topic.len())
                    && is_safe(&message)
                    && message.len() <= 256;
                match Will::new(&topic_str, &message_str, will_qos, retain) {
                    Ok(w) => {
                        let (t, m) = (
                            w.topic().as_str().as_bytes(),
                            w.message().as_str().as_bytes(),
                        );
                        check_text("will topic", t, true, 1, 512, Kind::Name);
                        check_text("will message", m, true, 0, 256, Kind::Plain);
                        assert!(t == topic && m == message, "Will changed its values");
                        Some(w)
                    }
                    Err(e) => {
                        assert!(!harmless, "Will::new refused harmless values: {e:?}");
                        return;
                    }
                }
            } else {
                None
            };
            let valid = !(use_password && !use_user);
            let shape = Shape::Set(
                "MQTTOPEN",
                vec![
                    bit(use_user),
                    bit(use_password),
                    bit(will.is_some()),
                    bit(will.is_some() && retain),
                    P::N(if will.is_some() {
                        will_qos.as_u8().into()
                    } else {
                        0
                    }),
                    q(if will.is_some() { &topic } else { b"" }),
                    q(if will.is_some() { &message } else { b"" }),
                ],
            );
            match Open::new(use_user, use_password, will) {
                Ok(open) => {
                    assert!(valid, "Open::new accepted a password without a user");
                    check(&open, buf_len, &shape, true);
                }
                Err(_) => assert!(!valid, "Open::new refused valid flags"),
            }
        }
        3 | 4 => {
            let topic = r.text();
            let f = TopicFilter::from_bytes(&topic);
            check_text("TopicFilter", &topic, f.is_ok(), 1, 512, Kind::Filter);
            let Ok(f) = f else {
                return;
            };
            if selector == 3 {
                let qos = qos(&mut r);
                let shape = Shape::Set("MQTTSUB", vec![q(&topic), P::N(qos.as_u8().into())]);
                check(&Subscribe::new(f, qos), buf_len, &shape, true);
            } else {
                let shape = Shape::Set("MQTTUNSUB", vec![q(&topic)]);
                check(&Unsubscribe::new(f), buf_len, &shape, true);
            }
        }
        5 => {
            let topic = r.text();
            let payload = r.bytes();
            let (qos, retain, cap) = (qos(&mut r), r.bool(), r.u16());
            let name = TopicName::from_bytes(&topic);
            check_text("TopicName", &topic, name.is_ok(), 1, 512, Kind::Name);
            let topic_str = lossy(&topic);
            let built = if cap == 0 {
                Publish::new(&topic_str, payload, qos, retain)
            } else {
                Publish::with_length_cap(&topic_str, payload, qos, retain, cap.into())
            };
            let Ok(_) = name else {
                assert!(built.is_err(), "Publish accepted an invalid topic");
                return;
            };
            let cap = if cap == 0 { 1024 } else { usize::from(cap) };
            let cap_ok = cap >= 1 && cap <= 2048 - 7 - topic.len();
            let plain = payload
                .iter()
                .all(|&b| (0x20..=0x7E).contains(&b) && b != b'"' && b != b'\\');
            let inline = plain && payload.len() <= max_inline_message(topic.len());
            let valid = cap_ok && (inline || (1..=cap).contains(&payload.len()));
            let p = match built {
                Ok(p) => p,
                Err(e) => {
                    assert!(!valid, "Publish refused valid values: {e:?}");
                    return;
                }
            };
            assert!(
                valid,
                "Publish accepted invalid values (cap {cap}, {} bytes)",
                payload.len()
            );
            assert_eq!(p.payload(), payload, "Publish::payload");
            let last = if inline {
                assert_eq!(p.mode(), PublishMode::Inline);
                assert_eq!(p.after_prompt(), None);
                q(payload)
            } else {
                assert_eq!(p.mode(), PublishMode::Length);
                assert_eq!(p.after_prompt(), Some(payload));
                P::N(payload.len() as u32)
            };
            let shape = Shape::Set(
                "MQTTPUB",
                vec![
                    q(&topic),
                    P::N(qos.as_u8().into()),
                    bit(retain),
                    P::N(0),
                    last,
                ],
            );
            check(&p, buf_len, &shape, true);
        }
        6 => {
            let (topic, message, qos, retain) = (r.text(), r.text(), qos(&mut r), r.bool());
            let Ok(name) = TopicName::from_bytes(&topic) else {
                return;
            };
            let escaped = message.len() + message.iter().filter(|&&b| b == b'"').count();
            let valid = message
                .iter()
                .all(|&b| (0x20..=0x7E).contains(&b) && b != b'\\')
                && escaped <= 1024
                && escaped <= max_inline_message(topic.len());
            match PublishInline::from_bytes(name, qos, retain, &message) {
                Ok(p) => {
                    assert!(valid, "PublishInline accepted {:?}", lossy(&message));
                    let shape = Shape::Set(
                        "MQTTPUB",
                        vec![
                            q(&topic),
                            P::N(qos.as_u8().into()),
                            bit(retain),
                            P::N(0),
                            q(&message),
                        ],
                    );
                    check(&p, buf_len, &shape, true);
                }
                Err(e) => assert!(!valid, "PublishInline refused a valid message: {e:?}"),
            }
        }
        7 => {
            let (topic, len, cap, qos, retain) =
                (r.text(), r.u16(), r.u16(), qos(&mut r), r.bool());
            let Ok(name) = TopicName::from_bytes(&topic) else {
                return;
            };
            let (len, cap) = (
                usize::from(len),
                if cap == 0 { 1024 } else { usize::from(cap) },
            );
            let valid = cap <= 2048 - 7 - topic.len() && (1..=cap).contains(&len);
            match PublishLength::with_cap(name, qos, retain, len, cap) {
                Ok(p) => {
                    assert!(valid, "PublishLength accepted len {len} with cap {cap}");
                    assert_eq!(p.len(), len);
                    let shape = Shape::Set(
                        "MQTTPUB",
                        vec![
                            q(&topic),
                            P::N(qos.as_u8().into()),
                            bit(retain),
                            P::N(0),
                            P::N(len as u32),
                        ],
                    );
                    check(&p, buf_len, &shape, true);
                }
                Err(e) => assert!(
                    !valid,
                    "PublishLength refused len {len} with cap {cap}: {e:?}"
                ),
            }
        }
        8 => {
            let s = r.u16();
            let shape = Shape::Set("MQTTTO", vec![P::N(s.into())]);
            check(
                &SetAckTimeout::new(s),
                buf_len,
                &shape,
                (1..=3600).contains(&s),
            );
        }
        9 => {
            let on = r.bool();
            check(
                &SetPingEcho::new(on),
                buf_len,
                &Shape::Set("MQTTPING", vec![bit(on)]),
                true,
            );
        }
        10 => {
            let on = r.bool();
            check(
                &SetReconnect::new(on),
                buf_len,
                &Shape::Set("MQTTREC", vec![bit(on)]),
                true,
            );
        }
        _ => {
            let _ = match r.u8() % 11 {
                0 => check(&At, buf_len, &Shape::Basic("AT"), true),
                1 => check(&EchoOff, buf_len, &Shape::Basic("ATE0"), true),
                2 => check(
                    &NumericErrors,
                    buf_len,
                    &Shape::Set("CMEE", vec![P::N(1)]),
                    true,
                ),
                3 => check(&QueryConfig, buf_len, &Shape::Query("MQTTCFG"), true),
                4 => check(&QueryState, buf_len, &Shape::Query("MQTTSTAT"), true),
                5 => check(&QuerySubscriptions, buf_len, &Shape::Query("MQTTSUB"), true),
                6 => check(&Disconnect, buf_len, &Shape::Exec("MQTTDISC"), true),
                7 => check(&Delete, buf_len, &Shape::Exec("MQTTDEL"), true),
                8 => check(&QueryPingEcho, buf_len, &Shape::Query("MQTTPING"), true),
                9 => check(&QueryReconnect, buf_len, &Shape::Query("MQTTREC"), true),
                _ => check(&QueryAckTimeout, buf_len, &Shape::Query("MQTTTO"), true),
            };
        }
    }
});
