//! TLS on the module's socket (`<encrypt>`=1) end to end: client -> PTY ->
//! simulator -(TLS)-> Mosquitto's TLS listener on loopback, with a CA and a
//! broker certificate generated at run time; an independent peer on
//! Mosquitto's plain listener. Skipped (with a plain message) where mosquitto
//! is not installed; a failure in CI.

mod common;

use std::path::PathBuf;

use common::{mosquitto_available, sim_config, start, Mosquitto, Peer};
use ml302::{CmeError, Error, Event, Incoming, MqttConfig, QoS};
use ml302_sim::{BrokerMode, Received, SimConfig};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};

/// The platform version string `<encrypt>`=1 requires (spec §2.1 note 2).
const VERSION: &str = "2018-10-31";

/// A CA generated for one test.
struct Ca(CertifiedIssuer<'static, KeyPair>);

impl Ca {
    fn new(name: &str) -> Ca {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        Ca(CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap())
    }

    /// A broker certificate for `names` (DNS names or IP addresses), its
    /// chain and key as PEM.
    fn broker(&self, names: &[&str]) -> (String, String) {
        let key = KeyPair::generate().unwrap();
        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        let mut params = CertificateParams::new(names).unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, "ml302 test broker");
        let cert = params.signed_by(&key, &self.0).unwrap();
        (cert.pem() + &self.0.pem(), key.serialize_pem())
    }
}

/// A PEM file in the temporary directory, removed on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn new(tag: &str, text: &str) -> TempFile {
        let p = std::env::temp_dir().join(format!("ml302-tls-{}-{tag}.pem", std::process::id()));
        std::fs::write(&p, text).unwrap();
        TempFile(p)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Mosquitto with a TLS listener presenting a certificate of `ca` for
/// localhost and 127.0.0.1.
fn tls_mosquitto(ca: &Ca) -> Mosquitto {
    let (cert, key) = ca.broker(&["localhost", "127.0.0.1"]);
    Mosquitto::start_tls(&cert, &key)
}

fn encrypted<'a>(host: &'a str, port: u16, id: &'a str) -> MqttConfig<'a> {
    MqttConfig::new(host, port, id)
        .with_keep_alive(30)
        .with_encryption(VERSION)
}

fn honouring(ca: &TempFile) -> SimConfig {
    sim_config().broker(BrokerMode::Honour).ca_file(Some(&ca.0))
}

#[test]
fn a_full_session_runs_over_tls_to_mosquitto() {
    if !mosquitto_available() {
        return;
    }
    let ca = Ca::new("ml302 test CA");
    let m = tls_mosquitto(&ca);
    let ca_file = TempFile::new("ca-session", &ca.0.pem());
    let (_sim, mut c) = start(honouring(&ca_file));
    let peer = Peer::connect(m.addr(), "tls-peer", true);
    peer.subscribe("tls/up/#", rumqttc::QoS::ExactlyOnce);

    c.configure(&encrypted("localhost", m.tls_port.unwrap(), "tls-session"))
        .unwrap();
    c.connect(None).unwrap();
    c.subscribe("tls/down", QoS::ExactlyOnce).unwrap();
    for (i, qos) in [QoS::AtMostOnce, QoS::AtLeastOnce, QoS::ExactlyOnce]
        .into_iter()
        .enumerate()
    {
        let payload = [b"over TLS \x00\xff\r\n".as_slice(), &[i as u8]].concat();
        c.publish(&format!("tls/up/{i}"), &payload, qos, false)
            .unwrap();
        let (topic, got, _) = peer.next(5_000).expect("the peer receives it");
        assert_eq!((topic, got), (format!("tls/up/{i}"), payload));
    }
    for qos in [
        rumqttc::QoS::AtMostOnce,
        rumqttc::QoS::AtLeastOnce,
        rumqttc::QoS::ExactlyOnce,
    ] {
        let payload = format!("down at {qos:?}");
        peer.publish("tls/down", qos, false, payload.as_bytes());
        match c.receive(5_000).unwrap() {
            Some(Incoming::Message(msg)) => {
                assert_eq!(msg.topic.as_str(), "tls/down");
                assert_eq!(&msg.payload[..], payload.as_bytes());
            }
            other => panic!("{other:?}"),
        }
    }
    c.unsubscribe("tls/down").unwrap();
    c.disconnect().unwrap();
}

