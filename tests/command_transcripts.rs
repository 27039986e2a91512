//! Every TX line of `transcripts.md` serialises byte-exactly, and the typed
//! responses of the `atat` parse match the vectors' decodes.
//!
//! Each command is encoded twice: through [`Command::encode`] (what the driver
//! sends) and through `atat`'s derived `AtatCmd::write` (which must agree).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use atat::AtatCmd;
use ml302::command::{
    self, At, Command, ConfigResponse, Configure, Configure7, Delete, Disconnect,
    DisconnectResponse, EchoOff, NumericErrors, Open, OpenResponse, PingEchoResponse, Publish,
    PublishInline, PublishLength, PublishMode, PublishResponse, QueryAckTimeout, QueryConfig,
    QueryPingEcho, QueryReconnect, QueryState, QuerySubscriptions, ReconnectResponse,
    SetAckTimeout, SetPingEcho, SetReconnect, SubAckResponse, Subscribe, UnsubAckResponse,
    Unsubscribe, Will, MAX_LINE,
};
use ml302::error::{Field, ValidationError};
use ml302::text::{ClientId, Host, Password, TopicFilter, TopicName, User, Version};
use ml302::types::{M5311State, ModemState};
use ml302::{Error, QoS};

/// The TX line as the transcripts print it, plus the CR LF every TX line ends with.
fn tx(line: &str) -> Vec<u8> {
    let mut v = line.as_bytes().to_vec();
    v.extend_from_slice(b"\r\n");
    v
}

/// Encodes with [`Command::encode`], checks that `AtatCmd::write` gives the same
/// bytes, and returns them.
fn enc<C: Command + AtatCmd>(c: &C) -> Vec<u8> {
    let mut buf = [0u8; MAX_LINE];
    let n = c.encode(&mut buf).unwrap();
    let mut atat_buf = [0u8; 2 * MAX_LINE];
    let m = AtatCmd::write(c, &mut atat_buf);
    assert_eq!(
        String::from_utf8_lossy(&atat_buf[..m]),
        String::from_utf8_lossy(&buf[..n]),
        "atat's derived write disagrees with encode"
    );
    buf[..n].to_vec()
}

/// `encode` only (for [`Publish`], which picks a form and has no `AtatCmd`).
fn enc_only<C: Command>(c: &C) -> Vec<u8> {
    let mut buf = [0u8; MAX_LINE];
    let n = c.encode(&mut buf).unwrap();
    buf[..n].to_vec()
}

fn topic(s: &str) -> TopicName<'_> {
    TopicName::new(s).unwrap()
}

fn filter(s: &str) -> TopicFilter<'_> {
    TopicFilter::new(s).unwrap()
}

fn t01_cfg() -> Configure<'static> {
    Configure::new(
        Host::new("183.230.40.39").unwrap(),
        6002,
        ClientId::new("532337966").unwrap(),
    )
    .keep_alive(60)
    .credentials(
        User::new("246883").unwrap(),
        Password::new("VACC79esEWuVK5j73b3cqWzrD7U=").unwrap(),
    )
    .clean_session(false)
    .version(Version::new("").unwrap())
    .encrypt(false)
}

#[test]
fn t01_cfg_nine_parameters() {
    let line = enc(&t01_cfg());
    assert_eq!(
        line,
        tx(
            r#"AT+MQTTCFG="183.230.40.39",6002,"532337966",60,"246883","VACC79esEWuVK5j73b3cqWzrD7U=",0,"",0"#
        )
    );
    assert_eq!(t01_cfg().timeout_ms(10), 5_000);
    let ok = t01_cfg().parse(Ok(b"")).unwrap();
    assert_eq!(ok, command::NoResponse);
}

#[test]
fn t01_cfg_debug_and_redaction_hide_the_password() {
    let secret = "VACC79esEWuVK5j73b3cqWzrD7U=";
    let dbg = format!("{:?}", t01_cfg());
    assert!(!dbg.contains(secret), "{dbg}");
    assert!(dbg.contains("***"));
    let line = enc(&t01_cfg());
    let shown = command::redact(&line).to_string();
    assert!(!shown.contains(secret));
    assert_eq!(
        shown,
        r#"AT+MQTTCFG="183.230.40.39",6002,"532337966",60,"246883","***",0,"",0\r\n"#
    );
}

