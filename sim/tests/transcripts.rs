//! The spec's test vectors, played against the simulator over a `MemoryPort`, with
//! the exact bytes checked and an independent MQTT peer checking what the broker
//! sees in both directions.

mod common;

use std::time::Duration;

use common::{find_publish, Host, Peer, T};
use ml302_sim::{Quirks, Received, SimConfig, Spelling};
use rumqttc::QoS;

const OK: &[u8] = b"\r\nOK\r\n";

#[test]
fn startup_echo_on_by_default_then_off_with_ate0() {
    let mut h = Host::new(SimConfig::default());
    // Echo: the line as received, its CR echoed, the LF after it swallowed.
    h.exchange("AT", b"AT\r\r\nOK\r\n");
    h.exchange("ATE0", b"ATE0\r\r\nOK\r\n");
    h.exchange("AT", OK);
    h.exchange("ATE1", OK);
    h.exchange("AT", b"AT\r\r\nOK\r\n");
    // A bare LF also ends a line (and is echoed as received).
    h.send_raw(b"AT\n");
    assert_eq!(h.read_final(), b"AT\n\r\nOK\r\n");
    // Lower case and a CR alone are accepted too.
    h.send_raw(b"at\r");
    assert_eq!(h.read_final(), b"at\r\r\nOK\r\n");
}

#[test]
fn errors_plain_before_cmee_and_numeric_after() {
    let mut h = Host::new(SimConfig::default().echo(false));
    h.exchange("AT+MQTTSUB=\"a\",1", b"\r\nERROR\r\n");
    h.exchange("AT+CMEE=1", OK);
    h.exchange("AT+CMEE?", b"\r\n+CMEE: 1\r\n\r\nOK\r\n");
    h.exchange("AT+MQTTSUB=\"a\",1", b"\r\n+CME ERROR: 600\r\n");
    h.exchange("AT+NOSUCH", b"\r\nERROR\r\n");
    h.exchange("AT+MQTTPUB=?", b"\r\nERROR\r\n");
    h.exchange("garbage", b"\r\nERROR\r\n");
    h.exchange("AT+CMEE=0", OK);
    h.exchange("AT+MQTTUNSUB=\"a\"", b"\r\nERROR\r\n");
}

