//! Fault injection and link-loss behaviour: ACK time-outs, broker restarts and
//! outages, refused logins, lost pings, reboots, damaged output, pacing.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use common::{find_publish, Host, Peer, T};
use ml302_sim::{Broker, BrokerConfig, BrokerMode, Fault, Quirks, SimConfig, Spelling, Target};
use rumqttc::mqttbytes::v4::Packet;
use rumqttc::QoS;

const OK: &[u8] = b"\r\nOK\r\n";

/// 100 ms module seconds: `AT+MQTTTO=2` waits 200 ms.
fn fast() -> SimConfig {
    SimConfig::default()
        .module_second(Duration::from_millis(100))
        .reconnect_interval(Duration::from_millis(100))
}

#[test]
fn withheld_ack_gives_mqttto_and_616_for_each_command() {
    let mut h = Host::quiet(fast());
    h.configure_and_open("withheld");
    h.exchange("AT+MQTTTO=2", OK);
    let mut peer = Peer::connect(h.sim.broker_addr().unwrap(), "peer-withheld");
    peer.subscribe("w", QoS::AtLeastOnce);

    h.sim.inject(Fault::WithholdAck);
    h.exchange(
        r#"AT+MQTTSUB="s",1"#,
        b"\r\n+MQTTTO: 3\r\n\r\n+CME ERROR: 616\r\n",
    );
    // the late-ignored SUBACK left no trace, and the table does not have the topic
    h.exchange("AT+MQTTSUB?", b"\r\n+MQTTSUB:\r\n\r\nOK\r\n");

    h.sim.inject(Fault::WithholdAck);
    h.exchange(
        r#"AT+MQTTPUB="w",1,0,0,"lost?""#,
        b"\r\n+MQTTTO: 2\r\n\r\n+CME ERROR: 616\r\n",
    );
    // the broker did get the message; only its PUBACK was ignored
    assert_eq!(&peer.expect_message().payload[..], b"lost?");

    // QoS 2: the PUBCOMP is the ACK withheld after PUBREC got through
    h.sim.inject(Fault::DelayAck(Duration::ZERO)); // the PUBREC passes (delayed by 0)
    h.sim.inject(Fault::WithholdAck);
    h.exchange(
        r#"AT+MQTTPUB="w",2,0,0,"two""#,
        b"\r\n+MQTTPUBREC:0,3\r\n\r\n+MQTTTO: 2\r\n\r\n+CME ERROR: 616\r\n",
    );

    h.exchange(
        r#"AT+MQTTSUB="s",1"#,
        b"\r\n+MQTTSUBACK:4,1,s\r\n\r\nOK\r\n",
    );
    h.sim.inject(Fault::WithholdAck);
    h.exchange(
        r#"AT+MQTTUNSUB="s""#,
        b"\r\n+MQTTTO: 4\r\n\r\n+CME ERROR: 616\r\n",
    );

    // a delay shorter than the time-out is only a delay
    h.sim.inject(Fault::DelayAck(Duration::from_millis(50)));
    h.exchange(
        r#"AT+MQTTPUB="w",1,0,0,"slow""#,
        b"\r\n+MQTTPUBACK:0,6\r\n\r\nOK\r\n",
    );
    // a longer one is a time-out
    h.sim.inject(Fault::DelayAck(Duration::from_millis(600)));
    h.exchange(
        r#"AT+MQTTPUB="w",1,0,0,"late""#,
        b"\r\n+MQTTTO: 2\r\n\r\n+CME ERROR: 616\r\n",
    );
    h.quiet_for(Duration::from_millis(700)); // the late PUBACK is dropped silently
    h.exchange("AT+MQTTSTAT?", b"\r\n+MQTTSTAT: 1\r\n\r\nOK\r\n");
}

