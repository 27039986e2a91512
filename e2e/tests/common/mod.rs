//! Shared set-up: a simulated modem on a real PTY, the client on the serial
//! adapter, and an independent MQTT peer on the broker.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use ml302::blocking::Client;
use ml302::serial::SerialPort;
use ml302::{MqttConfig, StdClock};
use ml302_sim::{SimConfig, Simulator, Transport};

pub type E2eClient = Client<SerialPort, StdClock>;

/// A simulator on a fresh PTY and a client on it, started and configured.
pub fn start(cfg: SimConfig) -> (Simulator, E2eClient) {
    let sim = Simulator::start(cfg, Transport::Pty).expect("simulator starts");
    let path = sim.device_path().expect("a PTY path").to_str().expect("utf-8 path").to_owned();
    let port = SerialPort::open(&path, 115_200).expect("PTY opens");
    let mut client = Client::new(port, StdClock::new());
    client.start().expect("modem answers");
    (sim, client)
}

/// Test defaults: short reconnect interval.
pub fn sim_config() -> SimConfig {
    SimConfig::default().reconnect_interval(Duration::from_millis(200))
}

/// Client configuration for tests against `host:port` (the in-process broker
/// accepts any host: the simulated network routes it).
pub fn mqtt(id: &str) -> MqttConfig<'_> {
    MqttConfig::new("183.230.40.39", 1883, id).with_keep_alive(30)
}

/// An independent MQTT client (rumqttc) collecting what it receives.
pub struct Peer {
    pub client: rumqttc::Client,
    pub rx: Receiver<(String, Vec<u8>, bool)>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Peer {
    pub fn connect(addr: SocketAddr, id: &str, clean: bool) -> Peer {
        let mut opts = rumqttc::MqttOptions::new(id, addr.ip().to_string(), addr.port());
        opts.set_keep_alive(Duration::from_secs(30));
        opts.set_clean_session(clean);
        let (client, mut conn) = rumqttc::Client::new(opts, 64);
        let (tx, rx) = channel();
        let (ready_tx, ready_rx) = channel();
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut ready = Some(ready_tx);
            while !stop2.load(Ordering::Relaxed) {
                match conn.recv_timeout(Duration::from_millis(50)) {
                    Ok(Ok(rumqttc::Event::Incoming(rumqttc::Packet::Publish(p)))) => {
                        let _ = tx.send((p.topic.clone(), p.payload.to_vec(), p.retain));
                    }
                    Ok(Ok(rumqttc::Event::Incoming(rumqttc::Packet::ConnAck(_)))) => {
                        if let Some(r) = ready.take() {
                            let _ = r.send(());
                        }
                    }
                    Ok(Ok(_)) => {}
                    Ok(Err(_)) => std::thread::sleep(Duration::from_millis(100)),
                    Err(_) => {}
                }
            }
        });
        let _ = ready_rx.recv_timeout(Duration::from_secs(10));
        Peer {
            client,
            rx,
            stop,
            thread: Some(thread),
        }
    }

    /// Subscribes and waits a moment for the SUBACK.
    pub fn subscribe(&self, filter: &str, qos: rumqttc::QoS) {
        self.client.subscribe(filter, qos).expect("peer subscribes");
        std::thread::sleep(Duration::from_millis(300));
    }

    pub fn publish(&self, topic: &str, qos: rumqttc::QoS, retain: bool, payload: &[u8]) {
        self.client.publish(topic, qos, retain, payload.to_vec()).expect("peer publishes");
    }

    /// Next message within `ms`.
    pub fn next(&self, ms: u64) -> Option<(String, Vec<u8>, bool)> {
        self.rx.recv_timeout(Duration::from_millis(ms)).ok()
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.client.disconnect();
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