#[test]
fn t02_cfg_query() {
    assert_eq!(enc(&QueryConfig), tx("AT+MQTTCFG?"));
    let resp = QueryConfig
        .parse(Ok(
            br#"+MQTTCFG: "183.230.40.39",6002,"532337966",60,"246883","***",0,"",0"#,
        ))
        .unwrap();
    let ConfigResponse::Configured(info) = resp else {
        panic!("{resp:?}")
    };
    assert_eq!(info.host.as_str(), "183.230.40.39");
    assert_eq!(info.port, 6002);
    assert_eq!(info.client_id.as_str(), "532337966");
    assert_eq!(info.keep_alive, 60);
    assert_eq!(info.user.as_str(), "246883");
    assert!(!info.clean_session);
    assert_eq!(info.version.as_str(), "");
    assert!(!info.encrypt);
}

#[test]
fn t03_open_user_password_no_will() {
    let open = Open::new(true, true, None).unwrap();
    assert_eq!(enc(&open), tx(r#"AT+MQTTOPEN=1,1,0,0,0,"","""#));
    assert_eq!(open.timeout_ms(10), 150_000);
    assert_eq!(Open::for_config(&t01_cfg(), None).unwrap(), open);
    assert_eq!(
        open.parse(Ok(b"+MQTTOPEN:OK")).unwrap(),
        OpenResponse::Accepted
    );
}

#[test]
fn t04_sub() {
    let sub = Subscribe::new(filter("dev/gsm/u"), QoS::ExactlyOnce);
    assert_eq!(enc(&sub), tx(r#"AT+MQTTSUB="dev/gsm/u",2"#));
    assert_eq!(sub.timeout_ms(10), 20_000);
    assert_eq!(sub.timeout_ms(30), 40_000);
    let resp = sub.parse(Ok(b"+MQTTSUBACK:2,2,dev/gsm/u")).unwrap();
    assert_eq!(
        resp,
        SubAckResponse::Granted {
            packet_id: 2,
            qos: QoS::ExactlyOnce,
            topic: "dev/gsm/u".try_into().unwrap()
        }
    );
}

#[test]
fn t05_sub_query() {
    assert_eq!(enc(&QuerySubscriptions), tx("AT+MQTTSUB?"));
    for body in [
        &b"+MQTTSUB:\r\n\r\ndev/gsm/u"[..],
        b"+MQTTSUB: \r\ndev/gsm/u",
    ] {
        let list = QuerySubscriptions.parse(Ok(body)).unwrap();
        assert_eq!(list.entries.len(), 1);
        assert_eq!(list.entries[0].topic.as_str(), "dev/gsm/u");
        assert_eq!(list.entries[0].qos, None);
    }
}

#[test]
fn t06_unsub() {
    let unsub = Unsubscribe::new(filter("test"));
    assert_eq!(enc(&unsub), tx(r#"AT+MQTTUNSUB="test""#));
    assert_eq!(unsub.timeout_ms(10), 20_000);
    assert_eq!(
        unsub.parse(Ok(br#"+MQTTUNSUBACK:8,"test""#)).unwrap(),
        UnsubAckResponse::Acked {
            packet_id: 8,
            topic: "test".try_into().unwrap()
        }
    );
}

#[test]
fn t07_pub_qos2_inline() {
    let want = tx(r#"AT+MQTTPUB="dev/gsm/u",2,0,0,"update message""#);
    let inline = PublishInline::new(
        topic("dev/gsm/u"),
        QoS::ExactlyOnce,
        false,
        "update message",
    )
    .unwrap();
    assert_eq!(enc(&inline), want);
    let publish = Publish::new("dev/gsm/u", b"update message", QoS::ExactlyOnce, false).unwrap();
    assert_eq!(publish.mode(), PublishMode::Inline);
    assert_eq!(enc_only(&publish), want);
    assert_eq!(publish.payload(), b"update message");
    assert_eq!(publish.timeout_ms(10), 30_000);
    assert_eq!(
        inline
            .parse(Ok(b"+MQTTPUBREC:0,2\r\n\r\n+MQTTPUBCOMP:0,2"))
            .unwrap(),
        PublishResponse::Completed { packet_id: 2 }
    );
}

#[test]
fn t08_pub_qos1_digits_stay_quoted() {
    let want = tx(r#"AT+MQTTPUB="dev/gsm/u",1,0,0,"1890""#);
    let inline = PublishInline::new(topic("dev/gsm/u"), QoS::AtLeastOnce, false, "1890").unwrap();
    assert_eq!(enc(&inline), want);
    let publish = Publish::new("dev/gsm/u", b"1890", QoS::AtLeastOnce, false).unwrap();
    assert_eq!(enc_only(&publish), want);
    assert_eq!(publish.timeout_ms(10), 20_000);
    assert_eq!(
        inline.parse(Ok(b"+MQTTPUBACK:0,5")).unwrap(),
        PublishResponse::Acked { packet_id: 5 }
    );
}

const T09_PAYLOAD: &str = r#""{"datastreams":[{"id":"4G","datapoints":[{"value":" 1"}]}]}""#;

#[test]
fn t09_pub_inline_escapes_quotes() {
    assert_eq!(T09_PAYLOAD.len(), 61);
    let inline = PublishInline::new(topic("godda"), QoS::AtMostOnce, false, T09_PAYLOAD).unwrap();
    assert_eq!(inline.message(), T09_PAYLOAD);
    assert_eq!(
        enc(&inline),
        tx(
            r##"AT+MQTTPUB="godda",0,0,0,"\"{\"datastreams\":[{\"id\":\"4G\",\"datapoints\":[{\"value\":\" 1\"}]}]}\"""##
        )
    );
    assert_eq!(inline.timeout_ms(10), 25_000);
    assert_eq!(inline.parse(Ok(b"")).unwrap(), PublishResponse::Sent);
}

#[test]
fn t09_ordinary_publish_sends_quotes_in_length_mode() {
    let publish = Publish::new("godda", T09_PAYLOAD.as_bytes(), QoS::AtMostOnce, false).unwrap();
    assert_eq!(publish.mode(), PublishMode::Length);
    assert_eq!(enc_only(&publish), tx(r#"AT+MQTTPUB="godda",0,0,0,61"#));
    assert_eq!(publish.after_prompt(), Some(T09_PAYLOAD.as_bytes()));
}

#[test]
fn t10_disc() {
    assert_eq!(enc(&Disconnect), tx("AT+MQTTDISC"));
    assert_eq!(Disconnect.timeout_ms(10), 10_000);
    assert_eq!(
        Disconnect.parse(Ok(b"+MQTTDISC: OK")).unwrap(),
        DisconnectResponse { confirmed: true }
    );
    assert_eq!(
        Disconnect.parse(Ok(b"")).unwrap(),
        DisconnectResponse { confirmed: false }
    );
}

#[test]
fn t11_ping_echo_on() {
    assert_eq!(enc(&SetPingEcho::new(true)), tx("AT+MQTTPING=1"));
    assert_eq!(SetPingEcho::new(true).timeout_ms(10), 5_000);
}

#[test]
fn t12_reconnect_on() {
    assert_eq!(enc(&SetReconnect::new(true)), tx("AT+MQTTREC=1"));
    assert_eq!(enc(&SetReconnect::new(false)), tx("AT+MQTTREC=0"));
}

#[test]
fn t16_cfg_seven_parameters() {
    let cfg = Configure7::new(
        Host::new("183.230.40.39").unwrap(),
        6002,
        ClientId::new("4069959").unwrap(),
    )
    .keep_alive(10)
    .credentials(
        User::new("75829").unwrap(),
        Password::new("IIOu0oFUg1guk20ornTK1uzAcnM=").unwrap(),
    )
    .clean_session(true);
    assert_eq!(
        enc(&cfg),
        tx(
            r#"AT+MQTTCFG="183.230.40.39",6002,"4069959",10,"75829","IIOu0oFUg1guk20ornTK1uzAcnM=",1"#
        )
    );
    assert!(!format!("{cfg:?}").contains("IIOu0oFUg1guk20ornTK1uzAcnM="));
    // The same configuration in the 9-parameter form.
    assert_eq!(
        enc(&Configure::from(cfg)),
        tx(
            r#"AT+MQTTCFG="183.230.40.39",6002,"4069959",10,"75829","IIOu0oFUg1guk20ornTK1uzAcnM=",1,"",0"#
        )
    );
}

#[test]
fn t17a_open_with_will() {
    let will = Will::new("mywill", "001bye", QoS::AtLeastOnce, true).unwrap();
    let open = Open::new(true, true, Some(will)).unwrap();
    assert_eq!(enc(&open), tx(r#"AT+MQTTOPEN=1,1,1,1,1,"mywill","001bye""#));
    assert_eq!(open.will(), Some(will));
    assert_eq!(
        open.parse(Ok(b"+MQTTOPEN:OK")).unwrap(),
        OpenResponse::Accepted
    );
}

#[test]
fn t17b_sub_pyr() {
    let sub = Subscribe::new(filter("pyr"), QoS::AtLeastOnce);
    assert_eq!(enc(&sub), tx(r#"AT+MQTTSUB="pyr",1"#));
    assert_eq!(
        sub.parse(Ok(b"+MQTTSUBACK:1,1,pyr")).unwrap(),
        SubAckResponse::Granted {
            packet_id: 1,
            qos: QoS::AtLeastOnce,
            topic: "pyr".try_into().unwrap()
        }
    );
}

fn pub1(t: &'static str, msg: &'static str) -> (Vec<u8>, Vec<u8>) {
    let inline = PublishInline::new(topic(t), QoS::AtLeastOnce, false, msg).unwrap();
    let ordinary = Publish::new(t, msg.as_bytes(), QoS::AtLeastOnce, false).unwrap();
    assert_eq!(ordinary.mode(), PublishMode::Inline);
    (enc(&inline), enc_only(&ordinary))
}

#[test]
fn t17c_pub_other_topic() {
    let (a, b) = pub1("dev/gsm/u", "abc");
    assert_eq!(a, tx(r#"AT+MQTTPUB="dev/gsm/u",1,0,0,"abc""#));
    assert_eq!(a, b);
    let inline = PublishInline::new(topic("dev/gsm/u"), QoS::AtLeastOnce, false, "abc").unwrap();
    assert_eq!(
        inline.parse(Ok(b"+MQTTPUBACK:0,1")).unwrap(),
        PublishResponse::Acked { packet_id: 1 }
    );
}

#[test]
fn t17d_pub_pyr_with_publish_in_between() {
    let (a, b) = pub1("pyr", "abc");
    assert_eq!(a, tx(r#"AT+MQTTPUB="pyr",1,0,0,"abc""#));
    assert_eq!(a, b);
    // An atat body that still holds the in-between line: the PUBACK decides.
    assert_eq!(
        PublishResponse::parse(b"+MQTTPUBACK:0,3\r\n+MQTTPUBLISH:0,1,0,1,pyr,3,abc").unwrap(),
        PublishResponse::Acked { packet_id: 3 }
    );
}

#[test]
fn t17e_pub_pyr_again() {
    let (a, b) = pub1("pyr", "abcdef");
    assert_eq!(a, tx(r#"AT+MQTTPUB="pyr",1,0,0,"abcdef""#));
    assert_eq!(a, b);
}

#[test]
fn t17f_unsub_pyr() {
    let unsub = Unsubscribe::new(filter("pyr"));
    assert_eq!(enc(&unsub), tx(r#"AT+MQTTUNSUB="pyr""#));
    assert_eq!(
        unsub.parse(Ok(br#"+MQTTUNSUBACK:5,"pyr""#)).unwrap(),
        UnsubAckResponse::Acked {
            packet_id: 5,
            topic: "pyr".try_into().unwrap()
        }
    );
}

#[test]
fn t17g_pub_after_unsub() {
    let (a, b) = pub1("pyr", "abcdef");
    assert_eq!(a, tx(r#"AT+MQTTPUB="pyr",1,0,0,"abcdef""#));
    assert_eq!(a, b);
    assert_eq!(
        PublishResponse::parse(b"+MQTTPUBACK:0,6").unwrap(),
        PublishResponse::Acked { packet_id: 6 }
    );
}

#[test]
fn t18_disc_then_del() {
    assert_eq!(enc(&Disconnect), tx("AT+MQTTDISC"));
    assert_eq!(enc(&Delete), tx("AT+MQTTDEL"));
    assert_eq!(Delete.timeout_ms(10), 5_000);
}

#[test]
fn t26_ack_timeout_set() {
    assert_eq!(enc(&SetAckTimeout::new(10)), tx("AT+MQTTTO=10"));
    assert_eq!(enc(&SetAckTimeout::new(3600)), tx("AT+MQTTTO=3600"));
    assert_eq!(enc(&SetAckTimeout::new(1)), tx("AT+MQTTTO=1"));
    for bad in [0, 3601, u16::MAX] {
        let mut buf = [0u8; 64];
        assert_eq!(
            SetAckTimeout::new(bad).encode(&mut buf),
            Err(Error::Invalid(ValidationError::OutOfRange {
                field: Field::AckTimeout,
                min: 1,
                max: 3600
            }))
        );
    }
}

#[test]
fn t27_ack_timeout_query() {
    assert_eq!(enc(&QueryAckTimeout), tx("AT+MQTTTO?"));
    assert_eq!(QueryAckTimeout.parse(Ok(b"+MQTTTO: 10")).unwrap().0, 10);
}

#[test]
fn t28_reconnect_query() {
    assert_eq!(enc(&QueryReconnect), tx("AT+MQTTREC?"));
    assert_eq!(
        QueryReconnect.parse(Ok(b"+MQTTREC: 1,0")).unwrap(),
        ReconnectResponse {
            enabled: true,
            attempts: 0
        }
    );
    // The one-field event form is not the answer.
    assert!(QueryReconnect.parse(Ok(b"+MQTTREC: 2")).is_err());
}

#[test]
fn t29_ping_echo_query() {
    assert_eq!(enc(&QueryPingEcho), tx("AT+MQTTPING?"));
    assert_eq!(
        QueryPingEcho.parse(Ok(b"+MQTTPING: 1")).unwrap(),
        PingEchoResponse(true)
    );
    assert_eq!(
        QueryPingEcho.parse(Ok(b"+MQTTPING: 0")).unwrap(),
        PingEchoResponse(false)
    );
    assert!(QueryPingEcho.parse(Ok(b"+MQTTPING: 7")).is_err());
}

#[test]
fn t30_state_query() {
    assert_eq!(enc(&QueryState), tx("AT+MQTTSTAT?"));
    let s = QueryState.parse(Ok(b"+MQTTSTAT: 1")).unwrap();
    assert_eq!(s.manual(), ModemState::Connected);
    assert_eq!(s.m5311(), M5311State::Configured);
    let s = QueryState.parse(Ok(b"+MQTTSTAT: 7")).unwrap();
    assert_eq!(s.manual(), ModemState::Unknown(7));
}

const T31_PAYLOAD: &[u8] = b"a,\"b\"\r\nOK\r\nc\\d\x00\xffz";

#[test]
fn t31_length_mode_header_carries_no_payload() {
    assert_eq!(T31_PAYLOAD.len(), 17);
    let publish = Publish::new("dev/gsm/u", T31_PAYLOAD, QoS::AtLeastOnce, false).unwrap();
    assert_eq!(publish.mode(), PublishMode::Length);
    let line = enc_only(&publish);
    assert_eq!(line, tx(r#"AT+MQTTPUB="dev/gsm/u",1,0,0,17"#));
    assert_eq!(publish.after_prompt(), Some(T31_PAYLOAD));
    assert_eq!(publish.payload(), T31_PAYLOAD);
    // Not one payload byte that the topic and numbers do not explain.
    for b in [b'\\', 0x00, 0xff, b'z', b'O', b'K'] {
        assert!(!line.contains(&b), "{b:#x}");
    }
    let header = publish.as_length().unwrap();
    assert_eq!(enc(header), line);
    assert_eq!(header.len(), 17);
    assert_eq!(command::PROMPT_TIMEOUT_MS, 5_000);
    assert_eq!(
        PublishResponse::parse(b"+MQTTPUBACK:0,7").unwrap(),
        PublishResponse::Acked { packet_id: 7 }
    );
}

#[test]
fn t32_length_mode_header() {
    let header = PublishLength::new(topic("x"), QoS::AtLeastOnce, false, 5).unwrap();
    assert_eq!(enc(&header), tx(r#"AT+MQTTPUB="x",1,0,0,5"#));
    assert_eq!(header.timeout_ms(10), 20_000);
}

#[test]
fn t43_ok_before_open_result() {
    let open = Open::new(true, true, None).unwrap();
    assert_eq!(enc(&open), tx(r#"AT+MQTTOPEN=1,1,0,0,0,"","""#));
    assert_eq!(open.parse(Ok(b"")).unwrap(), OpenResponse::Unconfirmed);
    assert_eq!(
        open.parse(Ok(b"+MQTTOPEN: OK")).unwrap(),
        OpenResponse::Accepted
    );
}

#[test]
fn t44_open_refused() {
    assert_eq!(
        OpenResponse::parse(b"+MQTTOPEN:FAIL").unwrap(),
        OpenResponse::Refused
    );
}

#[test]
fn t45_subscription_refused() {
    let sub = Subscribe::new(filter("no/such"), QoS::AtLeastOnce);
    assert_eq!(enc(&sub), tx(r#"AT+MQTTSUB="no/such",1"#));
    assert_eq!(
        SubAckResponse::parse(b"+MQTTSUBACK:3,128,no/such"),
        Err(Error::SubscribeRejected)
    );
    assert!(sub.parse(Ok(b"+MQTTSUBACK:3,128,no/such")).is_err());
}

#[test]
fn t46_cfg_query_no_client() {
    assert_eq!(
        QueryConfig
            .parse(Ok(
                br#"+MQTTCFG:"(null)",0,"(null)",0,"(null)","***",0,"(null)",0"#
            ))
            .unwrap(),
        ConfigResponse::NoClient
    );
}

#[test]
fn t47_ping_echo_off_command() {
    assert_eq!(enc(&SetPingEcho::new(false)), tx("AT+MQTTPING=0"));
}

#[test]
fn t48_sub_query_variants() {
    let empty = QuerySubscriptions.parse(Ok(b"+MQTTSUB:")).unwrap();
    assert!(empty.entries.is_empty());
    let two = QuerySubscriptions
        .parse(Ok(b"+MQTTSUB: \r\na/b\r\nc/#"))
        .unwrap();
    let got: Vec<_> = two
        .entries
        .iter()
        .map(|e| (e.topic.as_str(), e.qos))
        .collect();
    assert_eq!(got, [("a/b", None), ("c/#", None)]);
    let qos = QuerySubscriptions
        .parse(Ok(b"+MQTTSUB:\r\n\r\na/b,1\r\n\r\n+/x,0"))
        .unwrap();
    let got: Vec<_> = qos
        .entries
        .iter()
        .map(|e| (e.topic.as_str(), e.qos))
        .collect();
    assert_eq!(
        got,
        [
            ("a/b", Some(QoS::AtLeastOnce)),
            ("+/x", Some(QoS::AtMostOnce))
        ]
    );
    // A URC inside the list is not an entry; no header is not a list.
    let urc = QuerySubscriptions
        .parse(Ok(b"+MQTTSUB:\r\na/b\r\n+MQTTPINGRSP: OK"))
        .unwrap();
    assert_eq!(urc.entries.len(), 1);
    assert!(QuerySubscriptions.parse(Ok(b"a/b")).is_err());
    // More entries than room: reported, not truncated.
    let many: Vec<u8> = (0..9)
        .flat_map(|i| format!("\r\nt{i}").into_bytes())
        .collect();
    let body = [&b"+MQTTSUB:"[..], &many].concat();
    assert_eq!(
        command::SubscriptionList::<8>::parse(&body),
        Err(Error::Overflow)
    );
    assert_eq!(
        command::SubscriptionList::<9>::parse(&body)
            .unwrap()
            .entries
            .len(),
        9
    );
}

#[test]
fn startup_basic_commands() {
    assert_eq!(enc(&At), tx("AT"));
    assert_eq!(enc(&EchoOff), tx("ATE0"));
    assert_eq!(enc(&NumericErrors), tx("AT+CMEE=1"));
    assert_eq!(At.timeout_ms(10), 1_000);
    assert_eq!(EchoOff.timeout_ms(10), 5_000);
}

fn refused<C: Command>(c: &C) -> Error {
    let mut buf = [0xAAu8; MAX_LINE];
    let e = c.encode(&mut buf).unwrap_err();
    assert!(
        buf.iter().all(|&b| b == 0xAA),
        "bytes written before the refusal"
    );
    e
}

#[test]
fn t50_refusals_topic() {
    let quote = ValidationError::ForbiddenByte {
        field: Field::Topic,
        byte: b'"',
    };
    let cr = ValidationError::ForbiddenByte {
        field: Field::Topic,
        byte: b'\r',
    };
    let comma = ValidationError::ForbiddenByte {
        field: Field::Topic,
        byte: b',',
    };
    let long = ValidationError::TooLong {
        field: Field::Topic,
        max: 512,
    };
    let t513 = "t".repeat(513);
    for (value, want) in [
        ("a\"b", quote),
        ("a\r\nAT+MQTTDISC", cr),
        ("a,b", comma),
        (t513.as_str(), long),
    ] {
        assert_eq!(
            TopicFilter::new(value),
            Err(want),
            "subscribe/unsubscribe {value:?}"
        );
        assert_eq!(TopicName::new(value), Err(want), "publish {value:?}");
        assert_eq!(Publish::new(value, b"x", QoS::AtMostOnce, false), Err(want));
        let will_want = match want {
            ValidationError::ForbiddenByte { byte, .. } => ValidationError::ForbiddenByte {
                field: Field::WillTopic,
                byte,
            },
            ValidationError::TooLong { max, .. } => ValidationError::TooLong {
                field: Field::WillTopic,
                max,
            },
            other => other,
        };
        assert_eq!(
            Will::new(value, "m", QoS::AtMostOnce, false),
            Err(will_want)
        );
    }
}

#[test]
fn t50_refusals_credentials_and_host() {
    for bad in ["a\"b", "a\\b", "a\rb", "a\nb", "a\0b"] {
        let byte = bad.as_bytes()[1];
        assert_eq!(
            ClientId::new(bad),
            Err(ValidationError::ForbiddenByte {
                field: Field::ClientId,
                byte
            })
        );
        assert_eq!(
            User::new(bad),
            Err(ValidationError::ForbiddenByte {
                field: Field::User,
                byte
            })
        );
        assert_eq!(
            Password::new(bad),
            Err(ValidationError::ForbiddenByte {
                field: Field::Password,
                byte
            })
        );
    }
    assert_eq!(
        Host::new(&"h".repeat(129)),
        Err(ValidationError::TooLong {
            field: Field::Host,
            max: 128
        })
    );
}

#[test]
fn t50_refusals_inline_message() {
    // 1025 bytes between the quotes (escapes counted).
    let quotes = "\"".repeat(513);
    assert_eq!(
        PublishInline::new(topic("t"), QoS::AtMostOnce, false, &quotes),
        Err(ValidationError::TooLong {
            field: Field::Payload,
            max: 1024
        })
    );
    // Any length that makes the line exceed 1024 bytes: 1000 − topic_len.
    let t = "t".repeat(100);
    let fits = "m".repeat(900);
    let over = "m".repeat(901);
    let ok = PublishInline::new(topic(&t), QoS::AtMostOnce, false, &fits).unwrap();
    assert_eq!(enc(&ok).len(), MAX_LINE);
    assert_eq!(
        PublishInline::new(topic(&t), QoS::AtMostOnce, false, &over),
        Err(ValidationError::TooLong {
            field: Field::Payload,
            max: 900
        })
    );
    // The ordinary API sends it in length mode instead.
    let p = Publish::new(&t, over.as_bytes(), QoS::AtMostOnce, false).unwrap();
    assert_eq!(p.mode(), PublishMode::Length);
    assert_eq!(enc_only(&p), tx(&format!(r#"AT+MQTTPUB="{t}",0,0,0,901"#)));
}

#[test]
fn t50_refusals_write_nothing() {
    // Numeric and consistency refusals happen in `encode`, before any byte.
    let cfg = t01_cfg();
    assert_eq!(
        refused(&Configure::new(cfg.host_name(), 0, cfg.client_id())),
        Error::Invalid(ValidationError::OutOfRange {
            field: Field::Port,
            min: 1,
            max: 65535
        })
    );
    assert_eq!(
        refused(&cfg.keep_alive(0)),
        Error::Invalid(ValidationError::OutOfRange {
            field: Field::KeepAlive,
            min: 1,
            max: 65535
        })
    );
    assert!(matches!(
        refused(&cfg.encrypt(true)),
        Error::Invalid(ValidationError::Inconsistent { .. })
    ));
    assert!(matches!(
        refused(&SetAckTimeout::new(0)),
        Error::Invalid(ValidationError::OutOfRange { .. })
    ));
    // A buffer one byte short: refused, nothing written.
    let line = tx(r#"AT+MQTTSUB="dev/gsm/u",2"#);
    let sub = Subscribe::new(filter("dev/gsm/u"), QoS::ExactlyOnce);
    let mut short = vec![0xAAu8; line.len() - 1];
    assert_eq!(
        sub.encode(&mut short),
        Err(Error::Invalid(ValidationError::BufferTooSmall))
    );
    assert!(short.iter().all(|&b| b == 0xAA));
    let mut exact = vec![0u8; line.len()];
    assert_eq!(sub.encode(&mut exact), Ok(line.len()));
    assert_eq!(exact, line);
}

#[test]
fn open_consistency_rules() {
    assert!(matches!(
        Open::new(false, true, None),
        Err(ValidationError::Inconsistent { .. })
    ));
    let open = Open::new(true, true, None).unwrap();
    assert!(open
        .check_credentials(User::new("u").unwrap(), Password::new("p").unwrap())
        .is_ok());
    assert!(open
        .check_credentials(User::EMPTY, Password::new("p").unwrap())
        .is_err());
    assert!(open
        .check_credentials(User::new("u").unwrap(), Password::EMPTY)
        .is_err());
    // A password without a user cannot be used.
    let cfg = Configure::new(Host::new("h").unwrap(), 1, ClientId::new("i").unwrap())
        .credentials(User::EMPTY, Password::new("p").unwrap());
    assert!(Open::for_config(&cfg, None).is_err());
    // No credentials: both flags 0.
    let anon = Configure::new(Host::new("h").unwrap(), 1, ClientId::new("i").unwrap());
    assert_eq!(
        enc(&Open::for_config(&anon, None).unwrap()),
        tx(r#"AT+MQTTOPEN=0,0,0,0,0,"","""#)
    );
    // A will message at the modem's 512 limit with a 512-byte topic overflows the
    // line: refused with the room that is left.
    let t = "w".repeat(512);
    let m = "m".repeat(512);
    let will = Will::from_parts(
        TopicName::new(&t).unwrap(),
        ml302::text::WillMessage::with_limit(&m, 512).unwrap(),
        QoS::AtMostOnce,
        false,
    );
    assert_eq!(
        Open::new(false, false, Some(will)),
        Err(ValidationError::TooLong {
            field: Field::WillMessage,
            max: 1024 - 29 - 512
        })
    );
    let m_fit = "m".repeat(1024 - 29 - 512);
    let will = Will::from_parts(
        TopicName::new(&t).unwrap(),
        ml302::text::WillMessage::with_limit(&m_fit, 512).unwrap(),
        QoS::ExactlyOnce,
        true,
    );
    let open = Open::new(false, false, Some(will)).unwrap();
    assert_eq!(enc(&open).len(), MAX_LINE);
}

#[test]
fn length_mode_caps() {
    let t = topic("t");
    assert_eq!(
        PublishLength::new(t, QoS::AtMostOnce, false, 0),
        Err(ValidationError::Empty {
            field: Field::Payload
        })
    );
    assert!(PublishLength::new(t, QoS::AtMostOnce, false, 1024).is_ok());
    assert_eq!(
        PublishLength::new(t, QoS::AtMostOnce, false, 1025),
        Err(ValidationError::TooLong {
            field: Field::Payload,
            max: 1024
        })
    );
    // The cap may rise to 2048 − 7 − topic_len.
    assert!(PublishLength::with_cap(t, QoS::AtMostOnce, false, 2040, 2040).is_ok());
    assert_eq!(
        PublishLength::with_cap(t, QoS::AtMostOnce, false, 5, 2041),
        Err(ValidationError::OutOfRange {
            field: Field::Payload,
            min: 1,
            max: 2040
        })
    );
    let big = vec![0u8; 2040];
    let p = Publish::with_length_cap("t", &big, QoS::AtMostOnce, false, 2040).unwrap();
    assert_eq!(enc_only(&p), tx(r#"AT+MQTTPUB="t",0,0,0,2040"#));
    assert!(Publish::new("t", &big, QoS::AtMostOnce, false).is_err());
    // An empty payload is sent inline as "".
    let empty = Publish::new("t", b"", QoS::AtMostOnce, true).unwrap();
    assert_eq!(empty.mode(), PublishMode::Inline);
    assert_eq!(enc_only(&empty), tx(r#"AT+MQTTPUB="t",0,1,0,"""#));
}