#[test]
fn t01_t02_cfg_and_masked_query() {
    let mut h = Host::quiet(SimConfig::default());
    h.exchange(
        r#"AT+MQTTCFG="183.230.40.39",6002,"532337966",60,"246883","VACC79esEWuVK5j73b3cqWzrD7U=",0,"",0"#,
        OK,
    );
    h.exchange(
        "AT+MQTTCFG?",
        b"\r\n+MQTTCFG: \"183.230.40.39\",6002,\"532337966\",60,\"246883\",\"***\",0,\"\",0\r\n\r\nOK\r\n",
    );
    // A second configuration while a client exists is refused with plain ERROR.
    h.exchange(r#"AT+MQTTCFG="h",1,"i",60,"","",1,"",0"#, b"\r\nERROR\r\n");
}

#[test]
fn t46_no_client_line_and_t18_del() {
    let mut h = Host::quiet(SimConfig::default());
    let null =
        b"\r\n+MQTTCFG:\"(null)\",0,\"(null)\",0,\"(null)\",\"***\",0,\"(null)\",0\r\n\r\nOK\r\n";
    h.exchange("AT+MQTTCFG?", null);
    h.configure_and_open("t18");
    // DEL is refused while connected
    h.exchange("AT+MQTTDEL", b"\r\n+CME ERROR: 602\r\n");
    // T-18
    h.exchange("AT+MQTTDISC", b"\r\n+MQTTDISC: OK\r\n\r\nOK\r\n");
    h.exchange("AT+MQTTDEL", OK);
    h.exchange("AT+MQTTCFG?", null);
    // DISC without a connection: plain ERROR (§2.7)
    h.exchange("AT+MQTTDISC", b"\r\nERROR\r\n");
}

#[test]
fn cfg_parameter_rules() {
    let mut h = Host::quiet(SimConfig::default());
    let bad = [
        r#"AT+MQTTCFG="h",1883,"id",60,"u","p""#, // 6 parameters
        r#"AT+MQTTCFG="h",1883,"id",60,"u","p",1,"""#, // 8 parameters
        r#"AT+MQTTCFG="h",0,"id",60,"u","p",1"#,  // port 0
        r#"AT+MQTTCFG="h",65536,"id",60,"u","p",1"#, // port too big
        r#"AT+MQTTCFG="h",1883,"id",60,"u","p",2"#, // clean 2
        r#"AT+MQTTCFG=h,1883,"id",60,"u","p",1"#, // host unquoted
        r#"AT+MQTTCFG="h",1883,"id",60,"u","p",1,"",1"#, // encrypt without version
        r#"AT+MQTTCFG="",1883,"id",60,"u","p",1"#, // empty host
    ];
    for line in bad {
        h.exchange(line, b"\r\nERROR\r\n");
    }
    let long = "h".repeat(129);
    h.exchange(
        &format!(r#"AT+MQTTCFG="{long}",1883,"id",60,"u","p",1"#),
        b"\r\nERROR\r\n",
    );
    let ok128 = "h".repeat(128);
    h.exchange(
        &format!(r#"AT+MQTTCFG="{ok128}",1883,"id",60,"u","p",1"#),
        OK,
    );
}

#[test]
fn t03_open_and_state_rules() {
    let mut h = Host::quiet(SimConfig::default());
    // no client
    h.exchange(r#"AT+MQTTOPEN=1,1,0,0,0,"","""#, b"\r\n+CME ERROR: 601\r\n");
    h.exchange("AT+MQTTSTAT?", b"\r\n+MQTTSTAT: 0\r\n\r\nOK\r\n");
    h.exchange(
        r#"AT+MQTTCFG="183.230.40.39",6002,"532337966",60,"246883","VACC79esEWuVK5j73b3cqWzrD7U=",0,"",0"#,
        OK,
    );
    // inconsistent flags (§2.2): password without user, will parts without the flag
    h.exchange(r#"AT+MQTTOPEN=0,1,0,0,0,"","""#, b"\r\n+CME ERROR: 601\r\n");
    h.exchange(r#"AT+MQTTOPEN=0,0,0,1,0,"","""#, b"\r\n+CME ERROR: 601\r\n");
    h.exchange(r#"AT+MQTTOPEN=0,0,1,0,0,"","""#, b"\r\n+CME ERROR: 601\r\n");
    // broken syntax (unterminated string): plain ERROR
    h.exchange(r#"AT+MQTTOPEN=1,1,0,0,0,"",""#, b"\r\nERROR\r\n");
    h.exchange(
        r#"AT+MQTTOPEN=1,1,0,0,0,"","""#,
        b"\r\n+MQTTOPEN:OK\r\n\r\nOK\r\n",
    );
    h.exchange("AT+MQTTSTAT?", b"\r\n+MQTTSTAT: 1\r\n\r\nOK\r\n");
    h.exchange(r#"AT+MQTTOPEN=1,1,0,0,0,"","""#, b"\r\n+CME ERROR: 602\r\n");
}

#[test]
fn t04_t05_t06_subscribe_list_unsubscribe_with_packet_ids() {
    let mut h = Host::quiet(SimConfig::default());
    h.configure_and_open("t04");
    let broker = h.sim.broker_addr().unwrap();
    h.exchange("AT+MQTTSUB?", b"\r\n+MQTTSUB:\r\n\r\nOK\r\n");
    h.exchange(
        r#"AT+MQTTSUB="dev/gsm/u",2"#,
        b"\r\n+MQTTSUBACK:1,2,dev/gsm/u\r\n\r\nOK\r\n",
    );
    h.exchange(
        "AT+MQTTSUB?",
        b"\r\n+MQTTSUB:\r\n\r\ndev/gsm/u\r\n\r\nOK\r\n",
    );
    // duplicate → 606, no packet id used
    h.exchange(r#"AT+MQTTSUB="dev/gsm/u",1"#, b"\r\n+CME ERROR: 606\r\n");
    h.exchange(
        r#"AT+MQTTSUB="test",0"#,
        b"\r\n+MQTTSUBACK:2,0,test\r\n\r\nOK\r\n",
    );
    h.exchange(
        "AT+MQTTSUB?",
        b"\r\n+MQTTSUB:\r\n\r\ndev/gsm/u\r\n\r\ntest\r\n\r\nOK\r\n",
    );
    // the subscription is real: a peer's message arrives
    let mut peer = Peer::connect(broker, "peer-t04");
    peer.publish("test", QoS::AtMostOnce, false, b"hello");
    let out = h.wait_for("hello\r\n", T);
    assert_eq!(out, "\r\n+MQTTPUBLISH: 0,0,0,0,\"test\",5,hello\r\n");
    // T-06 (id 3 here: one counter for all packets)
    h.exchange(
        r#"AT+MQTTUNSUB="test""#,
        b"\r\n+MQTTUNSUBACK:3,\"test\"\r\n\r\nOK\r\n",
    );
    h.exchange(r#"AT+MQTTUNSUB="test""#, b"\r\n+CME ERROR: 621\r\n");
    h.exchange(
        "AT+MQTTSUB?",
        b"\r\n+MQTTSUB:\r\n\r\ndev/gsm/u\r\n\r\nOK\r\n",
    );
    // ... and the unsubscription is real too
    peer.publish("test", QoS::AtLeastOnce, false, b"again");
    h.quiet_for(Duration::from_millis(300));
    // bad filters and QoS
    h.exchange(r#"AT+MQTTSUB="a/#/b",1"#, b"\r\n+CME ERROR: 601\r\n");
    h.exchange(r#"AT+MQTTSUB="a",3"#, b"\r\n+CME ERROR: 601\r\n");
    h.exchange(r#"AT+MQTTSUB=a,1"#, b"\r\n+CME ERROR: 601\r\n");
}

#[test]
fn t07_t08_t09_publish_inline_seen_by_an_independent_peer() {
    let mut h = Host::quiet(SimConfig::default());
    h.configure_and_open("t07");
    let mut peer = Peer::connect(h.sim.broker_addr().unwrap(), "peer-t07");
    // (subscribed at QoS 1: delivered at min(publish QoS, 1) = 1 for both)
    peer.subscribe("dev/gsm/u", QoS::AtLeastOnce);
    peer.subscribe("godda", QoS::AtLeastOnce);

    // T-07: QoS 2, PUBREC and PUBCOMP before OK
    h.exchange(
        r#"AT+MQTTPUB="dev/gsm/u",2,0,0,"update message""#,
        b"\r\n+MQTTPUBREC:0,1\r\n\r\n+MQTTPUBCOMP:0,1\r\n\r\nOK\r\n",
    );
    let m = peer.expect_message();
    assert_eq!(
        (m.topic.as_str(), m.qos, m.retain),
        ("dev/gsm/u", QoS::AtLeastOnce, false)
    );
    assert_eq!(&m.payload[..], b"update message");

    // T-08: a quoted all-digit message is the message, not a length
    h.exchange(
        r#"AT+MQTTPUB="dev/gsm/u",1,0,0,"1890""#,
        b"\r\n+MQTTPUBACK:0,2\r\n\r\nOK\r\n",
    );
    let m = peer.expect_message();
    assert_eq!((&m.payload[..], m.qos), (&b"1890"[..], QoS::AtLeastOnce));

    // T-09: QoS 0, \" unescaped; the packet id counter moves on QoS 0 as well
    h.exchange(
        r#"AT+MQTTPUB="godda",0,0,0,"\"{\"datastreams\":[{\"id\":\"4G\",\"datapoints\":[{\"value\":\" 1\"}]}]}\"""#,
        OK,
    );
    let m = peer.expect_message();
    assert_eq!(
        &m.payload[..],
        &br#""{"datastreams":[{"id":"4G","datapoints":[{"value":" 1"}]}]}""#[..]
    );
    assert_eq!(m.payload.len(), 61);
    h.exchange(
        r#"AT+MQTTPUB="dev/gsm/u",1,1,0,"r""#,
        b"\r\n+MQTTPUBACK:0,4\r\n\r\nOK\r\n",
    );
    let _ = peer.expect_message();
    // retain really reached the broker: a new subscriber gets the retained message
    let mut late = Peer::connect(h.sim.broker_addr().unwrap(), "late-t07");
    late.subscribe("dev/gsm/u", QoS::AtLeastOnce);
    let m = late.expect_message();
    assert!(m.retain, "delivered as retained");
    assert_eq!(&m.payload[..], b"r");

    // parameter errors: wildcard topic, qos 3; a long message that still fits the line
    h.exchange(r#"AT+MQTTPUB="a/+",0,0,0,"x""#, b"\r\n+CME ERROR: 601\r\n");
    h.exchange(r#"AT+MQTTPUB="a",3,0,0,"x""#, b"\r\n+CME ERROR: 601\r\n");
    let big = "x".repeat(990);
    h.exchange(&format!(r#"AT+MQTTPUB="a",0,0,0,"{big}""#), OK);
    let m = peer.next_message(Duration::from_millis(200));
    assert!(m.is_none(), "not subscribed to a");
}

#[test]
fn t10_disc_and_will_not_sent_on_clean_disconnect() {
    let mut h = Host::quiet(SimConfig::default());
    let mut peer = Peer::connect(h.sim.broker_addr().unwrap(), "peer-t10");
    peer.subscribe("will/t10", QoS::AtLeastOnce);
    h.exchange(r#"AT+MQTTCFG="x",1883,"t10",60,"","",1,"",0"#, OK);
    h.exchange(
        r#"AT+MQTTOPEN=0,0,1,0,1,"will/t10","bye""#,
        b"\r\n+MQTTOPEN:OK\r\n\r\nOK\r\n",
    );
    h.exchange("AT+MQTTDISC", b"\r\n+MQTTDISC: OK\r\n\r\nOK\r\n");
    h.exchange("AT+MQTTSTAT?", b"\r\n+MQTTSTAT: 0\r\n\r\nOK\r\n");
    h.exchange(r#"AT+MQTTPUB="x",0,0,0,"a""#, b"\r\n+CME ERROR: 600\r\n");
    assert!(
        peer.next_message(Duration::from_millis(500)).is_none(),
        "a DISCONNECT suppresses the will"
    );
    // the configuration survives: open again
    h.exchange(
        r#"AT+MQTTOPEN=0,0,0,0,0,"","""#,
        b"\r\n+MQTTOPEN:OK\r\n\r\nOK\r\n",
    );
}

#[test]
fn t16_t17_chapter3_session() {
    let mut h = Host::quiet(SimConfig::default().final_linger(Duration::from_millis(300)));
    let broker = h.sim.broker_addr().unwrap();
    let mut peer = Peer::connect(broker, "peer-t17");
    peer.subscribe("pyr", QoS::AtLeastOnce);
    peer.subscribe("dev/gsm/u", QoS::AtLeastOnce);
    peer.subscribe("mywill", QoS::AtLeastOnce);

    // T-16: 7 parameters
    h.exchange(
        r#"AT+MQTTCFG="183.230.40.39",6002,"4069959",10,"75829","IIOu0oFUg1guk20ornTK1uzAcnM=",1"#,
        OK,
    );
    h.exchange(
        "AT+MQTTCFG?",
        b"\r\n+MQTTCFG: \"183.230.40.39\",6002,\"4069959\",10,\"75829\",\"***\",1,\"\",0\r\n\r\nOK\r\n",
    );
    // T-17a
    h.exchange(
        r#"AT+MQTTOPEN=1,1,1,1,1,"mywill","001bye""#,
        b"\r\n+MQTTOPEN:OK\r\n\r\nOK\r\n",
    );
    // T-17b
    h.exchange(
        r#"AT+MQTTSUB="pyr",1"#,
        b"\r\n+MQTTSUBACK:1,1,pyr\r\n\r\nOK\r\n",
    );
    // T-17c
    h.exchange(
        r#"AT+MQTTPUB="dev/gsm/u",1,0,0,"abc""#,
        b"\r\n+MQTTPUBACK:0,2\r\n\r\nOK\r\n",
    );
    assert_eq!(&peer.expect_message().payload[..], b"abc");
    // T-17d/e: the broker sends our own message back between PUBACK and OK
    for (id, msg) in [(3, "abc"), (4, "abcdef")] {
        h.send_line(&format!(r#"AT+MQTTPUB="pyr",1,0,0,"{msg}""#));
        let out = h.read_final();
        let head = format!("\r\n+MQTTPUBACK:0,{id}\r\n");
        assert!(
            out.starts_with(head.as_bytes()),
            "{:?}",
            String::from_utf8_lossy(&out)
        );
        let (frame, end) = find_publish(&out).expect("a +MQTTPUBLISH before OK");
        assert_eq!(frame.topic, "pyr");
        assert_eq!((frame.dup, frame.qos, frame.retain), (0, 1, 0));
        assert_ne!(frame.id, 0, "QoS 1 deliveries carry a packet id");
        assert_eq!(frame.payload, msg.as_bytes());
        assert_eq!(&out[head.len()..head.len() + 2], b"\r\n");
        assert_eq!(&out[end..], OK, "OK right after the message");
        let m = peer.expect_message();
        assert_eq!((m.topic.as_str(), &m.payload[..]), ("pyr", msg.as_bytes()));
    }
    // T-17f
    h.exchange(
        r#"AT+MQTTUNSUB="pyr""#,
        b"\r\n+MQTTUNSUBACK:5,\"pyr\"\r\n\r\nOK\r\n",
    );
    // T-17g: nothing comes back any more
    h.exchange(
        r#"AT+MQTTPUB="pyr",1,0,0,"abcdef""#,
        b"\r\n+MQTTPUBACK:0,6\r\n\r\nOK\r\n",
    );
    h.quiet_for(Duration::from_millis(300));
    assert_eq!(&peer.expect_message().payload[..], b"abcdef");
    // The will (QoS 1, retained) is real: an abrupt link loss publishes it.
    h.exchange("AT+MQTTREC=0", OK);
    h.sim.inject(ml302_sim::Fault::CutLink);
    h.wait_for("\r\n+MQTTDISC: OK\r\n", T);
    let m = peer.expect_message();
    assert_eq!(
        (m.topic.as_str(), &m.payload[..]),
        ("mywill", &b"001bye"[..])
    );
    assert_eq!(m.qos, QoS::AtLeastOnce);
}

#[test]
fn t31_length_mode_hostile_bytes_arrive_exactly() {
    let mut h = Host::quiet(SimConfig::default());
    h.configure_and_open("t31");
    let mut peer = Peer::connect(h.sim.broker_addr().unwrap(), "peer-t31");
    peer.subscribe("dev/gsm/u", QoS::AtLeastOnce);
    // bring the counter to 7 as in the vector
    for _ in 0..6 {
        h.exchange(r#"AT+MQTTPUB="other",0,0,0,"x""#, OK);
    }
    let payload: &[u8] = b"a,\"b\"\r\nOK\r\nc\\d\x00\xffz";
    assert_eq!(payload.len(), 17);
    h.send_line(r#"AT+MQTTPUB="dev/gsm/u",1,0,0,17"#);
    assert_eq!(h.wait_for("> ", T), "\r\n> ");
    h.send_raw(payload);
    assert_eq!(h.read_final(), b"\r\n+MQTTPUBACK:0,7\r\n\r\nOK\r\n");
    let m = peer.expect_message();
    assert_eq!(&m.payload[..], payload);
    let log = h.sim.received_lines();
    assert_eq!(
        log.last(),
        Some(&Received::Payload(payload.to_vec())),
        "the log keeps the payload raw"
    );
    assert_eq!(
        log[log.len() - 2],
        Received::Line(br#"AT+MQTTPUB="dev/gsm/u",1,0,0,17"#.to_vec())
    );
    // A payload starting with LF: the command's own LF is consumed before the prompt.
    h.send_line(r#"AT+MQTTPUB="dev/gsm/u",0,0,0,3"#);
    assert_eq!(h.wait_for("> ", T), "\r\n> ");
    h.send_raw(b"\nab");
    assert_eq!(h.read_final(), OK);
    assert_eq!(&peer.expect_message().payload[..], b"\nab");
    // Host sends the payload right behind the command line, without waiting.
    h.send_raw(b"AT+MQTTPUB=\"dev/gsm/u\",0,0,0,4\r\n\r\nOK");
    assert_eq!(h.read_final(), b"\r\n> \r\nOK\r\n");
    assert_eq!(&peer.expect_message().payload[..], b"\r\nOK");
    // length limits: 0 and more than the 2048-byte buffer allows
    h.exchange(
        r#"AT+MQTTPUB="dev/gsm/u",0,0,0,0"#,
        b"\r\n+CME ERROR: 601\r\n",
    );
    h.exchange(
        r#"AT+MQTTPUB="dev/gsm/u",0,0,0,2033"#,
        b"\r\n+CME ERROR: 601\r\n",
    );
    h.send_line(r#"AT+MQTTPUB="dev/gsm/u",1,0,0,2032"#);
    assert_eq!(h.wait_for("> ", T), "\r\n> ");
    let big: Vec<u8> = (0..2032u32).map(|i| (i % 251) as u8).collect();
    h.send_raw(&big);
    assert_eq!(h.read_final(), b"\r\n+MQTTPUBACK:0,10\r\n\r\nOK\r\n");
    assert_eq!(&peer.expect_message().payload[..], &big[..]);
}

#[test]
fn t32_length_mode_refused_before_prompt() {
    let mut h = Host::quiet(SimConfig::default());
    h.exchange(r#"AT+MQTTCFG="x",1,"t32",60,"","",1"#, OK);
    h.exchange(r#"AT+MQTTPUB="x",1,0,0,5"#, b"\r\n+CME ERROR: 600\r\n");
    // no prompt came, so the next line is a command again
    h.exchange("AT", OK);
}

#[test]
fn incoming_qos_levels_retained_and_pubrel() {
    // Each topic gets its own subscription whose QoS equals the publisher's (the
    // in-process broker, rumqttd, delivers at the subscription's QoS).
    let mut h = Host::quiet(SimConfig::default());
    let broker = h.sim.broker_addr().unwrap();
    let mut peer = Peer::connect(broker, "peer-in");
    peer.publish("ret/a", QoS::AtLeastOnce, true, b"kept");
    h.configure_and_open("incoming");
    h.send_line(r#"AT+MQTTSUB="ret/#",1"#);
    // Up to the OK only: the retained message may arrive in the same read.
    let mut out = h.wait_for("\r\nOK\r\n", T).into_bytes();
    assert!(out.starts_with(b"\r\n+MQTTSUBACK:1,1,ret/#\r\n"), "{out:?}");
    // the retained message, flagged retained; before or after the OK
    if find_publish(&out).is_none() {
        out = h.wait_for("kept\r\n", T).into_bytes();
    }
    let (f, _) = find_publish(&out).expect("retained message");
    assert_eq!(
        (f.topic.as_str(), f.qos, f.retain, &f.payload[..]),
        ("ret/a", 1, 1, &b"kept"[..])
    );
    // QoS 2 delivery: +MQTTPUBLISH then +MQTTPUBREL with the same id
    h.exchange(
        r#"AT+MQTTSUB="two/#",2"#,
        b"\r\n+MQTTSUBACK:2,2,two/#\r\n\r\nOK\r\n",
    );
    peer.publish("two/x", QoS::ExactlyOnce, false, b"x\r\n\"y");
    let out = h.wait_for("+MQTTPUBREL: 0,", T);
    let (f, end) =
        find_publish(out.as_bytes()).unwrap_or_else(|| panic!("QoS 2 message in {out:?}"));
    assert_eq!(
        (f.topic.as_str(), f.qos, f.retain, &f.payload[..]),
        ("two/x", 2, 0, &b"x\r\n\"y"[..])
    );
    assert_eq!(&out[end..], "\r\n+MQTTPUBREL: 0,");
    let rest = h.wait_for("\r\n", T);
    assert_eq!(rest, format!("{}\r\n", f.id));
    // QoS 0 delivery with an empty payload
    h.exchange(
        r#"AT+MQTTSUB="zero",0"#,
        b"\r\n+MQTTSUBACK:3,0,zero\r\n\r\nOK\r\n",
    );
    peer.publish("zero", QoS::AtMostOnce, false, b"");
    assert_eq!(
        h.wait_for("\"zero\",0,\r\n", T),
        "\r\n+MQTTPUBLISH: 0,0,0,0,\"zero\",0,\r\n"
    );
    h.quiet_for(Duration::from_millis(200));
}

#[test]
fn ping_rec_to_settings_and_queries() {
    let mut h = Host::quiet(SimConfig::default());
    // accepted before a configuration (OneOS sends AT+MQTTTO first)
    h.exchange("AT+MQTTTO=30", OK);
    h.exchange("AT+MQTTTO?", b"\r\n+MQTTTO: 30\r\n\r\nOK\r\n");
    h.exchange(r#"AT+MQTTCFG="x",1,"s",60,"","",1"#, OK);
    // a configuration resets TO to 10 and PING to 0
    h.exchange("AT+MQTTTO?", b"\r\n+MQTTTO: 10\r\n\r\nOK\r\n");
    h.exchange("AT+MQTTPING?", b"\r\n+MQTTPING: 0\r\n\r\nOK\r\n");
    h.exchange("AT+MQTTPING=1", OK);
    h.exchange("AT+MQTTPING?", b"\r\n+MQTTPING: 1\r\n\r\nOK\r\n");
    h.exchange("AT+MQTTREC?", b"\r\n+MQTTREC: 1,0\r\n\r\nOK\r\n");
    h.exchange("AT+MQTTREC=0", OK);
    h.exchange("AT+MQTTREC?", b"\r\n+MQTTREC: 0,0\r\n\r\nOK\r\n");
    for bad in [
        "AT+MQTTTO=0",
        "AT+MQTTTO=3601",
        "AT+MQTTPING=2",
        "AT+MQTTREC=x",
        "AT+MQTTTO=1,2",
    ] {
        h.exchange(bad, b"\r\n+CME ERROR: 601\r\n");
    }
}

#[test]
fn keepalive_pings_shown_after_mqttping_1() {
    // keep-alive 1 "second" of 150 ms: pings go out quickly.
    let mut h = Host::quiet(SimConfig::default().module_second(Duration::from_millis(150)));
    h.exchange(r#"AT+MQTTCFG="x",1,"ka",1,"","",1"#, OK);
    h.exchange(
        r#"AT+MQTTOPEN=0,0,0,0,0,"","""#,
        b"\r\n+MQTTOPEN:OK\r\n\r\nOK\r\n",
    );
    h.quiet_for(Duration::from_millis(500)); // pings happen, PING echo is off
    h.exchange("AT+MQTTPING=1", OK);
    assert_eq!(h.wait_for("OK\r\n", T), "\r\n+MQTTPINGRSP: OK\r\n");
    assert_eq!(h.wait_for("OK\r\n", T), "\r\n+MQTTPINGRSP: OK\r\n");
}

#[test]
fn chapter3_spelling_switch() {
    let cfg = SimConfig::default()
        .spelling(Spelling::Chapter3)
        .module_second(Duration::from_millis(150));
    let mut h = Host::quiet(cfg);
    h.exchange(r#"AT+MQTTCFG="x",1,"c3",1,"u","p",1"#, OK);
    h.exchange(
        "AT+MQTTCFG?",
        b"\r\n+MQTTCFG:\"x\",1,\"c3\",1,\"u\",\"***\",1,\"\",0\r\n\r\nOK\r\n",
    );
    h.exchange("AT+MQTTTO?", b"\r\n+MQTTTO:10\r\n\r\nOK\r\n");
    h.exchange("AT+MQTTREC?", b"\r\n+MQTTREC:1,0\r\n\r\nOK\r\n");
    h.exchange("AT+MQTTPING?", b"\r\n+MQTTPING:0\r\n\r\nOK\r\n");
    h.exchange(
        r#"AT+MQTTOPEN=0,0,0,0,0,"","""#,
        b"\r\n+MQTTOPEN:OK\r\n\r\nOK\r\n",
    );
    h.exchange("AT+MQTTSTAT?", b"\r\n+MQTTSTAT:1\r\n\r\nOK\r\n");
    h.exchange(
        r#"AT+MQTTSUB="pyr",0"#,
        b"\r\n+MQTTSUBACK:1,0,pyr\r\n\r\nOK\r\n",
    );
    let mut peer = Peer::connect(h.sim.broker_addr().unwrap(), "peer-c3");
    peer.publish("pyr", QoS::AtMostOnce, false, b"abc");
    assert_eq!(
        h.wait_for("abc\r\n", T),
        "\r\n+MQTTPUBLISH:0,0,0,0,pyr,3,abc\r\n"
    );
    h.exchange("AT+MQTTPING=1", OK);
    assert_eq!(h.wait_for("OK\r\n", T), "\r\n+MQTTPINGRESP:OK\r\n");
    h.exchange("AT+MQTTDISC", b"\r\n+MQTTDISC:OK\r\n\r\nOK\r\n");
}

#[test]
fn quirks_ok_first_m5311_stat_payload_own_line() {
    let quirks = Quirks {
        ok_before_ack: true,
        m5311_stat: true,
        payload_own_line: true,
    };
    let mut h = Host::quiet(SimConfig::default().quirks(quirks));
    h.exchange("AT+MQTTSTAT?", b"\r\n+MQTTSTAT: 0\r\n\r\nOK\r\n");
    h.exchange(r#"AT+MQTTCFG="x",1,"q",60,"","",1"#, OK);
    h.exchange("AT+MQTTSTAT?", b"\r\n+MQTTSTAT: 1\r\n\r\nOK\r\n");
    // OK first, then the result line
    h.send_line(r#"AT+MQTTOPEN=0,0,0,0,0,"","""#);
    assert_eq!(
        h.wait_for("+MQTTOPEN:OK\r\n", T),
        "\r\nOK\r\n\r\n+MQTTOPEN:OK\r\n"
    );
    h.exchange("AT+MQTTSTAT?", b"\r\n+MQTTSTAT: 5\r\n\r\nOK\r\n");
    h.send_line(r#"AT+MQTTSUB="own",0"#);
    assert_eq!(
        h.wait_for("own\r\n", T),
        "\r\nOK\r\n\r\n+MQTTSUBACK:1,0,own\r\n"
    );
    h.send_line(r#"AT+MQTTPUB="own",1,0,0,"hello""#);
    let out = h.wait_for("hello\r\n", T);
    assert!(
        out.starts_with("\r\nOK\r\n\r\n+MQTTPUBACK:0,2\r\n"),
        "{out:?}"
    );
    assert!(
        out.ends_with("\r\n+MQTTPUBLISH: 0,0,0,0,\"own\",5\r\nhello\r\n"),
        "{out:?}"
    );
    h.exchange("AT+MQTTDISC", b"\r\n+MQTTDISC: OK\r\n\r\nOK\r\n");
    h.exchange("AT+MQTTSTAT?", b"\r\n+MQTTSTAT: 2\r\n\r\nOK\r\n");
}

#[test]
fn backspace_long_lines_and_input_during_a_blocking_command() {
    let mut h = Host::new(SimConfig::default());
    // backspace edits the line (and is echoed)
    h.send_raw(b"ATX\x08\r\n");
    assert_eq!(h.read_final(), b"ATX\x08\r\r\nOK\r\n");
    h.exchange("ATE0", b"ATE0\r\r\nOK\r\n");
    // lines sent while a command blocks are answered afterwards, in order
    h.exchange("AT+CMEE=1", OK);
    h.configure_and_open("busy");
    // a line of 1024 bytes with its CR LF is executed; one byte more is refused
    let prefix = r#"AT+MQTTPUB="t",0,0,0,""#;
    let fits = format!("{prefix}{}\"", "x".repeat(1022 - prefix.len() - 1));
    assert_eq!(fits.len() + 2, 1024);
    h.exchange(&fits, OK);
    assert_eq!(
        h.sim.received_lines().last(),
        Some(&Received::Line(fits.clone().into_bytes()))
    );
    let long = format!("{prefix}{}\"", "x".repeat(1023 - prefix.len() - 1));
    h.exchange(&long, b"\r\nERROR\r\n");
    h.send_raw(b"AT+MQTTSUB=\"b\",1\r\nAT\r\nAT+MQTTSTAT?\r\n");
    let out = h.port.read_until(b"+MQTTSTAT: 1\r\n\r\nOK\r\n", T).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out),
        "\r\n+MQTTSUBACK:2,1,b\r\n\r\nOK\r\n\r\nOK\r\n\r\n+MQTTSTAT: 1\r\n\r\nOK\r\n"
    );
}

#[test]
fn urcs_wait_during_length_mode_data_entry() {
    let mut h = Host::quiet(SimConfig::default());
    h.configure_and_open("entry");
    h.exchange(
        r#"AT+MQTTSUB="u",0"#,
        b"\r\n+MQTTSUBACK:1,0,u\r\n\r\nOK\r\n",
    );
    let mut peer = Peer::connect(h.sim.broker_addr().unwrap(), "peer-entry");
    h.send_line(r#"AT+MQTTPUB="v",0,0,0,3"#);
    assert_eq!(h.wait_for("> ", T), "\r\n> ");
    peer.publish("u", QoS::AtMostOnce, false, b"urc");
    h.quiet_for(Duration::from_millis(300)); // nothing while the host types data
    h.send_raw(b"abc");
    assert_eq!(
        h.read_final(),
        b"\r\n+MQTTPUBLISH: 0,0,0,0,\"u\",3,urc\r\n\r\nOK\r\n"
    );
}

#[test]
fn length_mode_after_a_cr_only_line_prompt_comes_after_the_grace() {
    let mut h = Host::quiet(SimConfig::default().lf_grace(Duration::from_millis(150)));
    h.configure_and_open("cr");
    let mut peer = Peer::connect(h.sim.broker_addr().unwrap(), "peer-cr");
    peer.subscribe("cr", QoS::AtLeastOnce);
    h.send_raw(b"AT+MQTTPUB=\"cr\",1,0,0,2\r");
    h.quiet_for(Duration::from_millis(50)); // still waiting for a possible LF
    assert_eq!(h.wait_for("> ", T), "\r\n> ");
    // the LF is late: it is payload now
    h.send_raw(b"\n\n");
    assert_eq!(h.read_final(), b"\r\n+MQTTPUBACK:0,1\r\n\r\nOK\r\n");
    assert_eq!(&peer.expect_message().payload[..], b"\n\n");
}
