//! atat's own blocking client and ingress, with `ml302`'s digester
//! (`AtatDigester`) and URCs (`UrcBuf`), against the simulated module and its
//! broker: `ml302`'s commands and a command declared here, with messages from
//! an MQTT peer arriving while commands are in flight.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use atat::atat_derive::{AtatCmd, AtatResp};
use atat::blocking::AtatClient;
use atat::{AtatIngress, Ingress, ResponseSlot, UrcChannel};
use embedded_io::{Read, ReadReady};
use ml302::atat_digester::{AtatDigester, UrcBuf};
use ml302::command::{
    At, Configure, Disconnect, NumericErrors, Open, OpenResponse, PublishInline, PublishResponse,
    QueryState, SubAckResponse, Subscribe, Unsubscribe,
};
use ml302::text::{ClientId, Host, TopicFilter, TopicName};
use ml302::{QoS, Urc};
use ml302_sim::{Fault, MemoryPort, Received, Simulator};

/// A command `ml302` does not have, declared the way an atat user declares
/// their own: `AT+CSQ`, answered `+CSQ: <rssi>,<ber>`.
#[derive(Clone, AtatCmd)]
#[at_cmd("+CSQ", SignalQuality, timeout_ms = 5000)]
struct GetSignalQuality;

#[derive(Debug, Clone, PartialEq, AtatResp)]
struct SignalQuality {
    #[at_arg(position = 0)]
    rssi: u8,
    #[at_arg(position = 1)]
    ber: u8,
}

const INGRESS: usize = 512;
const URCS: usize = 16;

/// The host end of the in-memory line, shared by the ingress (reading) and
/// atat's client (writing).
#[derive(Clone)]
struct Shared(Arc<Mutex<MemoryPort>>);

impl embedded_io::ErrorType for Shared {
    type Error = ml302_sim::MemoryPortError;
}

impl embedded_io::Write for Shared {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        embedded_io::Write::write(&mut *self.0.lock().unwrap(), buf)
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        embedded_io::Write::flush(&mut *self.0.lock().unwrap())
    }
}

/// Waits until the module has received a command line starting with `prefix`.
fn wait_for_line(sim: &Simulator, prefix: &[u8]) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if sim
            .received_lines()
            .iter()
            .any(|r| matches!(r, Received::Line(l) if l.starts_with(prefix)))
        {
            return;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    panic!(
        "the module never received {:?}",
        String::from_utf8_lossy(prefix)
    );
}