#[test]
fn withheld_connack_gives_mqttto_1_and_604() {
    let mut h = Host::quiet(fast());
    h.exchange(r#"AT+MQTTCFG="x",1,"noack",60,"","",1"#, OK);
    h.exchange("AT+MQTTTO=2", OK);
    h.sim.inject(Fault::WithholdAck);
    h.exchange(
        r#"AT+MQTTOPEN=0,0,0,0,0,"","""#,
        b"\r\n+MQTTTO: 1\r\n\r\n+CME ERROR: 604\r\n",
    );
    h.exchange("AT+MQTTSTAT?", b"\r\n+MQTTSTAT: 0\r\n\r\nOK\r\n");
    h.exchange(
        r#"AT+MQTTOPEN=0,0,0,0,0,"","""#,
        b"\r\n+MQTTOPEN:OK\r\n\r\nOK\r\n",
    );
}

#[test]
fn ok_before_ack_quirk_timeout_shows_only_mqttto() {
    let quirks = Quirks {
        ok_before_ack: true,
        ..Quirks::default()
    };
    let mut h = Host::quiet(fast().quirks(quirks));
    h.exchange(r#"AT+MQTTCFG="x",1,"q",60,"","",1"#, OK);
    h.send_line(r#"AT+MQTTOPEN=0,0,0,0,0,"","""#);
    h.wait_for("+MQTTOPEN:OK\r\n", T);
    h.exchange("AT+MQTTTO=2", OK);
    h.sim.inject(Fault::WithholdAck);
    h.send_line(r#"AT+MQTTSUB="s",1"#);
    assert_eq!(
        h.wait_for("+MQTTTO: 3\r\n", T),
        "\r\nOK\r\n\r\n+MQTTTO: 3\r\n"
    );
    h.quiet_for(Duration::from_millis(200));
}

fn assert_reconnected(out: &str) {
    // +MQTTREC:0 [ +MQTTREC:1 ... ] +MQTTOPEN:OK
    let lines: Vec<&str> = out.split("\r\n").filter(|l| !l.is_empty()).collect();
    let (last, recs) = lines.split_last().unwrap();
    assert_eq!(*last, "+MQTTOPEN:OK", "{out:?}");
    assert!(!recs.is_empty(), "{out:?}");
    for (n, l) in recs.iter().enumerate() {
        assert_eq!(*l, format!("+MQTTREC:{n}"), "{out:?}");
    }
}

#[test]
fn broker_restart_leads_to_mqttrec_and_mqttopen_ok() {
    let mut h = Host::quiet(fast());
    h.configure_and_open("restart");
    h.exchange(
        r#"AT+MQTTSUB="r",1"#,
        b"\r\n+MQTTSUBACK:1,1,r\r\n\r\nOK\r\n",
    );
    let addr = h.sim.broker_addr().unwrap();
    h.sim.inject(Fault::RestartBroker);
    let out = h.wait_for("+MQTTOPEN:OK\r\n", T);
    assert_reconnected(&out);
    let attempts = out.matches("+MQTTREC:").count();
    h.exchange(
        "AT+MQTTREC?",
        format!("\r\n+MQTTREC: 1,{attempts}\r\n\r\nOK\r\n").as_bytes(),
    );
    assert_eq!(
        h.sim.broker_addr(),
        Some(addr),
        "same address after a restart"
    );
    // clean session: the module's table is empty again; subscribing works
    h.exchange("AT+MQTTSUB?", b"\r\n+MQTTSUB:\r\n\r\nOK\r\n");
    h.exchange(
        r#"AT+MQTTSUB="r",1"#,
        b"\r\n+MQTTSUBACK:2,1,r\r\n\r\nOK\r\n",
    );
    let mut peer = Peer::connect(addr, "peer-restart");
    peer.publish("r", QoS::AtLeastOnce, false, b"after");
    let out = h.wait_for("after\r\n", T);
    let (f, _) = find_publish(out.as_bytes()).unwrap();
    assert_eq!(&f.payload[..], b"after");
}

#[test]
fn cut_link_reconnects_and_the_broker_publishes_the_will() {
    let mut h = Host::quiet(fast());
    let mut peer = Peer::connect(h.sim.broker_addr().unwrap(), "peer-cut");
    peer.subscribe("cut/will", QoS::AtLeastOnce);
    h.exchange(r#"AT+MQTTCFG="x",1,"cut",60,"","",1"#, OK);
    h.exchange(
        r#"AT+MQTTOPEN=0,0,1,0,1,"cut/will","gone""#,
        b"\r\n+MQTTOPEN:OK\r\n\r\nOK\r\n",
    );
    h.sim.inject(Fault::CutLink);
    assert_eq!(
        h.wait_for("+MQTTOPEN:OK\r\n", T),
        "\r\n+MQTTREC:0\r\n\r\n+MQTTOPEN:OK\r\n"
    );
    let m = peer.expect_message();
    assert_eq!(
        (m.topic.as_str(), &m.payload[..]),
        ("cut/will", &b"gone"[..])
    );
}

#[test]
fn broker_gone_three_attempts_then_mqttdisc() {
    let broker = Broker::start(BrokerConfig::default()).unwrap();
    let mut h = Host::quiet(fast().broker(BrokerMode::Fixed(broker.addr())));
    assert_eq!(h.sim.broker_addr(), None);
    h.configure_and_open("gone");
    h.exchange(
        r#"AT+MQTTSUB="g",0"#,
        b"\r\n+MQTTSUBACK:1,0,g\r\n\r\nOK\r\n",
    );
    drop(broker);
    assert_eq!(
        h.wait_for("+MQTTDISC: OK\r\n", T),
        "\r\n+MQTTREC:0\r\n\r\n+MQTTREC:1\r\n\r\n+MQTTREC:2\r\n\r\n+MQTTDISC: OK\r\n"
    );
    h.exchange("AT+MQTTSTAT?", b"\r\n+MQTTSTAT: 0\r\n\r\nOK\r\n");
    h.exchange("AT+MQTTREC?", b"\r\n+MQTTREC: 1,3\r\n\r\nOK\r\n");
    h.exchange("AT+MQTTSUB?", b"\r\n+MQTTSUB:\r\n\r\nOK\r\n");
    h.exchange(r#"AT+MQTTPUB="g",0,0,0,"x""#, b"\r\n+CME ERROR: 600\r\n");
    // nothing listens any more: a new open fails at once
    h.exchange(r#"AT+MQTTOPEN=0,0,0,0,0,"","""#, b"\r\n+CME ERROR: 603\r\n");
}

#[test]
fn link_loss_without_reconnect_and_a_command_pending() {
    let broker = Broker::start(BrokerConfig::default()).unwrap();
    let mut h = Host::quiet(fast().broker(BrokerMode::Fixed(broker.addr())));
    h.configure_and_open("norec");
    h.exchange("AT+MQTTREC=0", OK);
    h.sim.inject(Fault::WithholdAck);
    h.send_line(r#"AT+MQTTPUB="p",1,0,0,"x""#);
    std::thread::sleep(Duration::from_millis(100));
    broker.disconnect_clients();
    // the pending command fails with 617, then the loss is reported
    assert_eq!(
        h.wait_for("+MQTTDISC: OK\r\n", T),
        "\r\n+CME ERROR: 617\r\n\r\n+MQTTDISC: OK\r\n"
    );
}

#[test]
fn wrong_password_gives_mqttopen_fail_and_614() {
    let mut h = Host::quiet(fast().users(&[("dev", "right")]));
    h.exchange(r#"AT+MQTTCFG="x",1,"auth",60,"dev","wrong",1"#, OK);
    h.exchange(
        r#"AT+MQTTOPEN=1,1,0,0,0,"","""#,
        b"\r\n+MQTTOPEN:FAIL\r\n\r\n+CME ERROR: 614\r\n",
    );
    // credentials not sent at all: the broker says "not authorised" → 603
    h.exchange(
        r#"AT+MQTTOPEN=0,0,0,0,0,"","""#,
        b"\r\n+MQTTOPEN:FAIL\r\n\r\n+CME ERROR: 603\r\n",
    );
    h.exchange("AT+MQTTDEL", OK);
    h.exchange(r#"AT+MQTTCFG="x",1,"auth",60,"dev","right",1"#, OK);
    h.exchange(
        r#"AT+MQTTOPEN=1,1,0,0,0,"","""#,
        b"\r\n+MQTTOPEN:OK\r\n\r\nOK\r\n",
    );
}

/// A broker stand-in that answers CONNECT and the first `pings` PINGREQs, then
/// goes silent, and accepts only one connection.
fn silent_broker(pings: usize) -> (std::net::SocketAddr, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let t = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        drop(listener);
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut buf = BytesMut::new();
        let mut tmp = [0u8; 512];
        let mut answered = 0;
        loop {
            let n = match s.read(&mut tmp) {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            buf.extend_from_slice(&tmp[..n]);
            while let Ok(p) = Packet::read(&mut buf, 65536) {
                match p {
                    Packet::Connect(_) => s.write_all(&[0x20, 0x02, 0x00, 0x00]).unwrap(),
                    Packet::PingReq if answered < pings => {
                        answered += 1;
                        s.write_all(&[0xd0, 0x00]).unwrap();
                    }
                    _ => {}
                }
            }
        }
    });
    (addr, t)
}

#[test]
fn t21_lost_pings_then_three_reconnects_then_disc() {
    let (addr, fake) = silent_broker(2);
    let cfg = fast()
        .spelling(Spelling::Chapter3)
        .broker(BrokerMode::Fixed(addr));
    let mut h = Host::quiet(cfg);
    h.exchange(r#"AT+MQTTCFG="x",1,"t21",2,"","",1"#, OK);
    h.exchange("AT+MQTTPING=1", OK);
    h.exchange(
        r#"AT+MQTTOPEN=0,0,0,0,0,"","""#,
        b"\r\n+MQTTOPEN:OK\r\n\r\nOK\r\n",
    );
    let out = h.wait_for("+MQTTDISC:OK\r\n", T);
    let expected = [
        "+MQTTPINGRESP:OK",
        "+MQTTPINGRESP:OK",
        "+MQTTTO:5",
        "+MQTTTO:5",
        "+MQTTTO:5",
        "+MQTTREC:0",
        "+MQTTREC:1",
        "+MQTTREC:2",
        "+MQTTDISC:OK",
    ];
    let wire: String = expected.iter().map(|l| format!("\r\n{l}\r\n")).collect();
    assert_eq!(out, wire);
    fake.join().unwrap();
}

#[test]
fn reboot_loses_state_is_silent_then_answers() {
    let mut h = Host::quiet(
        fast()
            .boot_time(Duration::from_millis(300))
            .boot_banner(Some("+BOOT: ML302")),
    );
    let mut peer = Peer::connect(h.sim.broker_addr().unwrap(), "peer-reboot");
    peer.subscribe("rb/will", QoS::AtMostOnce);
    h.exchange(r#"AT+MQTTCFG="x",1,"rb",60,"","",1"#, OK);
    h.exchange(
        r#"AT+MQTTOPEN=0,0,1,0,0,"rb/will","dead""#,
        b"\r\n+MQTTOPEN:OK\r\n\r\nOK\r\n",
    );
    h.sim.inject(Fault::Reboot);
    h.send_line("AT");
    // silent during boot, then the banner; the AT sent meanwhile is lost
    let out = h.wait_for("ML302\r\n", T);
    assert_eq!(out, "\r\n+BOOT: ML302\r\n");
    h.quiet_for(Duration::from_millis(100));
    // echo is back on, CMEE back to 0, no client
    h.exchange("AT", b"AT\r\r\nOK\r\n");
    h.exchange("ATE0", b"ATE0\r\r\nOK\r\n");
    h.exchange(
        "AT+MQTTCFG?",
        b"\r\n+MQTTCFG:\"(null)\",0,\"(null)\",0,\"(null)\",\"***\",0,\"(null)\",0\r\n\r\nOK\r\n",
    );
    h.exchange(r#"AT+MQTTSUB="a",1"#, b"\r\nERROR\r\n");
    // the module vanished without DISCONNECT: the broker published the will
    assert_eq!(&peer.expect_message().payload[..], b"dead");
}

#[test]
fn byte_faults_cme_injection_garbage_and_raw() {
    let mut h = Host::quiet(fast());
    // a dropped byte in the next response
    h.sim.inject(Fault::DropByte(Target::Response));
    h.send_line("AT");
    let got = h.port.read_for(Duration::from_millis(300));
    assert_eq!(got.len(), OK.len() - 1, "{got:?}");
    assert!(is_subsequence(&got, OK));
    // corrupted byte: same length, exactly one byte differs
    h.sim.inject(Fault::CorruptByte(Target::Response));
    h.send_line("AT");
    let got = h.port.read_for(Duration::from_millis(300));
    assert_eq!(got.len(), OK.len());
    assert_eq!(got.iter().zip(OK).filter(|(a, b)| a != b).count(), 1);
    // the next command is answered with the injected error and not executed
    h.sim.inject(Fault::CmeError(607));
    h.exchange(
        r#"AT+MQTTCFG="x",1,"f",60,"","",1"#,
        b"\r\n+CME ERROR: 607\r\n",
    );
    h.exchange(r#"AT+MQTTCFG="x",1,"f",60,"","",1"#, OK);
    // a corrupted payload byte in an incoming message
    h.exchange(
        r#"AT+MQTTOPEN=0,0,0,0,0,"","""#,
        b"\r\n+MQTTOPEN:OK\r\n\r\nOK\r\n",
    );
    h.exchange(
        r#"AT+MQTTSUB="f",0"#,
        b"\r\n+MQTTSUBACK:1,0,f\r\n\r\nOK\r\n",
    );
    let mut peer = Peer::connect(h.sim.broker_addr().unwrap(), "peer-faults");
    h.sim.inject(Fault::CorruptByte(Target::Payload));
    let original = b"0123456789";
    peer.publish("f", QoS::AtMostOnce, false, original);
    let out = h.wait_for("\r\n", T); // leading CR LF
    assert_eq!(out, "\r\n");
    let out = h.port.read_until(b"\r\n", T).unwrap(); // header+payload+CRLF (no CR LF in it)
    let (f, _) = find_publish(&[b"\r\n".as_slice(), &out].concat()).unwrap();
    assert_eq!(f.payload.len(), original.len());
    assert_eq!(
        f.payload
            .iter()
            .zip(original)
            .filter(|(a, b)| a != b)
            .count(),
        1
    );
    // a dropped byte in the next URC (the header of the next message)
    h.sim.inject(Fault::DropByte(Target::Urc));
    peer.publish("f", QoS::AtMostOnce, false, b"ok");
    let got = h.port.read_for(Duration::from_millis(400));
    let clean = b"\r\n+MQTTPUBLISH: 0,0,0,0,\"f\",2,ok\r\n";
    assert_eq!(got.len(), clean.len() - 1);
    assert!(is_subsequence(&got, clean));
    // garbage and raw bytes
    h.sim.inject(Fault::Garbage(40));
    assert_eq!(h.port.read_for(Duration::from_millis(300)).len(), 40);
    h.sim
        .inject(Fault::Raw(b"\r\n+CME ERROR: 609\r\n".to_vec()));
    assert_eq!(h.wait_for("609\r\n", T), "\r\n+CME ERROR: 609\r\n");
    h.exchange("AT", OK);
}

fn is_subsequence(short: &[u8], long: &[u8]) -> bool {
    let mut it = long.iter();
    short.iter().all(|c| it.any(|d| d == c))
}

#[test]
fn pacing_at_a_baud_rate() {
    // 2400 baud: 240 bytes per second
    let mut h = Host::quiet(SimConfig::default().pacing_baud(Some(2400)));
    let t0 = Instant::now();
    h.send_line("AT+MQTTCFG?");
    let out = h.read_final();
    let took = t0.elapsed();
    let expected = Duration::from_secs_f64(out.len() as f64 * 10.0 / 2400.0);
    assert!(out.len() > 60, "{:?}", String::from_utf8_lossy(&out));
    assert!(
        took >= expected.mul_f64(0.85),
        "{} bytes took {took:?}, expected about {expected:?}",
        out.len()
    );
    assert!(took < expected * 3 + Duration::from_millis(200), "{took:?}");
}

#[test]
fn bursts_keep_the_bytes_and_are_reproducible() {
    let run = |seed| {
        let mut h = Host::quiet(SimConfig::default().bursts(seed));
        let mut out = Vec::new();
        for line in ["AT+MQTTCFG?", "AT+MQTTREC?", "AT+MQTTSUB?"] {
            h.send_line(line);
            out.extend(h.read_final());
        }
        out
    };
    let plain = {
        let mut h = Host::quiet(SimConfig::default());
        let mut out = Vec::new();
        for line in ["AT+MQTTCFG?", "AT+MQTTREC?", "AT+MQTTSUB?"] {
            h.send_line(line);
            out.extend(h.read_final());
        }
        out
    };
    assert_eq!(run(1), plain);
    assert_eq!(run(2), plain);
}