#[test]
fn an_untrusted_broker_certificate_fails_the_open_with_603() {
    if !mosquitto_available() {
        return;
    }
    let broker_ca = Ca::new("the broker's CA");
    let other_ca = Ca::new("a CA the module does not have");
    let m = tls_mosquitto(&broker_ca);
    let ca_file = TempFile::new("ca-untrusted", &other_ca.0.pem());
    let (_sim, mut c) = start(honouring(&ca_file));
    c.configure(&encrypted(
        "localhost",
        m.tls_port.unwrap(),
        "tls-untrusted",
    ))
    .unwrap();
    let e = c.connect(None).unwrap_err();
    assert_eq!(e, Error::Cme(CmeError::ConnectFailed));
    assert_eq!(e, Error::Cme(CmeError::from_code(603)));
}

#[test]
fn a_certificate_for_another_name_fails_the_open_with_603() {
    if !mosquitto_available() {
        return;
    }
    let ca = Ca::new("ml302 test CA");
    let m = tls_mosquitto(&ca);
    let ca_file = TempFile::new("ca-name", &ca.0.pem());
    // The link goes to Mosquitto whatever the host, but the module checks the
    // certificate against the host it was given.
    let tls_addr = std::net::SocketAddr::from(([127, 0, 0, 1], m.tls_port.unwrap()));
    let cfg = sim_config()
        .broker(BrokerMode::Fixed(tls_addr))
        .ca_file(Some(&ca_file.0));
    let (_sim, mut c) = start(cfg);
    c.configure(&encrypted("broker.example", 8883, "tls-name"))
        .unwrap();
    assert_eq!(
        c.connect(None).unwrap_err(),
        Error::Cme(CmeError::ConnectFailed)
    );
    // The same module and broker with the right name connect.
    c.delete().unwrap();
    c.configure(&encrypted("localhost", 8883, "tls-name"))
        .unwrap();
    c.connect(None).unwrap();
    c.disconnect().unwrap();
}

#[test]
fn a_plain_broker_fails_the_handshake_with_603() {
    if !mosquitto_available() {
        return;
    }
    let ca = Ca::new("ml302 test CA");
    let m = tls_mosquitto(&ca);
    let ca_file = TempFile::new("ca-plain", &ca.0.pem());
    let (_sim, mut c) = start(honouring(&ca_file));
    // `<encrypt>`=1 against the plain listener.
    c.configure(&encrypted("127.0.0.1", m.port, "tls-plain"))
        .unwrap();
    let e = c.connect(None).unwrap_err();
    assert_eq!(e, Error::Cme(CmeError::ConnectFailed));
}

#[test]
fn encryption_without_a_version_is_refused_before_any_byte() {
    // Spec §2.1 note 2: `<version>` must be set when `<encrypt>` is 1.
    let (sim, mut c) = start(sim_config());
    let mut cfg = MqttConfig::new("localhost", 8883, "tls-version");
    cfg.encrypt = true;
    assert!(matches!(c.configure(&cfg), Err(Error::Invalid(_))));
    let sent_cfg = sim
        .received_lines()
        .into_iter()
        .any(|r| matches!(r, Received::Line(l) if l.starts_with(b"AT+MQTTCFG=")));
    assert!(!sent_cfg, "nothing of the refused configuration was sent");
    c.configure(&cfg.with_encryption(VERSION)).unwrap();
}

