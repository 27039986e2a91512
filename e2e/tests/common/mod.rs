//! Shared set-up: a simulated modem on a real PTY, the client on the serial
//! adapter, and an independent MQTT peer on the broker.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use ml302::blocking::Client;
use ml302::serial::SerialPort;
use ml302::{LinkState, MqttConfig, NetworkConfig, Recovery, StdClock};
use ml302_sim::{SimConfig, Simulator, Transport};

pub type E2eClient = Client<SerialPort, StdClock>;

/// A simulator on a fresh PTY and a client on it, nothing sent yet.
pub fn open(cfg: SimConfig) -> (Simulator, E2eClient) {
    let sim = Simulator::start(cfg, Transport::Pty).expect("simulator starts");
    let path = sim
        .device_path()
        .expect("a PTY path")
        .to_str()
        .expect("utf-8 path")
        .to_owned();
    let port = SerialPort::open(&path, 115_200).expect("PTY opens");
    (sim, Client::new(port, StdClock::new()))
}

/// A simulator on a fresh PTY and a client on it, started.
pub fn start(cfg: SimConfig) -> (Simulator, E2eClient) {
    let (sim, mut client) = open(cfg);
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
    filters: Arc<std::sync::Mutex<Vec<(String, rumqttc::QoS)>>>,
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
        let filters: Arc<std::sync::Mutex<Vec<(String, rumqttc::QoS)>>> = Arc::default();
        let filters2 = filters.clone();
        let resub = client.clone();
        let thread = std::thread::spawn(move || {
            let mut ready = Some(ready_tx);
            while !stop2.load(Ordering::Relaxed) {
                match conn.recv_timeout(Duration::from_millis(50)) {
                    Ok(Ok(rumqttc::Event::Incoming(rumqttc::Packet::Publish(p)))) => {
                        let _ = tx.send((p.topic.clone(), p.payload.to_vec(), p.retain));
                    }
                    Ok(Ok(rumqttc::Event::Incoming(rumqttc::Packet::ConnAck(ack)))) => {
                        if let Some(r) = ready.take() {
                            let _ = r.send(());
                        } else if !ack.session_present {
                            // Reconnected without a session (broker restart): the
                            // subscriptions are gone, issue them again.
                            for (f, q) in filters2.lock().unwrap().iter() {
                                let _ = resub.try_subscribe(f.clone(), *q);
                            }
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
            filters,
            rx,
            stop,
            thread: Some(thread),
        }
    }

    /// Subscribes and waits a moment for the SUBACK.
    pub fn subscribe(&self, filter: &str, qos: rumqttc::QoS) {
        self.client.subscribe(filter, qos).expect("peer subscribes");
        self.filters.lock().unwrap().push((filter.to_owned(), qos));
        std::thread::sleep(Duration::from_millis(300));
    }

    pub fn publish(&self, topic: &str, qos: rumqttc::QoS, retain: bool, payload: &[u8]) {
        self.client
            .publish(topic, qos, retain, payload.to_vec())
            .expect("peer publishes");
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

/// A Mosquitto broker started by a test on a free loopback port; killed on drop.
pub struct Mosquitto {
    child: Option<std::process::Child>,
    pub port: u16,
    /// The TLS listener's port ([`Mosquitto::start_tls`]).
    pub tls_port: Option<u16>,
    dir: std::path::PathBuf,
    pub users: Option<(String, String)>,
}

/// Whether mosquitto can be used; prints the skip line, and fails in CI where it
/// must be installed.
pub fn mosquitto_available() -> bool {
    let ok = std::process::Command::new("mosquitto")
        .arg("-h")
        .output()
        .is_ok()
        && std::process::Command::new("mosquitto_sub")
            .arg("--help")
            .output()
            .is_ok();
    if !ok {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("mosquitto and mosquitto-clients must be installed in CI");
        }
        println!("SKIPPED: mosquitto not installed");
    }
    ok
}

impl Mosquitto {
    /// Starts mosquitto on 127.0.0.1; with `user`, anonymous access is refused.
    pub fn start(user: Option<(&str, &str)>) -> Mosquitto {
        Mosquitto::start_with(user, None)
    }

    /// Starts mosquitto on 127.0.0.1 with a plain listener (`port`, for the
    /// independent peer) and a TLS one (`tls_port`) presenting this certificate
    /// chain and key (PEM).
    pub fn start_tls(cert_pem: &str, key_pem: &str) -> Mosquitto {
        Mosquitto::start_with(None, Some((cert_pem, key_pem)))
    }

    fn start_with(user: Option<(&str, &str)>, tls: Option<(&str, &str)>) -> Mosquitto {
        let free_port = || {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("ml302-mosq-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // Started as root, mosquitto drops to its own user: let it write its
        // persistence file here.
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        }
        let mut conf = format!(
            "listener {port} 127.0.0.1\npersistence true\npersistence_location {}/\nlog_dest none\n",
            dir.display()
        );
        if let Some((u, p)) = user {
            let pw = dir.join("passwd");
            std::fs::write(&pw, "").unwrap();
            let st = std::process::Command::new("mosquitto_passwd")
                .args(["-b", pw.to_str().unwrap(), u, p])
                .status()
                .unwrap();
            assert!(st.success());
            conf += &format!("allow_anonymous false\npassword_file {}\n", pw.display());
        } else {
            conf += "allow_anonymous true\n";
        }
        let mut tls_port = None;
        if let Some((cert, key)) = tls {
            let p = free_port();
            let (certfile, keyfile) = (dir.join("broker.pem"), dir.join("broker.key"));
            std::fs::write(&certfile, cert).unwrap();
            std::fs::write(&keyfile, key).unwrap();
            {
                // mosquitto reads them after dropping to its own user
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&keyfile, std::fs::Permissions::from_mode(0o644)).unwrap();
            }
            conf += &format!(
                "listener {p} 127.0.0.1\ncertfile {}\nkeyfile {}\n",
                certfile.display(),
                keyfile.display()
            );
            tls_port = Some(p);
        }
        std::fs::write(dir.join("mosquitto.conf"), conf).unwrap();
        let mut m = Mosquitto {
            child: None,
            port,
            tls_port,
            dir,
            users: user.map(|(u, p)| (u.to_owned(), p.to_owned())),
        };
        m.spawn();
        m
    }

    fn spawn(&mut self) {
        let child = std::process::Command::new("mosquitto")
            .arg("-c")
            .arg(self.dir.join("mosquitto.conf"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("mosquitto starts");
        self.child = Some(child);
        // Wait until it accepts connections.
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("mosquitto did not start on port {}", self.port);
    }

    /// Stops it with SIGTERM (so it saves its persistent state) and starts it again.
    pub fn restart(&mut self) {
        self.stop();
        self.spawn();
    }

    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = std::process::Command::new("kill")
                .args(["-TERM", &c.id().to_string()])
                .status();
            for _ in 0..100 {
                if let Ok(Some(_)) = c.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A child process killed on drop (mosquitto_sub and friends).
pub struct ChildGuard(pub std::process::Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Brings the link back after whatever happened (the application's policy):
/// give the module's own reconnection a second, then climb the recovery ladder
/// (`recover`: MQTT re-open, PDP re-activation, radio off and on, reboot).
/// Counts the rung that worked in `rungs` (by name).
pub fn relink(
    c: &mut E2eClient,
    cfg: &MqttConfig<'_>,
    rungs: &mut std::collections::BTreeMap<String, u64>,
) {
    if c.link_state() == LinkState::Connected {
        return;
    }
    trace(format_args!("relink from {:?}", c.link_state()));
    for _ in 0..10 {
        if c.link_state() != LinkState::Reconnecting {
            break;
        }
        let _ = c.poll(100);
    }
    // The simulator registers at once: a registration that has not come in 3 s
    // will not come without climbing further (a module that stopped searching).
    let net = NetworkConfig {
        registration_ms: 3_000,
        ..NetworkConfig::automatic()
    };
    for _ in 0..5 {
        if c.link_state() == LinkState::Connected {
            return;
        }
        match c.recover(&Recovery::new(&net, cfg)) {
            Ok(rung) => {
                trace(format_args!("recovered at {rung:?}"));
                *rungs.entry(format!("{rung:?}")).or_default() += 1;
                return;
            }
            Err(e) => {
                trace(format_args!("recover: {e:?}"));
                let _ = c.poll(500);
            }
        }
    }
}

/// Prints progress when `E2E_TRACE` is set (to see where a run spends its time).
pub fn trace(args: std::fmt::Arguments<'_>) {
    if std::env::var_os("E2E_TRACE").is_some() {
        eprintln!("e2e {:?}: {args}", started().elapsed());
    }
}

fn started() -> Instant {
    static T0: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    *T0.get_or_init(Instant::now)
}