#[test]
fn atat_client_with_ml302_digester_against_the_simulator() {
    // Echo on (the module's power-up default): the digester reads it.
    let cfg = common::sim_config().final_linger(Duration::from_millis(20));
    assert!(cfg.echo_enabled());
    let (sim, port) = Simulator::in_memory(cfg).expect("simulator starts");
    let port = Shared(Arc::new(Mutex::new(port)));

    let slot = ResponseSlot::<INGRESS>::new();
    let urcs = UrcChannel::<UrcBuf<1024>, URCS, 1>::new();
    let mut sub = urcs.subscribe().unwrap();
    let mut ingress_buf = [0u8; INGRESS];
    let mut ingress: Ingress<_, UrcBuf<1024>, INGRESS, URCS, 1> = Ingress::new(
        AtatDigester::<INGRESS>::new(),
        &mut ingress_buf,
        &slot,
        &urcs,
    );
    let stop = AtomicBool::new(false);
    let mut cmd_buf = [0u8; 1024];
    let mut client =
        atat::blocking::Client::new(port.clone(), &slot, &mut cmd_buf, atat::Config::default());

    let mut messages: Vec<(String, Vec<u8>)> = Vec::new();
    let drain = |sub: &mut atat::UrcSubscription<'_, UrcBuf<1024>, URCS, 1>,
                 messages: &mut Vec<(String, Vec<u8>)>| {
        while let Some(u) = sub.try_next_message_pure() {
            match u.urc() {
                Urc::Publish(p) => messages.push((p.topic.to_owned(), p.payload.to_vec())),
                other => panic!("unexpected URC {other:?}"),
            }
        }
    };

    std::thread::scope(|s| {
        // The ingress: bytes from the port into atat's ingress, as a UART
        // interrupt or DMA task would.
        let reader = port.clone();
        let stop = &stop;
        let ingress_thread = s.spawn(move || {
            // Everything the module printed, to check what happened on the wire.
            let mut wire = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let n = {
                    let mut p = reader.0.lock().unwrap();
                    if p.read_ready().unwrap() {
                        let buf = ingress.write_buf();
                        let n = p.read(buf).unwrap();
                        wire.extend_from_slice(&buf[..n]);
                        n
                    } else {
                        0
                    }
                };
                if n > 0 {
                    ingress.try_advance(n).expect("the URC channel has room");
                } else {
                    std::thread::sleep(Duration::from_millis(1));
                }
            }
            wire
        });

        // ml302's commands and our own through atat's client.
        client.send(&At).expect("AT");
        client.send(&NumericErrors).expect("AT+CMEE=1");
        assert_eq!(
            client.send(&GetSignalQuality).expect("AT+CSQ"),
            SignalQuality { rssi: 31, ber: 99 }
        );
        let cfg = Configure::new(
            Host::new("183.230.40.39").unwrap(),
            1883,
            ClientId::new("atat-1").unwrap(),
        )
        .keep_alive(30);
        client.send(&cfg).expect("AT+MQTTCFG");
        let open = Open::new(false, false, None).unwrap();
        assert_eq!(
            client.send(&open).expect("AT+MQTTOPEN"),
            OpenResponse::Accepted
        );
        let filter = TopicFilter::new("atat/in").unwrap();
        match client
            .send(&Subscribe::new(filter, QoS::AtLeastOnce))
            .expect("AT+MQTTSUB")
        {
            SubAckResponse::Granted { qos, topic, .. } => {
                assert_eq!((qos, topic.as_str()), (QoS::AtLeastOnce, "atat/in"));
            }
            other => panic!("{other:?}"),
        }

        let peer = common::Peer::connect(sim.broker_addr().unwrap(), "atat-peer", true);
        peer.subscribe("atat/out", rumqttc::QoS::AtLeastOnce);

        // Payloads that look like results, URCs and line ends.
        let tricky: [&[u8]; 4] = [
            b"OK\r\n",
            b"\r\n+CME ERROR: 601\r\n",
            b"+MQTTPUBLISH:0,0,0,0,x,1,y\r\n",
            b"\r\nERROR",
        ];
        // Messages while a command is in flight: the module holds back the
        // broker's PUBACK, the peer publishes once the command is on the wire,
        // and the module prints the messages between `+MQTTPUBACK` and `OK`.
        sim.inject(Fault::DelayAck(Duration::from_millis(300)));
        let peer_client = peer.client.clone();
        let sim = &sim;
        let publisher = s.spawn(move || {
            wait_for_line(sim, b"AT+MQTTPUB=\"atat/out\"");
            for p in tricky {
                peer_client
                    .publish("atat/in", rumqttc::QoS::AtLeastOnce, false, p.to_vec())
                    .expect("peer publishes");
            }
        });
        let topic = TopicName::new("atat/out").unwrap();
        let publish =
            PublishInline::new(topic, QoS::AtLeastOnce, false, "hello from atat").unwrap();
        let answer = client.send(&publish).expect("AT+MQTTPUB");
        assert!(
            matches!(answer, PublishResponse::Acked { .. }),
            "{answer:?}"
        );
        publisher.join().unwrap();
        let got = peer.next(5_000).expect("the peer receives the publish");
        assert_eq!(
            (got.0.as_str(), got.1.as_slice()),
            ("atat/out", &b"hello from atat"[..])
        );

        // More commands while the messages come in; then every message is in.
        let deadline = Instant::now() + Duration::from_secs(10);
        while messages.len() < tricky.len() && Instant::now() < deadline {
            assert_eq!(client.send(&QueryState).expect("AT+MQTTSTAT?").0, 1);
            drain(&mut sub, &mut messages);
        }
        let want: Vec<(String, Vec<u8>)> = tricky
            .iter()
            .map(|p| ("atat/in".to_owned(), p.to_vec()))
            .collect();
        assert_eq!(messages, want);

        // An error answer ends its command alone; the next one is unaffected.
        sim.inject(Fault::CmeError(601));
        assert_eq!(
            client.send(&QueryState),
            Err(atat::Error::CmeError(atat::CmeError::from(601u16)))
        );
        assert_eq!(client.send(&QueryState).expect("AT+MQTTSTAT?").0, 1);

        client
            .send(&Unsubscribe::new(filter))
            .expect("AT+MQTTUNSUB");
        client.send(&Disconnect).expect("AT+MQTTDISC");
        drain(&mut sub, &mut messages);
        assert_eq!(messages.len(), tricky.len(), "no further message");

        stop.store(true, Ordering::Relaxed);
        let wire = ingress_thread.join().unwrap();
        // The messages did come while `AT+MQTTPUB` was in flight: between its
        // `+MQTTPUBACK` and its `OK`.
        let text = String::from_utf8_lossy(&wire);
        let ack = text.find("+MQTTPUBACK:").expect("a PUBACK on the wire");
        let ok = ack + text[ack..].find("\r\nOK\r\n").expect("the OK after it");
        assert_eq!(
            text[ack..ok].matches("+MQTTPUBLISH:").count(),
            tricky.len() + 1, // the fake one inside a payload included
            "{:?}",
            &text[ack..ok]
        );
        drop(peer);
    });
    sim.shutdown();
}