#[test]
fn a_cut_tls_link_reconnects_over_tls_and_resubscribes() {
    if !mosquitto_available() {
        return;
    }
    let ca = Ca::new("ml302 test CA");
    let m = tls_mosquitto(&ca);
    let ca_file = TempFile::new("ca-cut", &ca.0.pem());
    let (sim, mut c) = start(honouring(&ca_file));
    c.configure(&encrypted("localhost", m.tls_port.unwrap(), "tls-cut"))
        .unwrap();
    c.connect(None).unwrap();
    c.subscribe("tls/cut", QoS::AtLeastOnce).unwrap();
    sim.inject(ml302_sim::Fault::CutLink);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    let mut seen = Vec::new();
    while std::time::Instant::now() < deadline && !seen.contains(&Event::Resubscribed(1)) {
        c.poll(100).unwrap();
        while let Some(e) = c.next_event() {
            seen.push(e);
        }
    }
    assert!(seen.contains(&Event::Reconnected), "{seen:?}");
    assert!(seen.contains(&Event::Resubscribed(1)), "{seen:?}");
    // The new link is TLS again: a message makes the round trip.
    c.publish("tls/cut", b"after the cut", QoS::AtLeastOnce, false)
        .unwrap();
    match c.receive(5_000).unwrap() {
        Some(Incoming::Message(msg)) => assert_eq!(&msg.payload[..], b"after the cut"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_in_process_broker_has_a_tls_listener_too() {
    let ca = Ca::new("ml302 test CA");
    let (chain, key) = ca.broker(&["localhost"]);
    let (chain, key) = (
        TempFile::new("ip-chain", &chain),
        TempFile::new("ip-key", &key),
    );
    let ca_file = TempFile::new("ip-ca", &ca.0.pem());
    let cfg = sim_config()
        .ca_file(Some(&ca_file.0))
        .broker_tls(&chain.0, &key.0);
    let (sim, mut c) = start(cfg);
    assert!(sim.broker().and_then(|b| b.tls_addr()).is_some());
    let peer = Peer::connect(sim.broker_addr().unwrap(), "ip-tls-peer", true);
    peer.subscribe("iptls/up/#", rumqttc::QoS::ExactlyOnce);
    c.configure(&encrypted("localhost", 8883, "ip-tls"))
        .unwrap();
    c.connect(None).unwrap();
    c.subscribe("iptls/down", QoS::ExactlyOnce).unwrap();
    for (i, qos) in [QoS::AtMostOnce, QoS::AtLeastOnce, QoS::ExactlyOnce]
        .into_iter()
        .enumerate()
    {
        let payload = vec![i as u8; 1000];
        c.publish(&format!("iptls/up/{i}"), &payload, qos, false)
            .unwrap();
        let (topic, got, _) = peer.next(5_000).expect("the peer receives it");
        assert_eq!((topic, got), (format!("iptls/up/{i}"), payload));
    }
    peer.publish("iptls/down", rumqttc::QoS::AtLeastOnce, false, b"down");
    match c.receive(5_000).unwrap() {
        Some(Incoming::Message(msg)) => assert_eq!(&msg.payload[..], b"down"),
        other => panic!("{other:?}"),
    }
    c.disconnect().unwrap();
}

#[test]
fn the_in_process_tls_listener_is_refused_without_its_ca() {
    let ca = Ca::new("the broker's CA");
    let (chain, key) = ca.broker(&["localhost"]);
    let (chain, key) = (
        TempFile::new("ipu-chain", &chain),
        TempFile::new("ipu-key", &key),
    );
    let other = TempFile::new("ipu-ca", &Ca::new("another CA").0.pem());
    let cfg = sim_config()
        .ca_file(Some(&other.0))
        .broker_tls(&chain.0, &key.0);
    let (_sim, mut c) = start(cfg);
    c.configure(&encrypted("localhost", 8883, "ipu-tls"))
        .unwrap();
    assert_eq!(
        c.connect(None).unwrap_err(),
        Error::Cme(CmeError::ConnectFailed)
    );
    // Plain MQTT to the same broker is unaffected.
    c.delete().unwrap();
    c.configure(&MqttConfig::new("localhost", 1883, "ipu-plain"))
        .unwrap();
    c.connect(None).unwrap();
}
