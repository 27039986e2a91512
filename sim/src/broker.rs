//! An in-process MQTT 3.1.1 broker: rumqttd behind a small front door.
//!
//! # How it runs, and how it stops
//!
//! rumqttd 0.20's own `Broker::start` spawns threads with runtimes that never end.
//! Instead, one thread of ours owns a current-thread tokio runtime that runs
//! rumqttd's `Server` (on an internal loopback port) and a front door on the public
//! port. Stopping sends a signal, the runtime is shut down (every task — listener,
//! rumqttd's connections, the front door's pipes — is dropped and its socket
//! closed) and the thread is joined.
//!
//! One thing cannot be stopped: rumqttd's router thread. It keeps a sender to its
//! own channel, so it never sees the channel close. After the broker is dropped
//! that thread stays parked on an empty channel — no socket, no CPU — until the
//! process exits. A restart keeps the router (retained messages survive a restart,
//! as with a broker that persists them) so restarts add no threads.
//!
//! The front door reads each client's CONNECT with rumqttc's codec and
//! - checks user name and password when users are configured, answering a refused
//!   login with CONNACK return code 4 (5 when no credentials were sent) — rumqttd
//!   itself closes such connections without a CONNACK, which a real broker does not;
//! - passes a keep-alive of 0 (no keep-alive, legal in MQTT 3.1.1 but refused by
//!   rumqttd) as 65535 s;
//! - then pipes the bytes both ways unchanged.
//!
//! With [`BrokerConfig::tls`] the broker also listens for TLS on a second port
//! ([`Broker::tls_addr`]): a front that terminates TLS and relays to the plain
//! port (`broker/tls_front.rs`).
//!
//! Known difference from MQTT 3.1.1 (rumqttd's, not ours): a message is delivered
//! at the *subscription's* QoS, not at the lower of the two. Tests that check the
//! QoS of a delivery subscribe at the QoS they publish with (mosquitto, in the
//! mosquitto test, follows the standard).

mod tls_front;

use std::io;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use bytes::BytesMut;
use rumqttc::mqttbytes::v4::{ConnAck, ConnectReturnCode, Packet};
use rumqttc::mqttbytes::Error as CodecError;
use rumqttd::protocol::v4::V4;
use rumqttd::{ConnectionSettings, LinkType, RouterConfig, Server, ServerSettings};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{oneshot, watch};

type MakeServer = dyn Fn(SocketAddr) -> Server<V4> + Send + Sync;

/// Settings of an in-process broker.
///
/// ```
/// use ml302_sim::BrokerConfig;
/// let cfg = BrokerConfig::default().users(&[("user", "secret")]);
/// assert_eq!(cfg.listen_addr().ip().to_string(), "127.0.0.1");
/// ```
#[derive(Debug, Clone)]
pub struct BrokerConfig {
    listen: SocketAddr,
    users: Vec<(String, String)>,
    tls: Option<(PathBuf, PathBuf)>,
}

impl Default for BrokerConfig {
    fn default() -> Self {
        BrokerConfig {
            listen: SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 0)),
            users: Vec::new(),
            tls: None,
        }
    }
}

impl BrokerConfig {
    /// Address to listen on; default `127.0.0.1:0` (a free port).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// The configured listen address.
    pub fn listen_addr(&self) -> SocketAddr {
        self.listen
    }

    pub(crate) fn users_owned(mut self, users: Vec<(String, String)>) -> Self {
        self.users = users;
        self
    }

    /// Also listen for TLS (on a free port of the listen address's host), with
    /// this certificate chain and private key (PEM files).
    pub fn tls(mut self, cert_chain: &Path, key: &Path) -> Self {
        self.tls = Some((cert_chain.to_path_buf(), key.to_path_buf()));
        self
    }

    /// User names and passwords to accept; empty (the default) accepts everyone.
    pub fn users(mut self, users: &[(&str, &str)]) -> Self {
        self.users = users
            .iter()
            .map(|(u, p)| ((*u).to_owned(), (*p).to_owned()))
            .collect();
        self
    }
}

struct Running {
    thread: JoinHandle<()>,
    stop: oneshot::Sender<()>,
    cut: watch::Sender<u64>,
}

/// A running in-process MQTT 3.1.1 broker (rumqttd). Dropping it stops it.
///
/// ```no_run
/// let broker = ml302_sim::Broker::start(ml302_sim::BrokerConfig::default())?;
/// println!("broker on {}", broker.addr());
/// broker.restart()?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Broker {
    addr: SocketAddr,
    tls: Option<tls_front::TlsFront>,
    users: Arc<Vec<(String, String)>>,
    make_server: Arc<MakeServer>,
    running: Mutex<Option<Running>>,
}

impl std::fmt::Debug for Broker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Broker").field("addr", &self.addr).finish()
    }
}

impl Broker {
    /// Starts a broker and waits until it accepts connections.
    pub fn start(cfg: BrokerConfig) -> io::Result<Broker> {
        let tls_config = match &cfg.tls {
            Some((chain, key)) => Some(crate::tls::server_config(chain, key)?),
            None => None,
        };
        let listener = std::net::TcpListener::bind(cfg.listen)?;
        let addr = listener.local_addr()?;
        let router = rumqttd::Router::new(0, router_config());
        let router_tx = router.spawn();
        let make_server: Arc<MakeServer> = Arc::new(move |internal: SocketAddr| {
            Server::new(server_settings(internal), router_tx.clone(), V4)
        });
        let mut broker = Broker {
            addr,
            tls: None,
            users: Arc::new(cfg.users),
            make_server,
            running: Mutex::new(None),
        };
        broker.launch(listener)?;
        if let Some(config) = tls_config {
            let listen = SocketAddr::new(cfg.listen.ip(), 0);
            broker.tls = Some(tls_front::TlsFront::start(listen, config, addr)?);
        }
        Ok(broker)
    }

    /// The address clients connect to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The address of the TLS listener, if [`BrokerConfig::tls`] asked for one.
    pub fn tls_addr(&self) -> Option<SocketAddr> {
        self.tls.as_ref().map(tls_front::TlsFront::addr)
    }

    /// Stops the broker — every client connection is dropped, the listener closed —
    /// and starts it again on the same address. Retained messages survive.
    pub fn restart(&self) -> io::Result<()> {
        self.stop();
        let mut last = None;
        for _ in 0..50 {
            match std::net::TcpListener::bind(self.addr) {
                Ok(l) => return self.launch(l),
                Err(e) => {
                    last = Some(e);
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
        }
        Err(last.unwrap_or_else(|| io::Error::other("cannot listen again")))
    }

    /// Drops every client connection (as a network failure would: wills are
    /// published) while the broker keeps running.
    pub fn disconnect_clients(&self) {
        let guard = self.running.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(r) = guard.as_ref() {
            r.cut.send_modify(|n| *n += 1);
        }
    }

    fn stop(&self) {
        let running = self
            .running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(r) = running {
            let _ = r.stop.send(());
            let _ = r.thread.join();
        }
    }

    fn launch(&self, listener: std::net::TcpListener) -> io::Result<()> {
        listener.set_nonblocking(true)?;
        let (stop_tx, stop_rx) = oneshot::channel();
        let (cut_tx, cut_rx) = watch::channel(0u64);
        let (ready_tx, ready_rx) = mpsc::channel();
        let make_server = self.make_server.clone();
        let users = self.users.clone();
        let thread = std::thread::Builder::new()
            .name("ml302-sim-broker".into())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                rt.block_on(serve(
                    listener,
                    make_server,
                    users,
                    stop_rx,
                    cut_rx,
                    ready_tx,
                ));
                rt.shutdown_timeout(Duration::from_secs(2));
            })?;
        let ready = ready_rx
            .recv_timeout(Duration::from_secs(10))
            .unwrap_or_else(|_| Err(io::Error::other("broker did not start")));
        match ready {
            Ok(()) => {
                *self.running.lock().unwrap_or_else(|e| e.into_inner()) = Some(Running {
                    thread,
                    stop: stop_tx,
                    cut: cut_tx,
                });
                Ok(())
            }
            Err(e) => {
                let _ = stop_tx.send(());
                let _ = thread.join();
                Err(e)
            }
        }
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        if let Some(mut t) = self.tls.take() {
            t.stop();
        }
        self.stop();
    }
}

fn router_config() -> RouterConfig {
    RouterConfig {
        max_connections: 256,
        max_outgoing_packet_count: 200,
        max_segment_size: 1024 * 1024,
        max_segment_count: 10,
        custom_segment: None,
        initialized_filters: None,
        shared_subscriptions_strategy: Default::default(),
    }
}

fn server_settings(listen: SocketAddr) -> ServerSettings {
    ServerSettings {
        name: "ml302-sim".into(),
        listen,
        tls: None,
        next_connection_delay_ms: 0,
        connections: ConnectionSettings {
            connection_timeout_ms: 10_000,
            max_payload_size: 1024 * 1024,
            max_inflight_count: 100,
            auth: None,
            external_auth: None,
            dynamic_filters: true,
        },
    }
}

fn free_port() -> io::Result<SocketAddr> {
    let l = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    l.local_addr()
}

async fn serve(
    listener: std::net::TcpListener,
    make_server: Arc<MakeServer>,
    users: Arc<Vec<(String, String)>>,
    mut stop: oneshot::Receiver<()>,
    cut: watch::Receiver<u64>,
    ready: mpsc::Sender<io::Result<()>>,
) {
    let public = match tokio::net::TcpListener::from_std(listener) {
        Ok(l) => l,
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    let mut last_err = io::Error::other("rumqttd did not start");
    for _ in 0..5 {
        let internal = match free_port() {
            Ok(a) => a,
            Err(e) => {
                last_err = e;
                continue;
            }
        };
        let mut server = make_server(internal);
        let serving = server.start(LinkType::Remote);
        tokio::pin!(serving);
        let up = async {
            for _ in 0..400 {
                if tokio::net::TcpStream::connect(internal).await.is_ok() {
                    return true;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            false
        };
        let started = tokio::select! {
            r = &mut serving => {
                if let Err(e) = r {
                    last_err = io::Error::other(format!("rumqttd: {e}"));
                }
                false
            }
            ok = up => ok,
        };
        if !started {
            continue;
        }
        let _ = ready.send(Ok(()));
        tokio::select! {
            _ = &mut serving => {}
            _ = front_door(&public, internal, users, cut) => {}
            _ = &mut stop => {}
        }
        return;
    }
    let _ = ready.send(Err(last_err));
}

async fn front_door(
    public: &tokio::net::TcpListener,
    internal: SocketAddr,
    users: Arc<Vec<(String, String)>>,
    cut: watch::Receiver<u64>,
) {
    loop {
        match public.accept().await {
            Ok((sock, _)) => {
                tokio::spawn(client(sock, internal, users.clone(), cut.clone()));
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

async fn client(
    mut sock: tokio::net::TcpStream,
    internal: SocketAddr,
    users: Arc<Vec<(String, String)>>,
    mut cut: watch::Receiver<u64>,
) {
    let _ = sock.set_nodelay(true);
    let mut buf = BytesMut::with_capacity(1024);
    let first = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let mut probe = buf.clone();
            match Packet::read(&mut probe, 1024 * 1024) {
                Ok(Packet::Connect(c)) => return Some((c, buf.len() - probe.len())),
                Ok(_) => return None,
                Err(CodecError::InsufficientBytes(_)) => match sock.read_buf(&mut buf).await {
                    Ok(0) | Err(_) => return None,
                    Ok(_) => {}
                },
                Err(_) => return None,
            }
        }
    })
    .await;
    let Ok(Some((mut connect, used))) = first else {
        return;
    };
    if !users.is_empty() {
        let accepted = connect.login.as_ref().is_some_and(|l| {
            users
                .iter()
                .any(|(u, p)| *u == l.username && *p == l.password)
        });
        if !accepted {
            let code = if connect.login.is_some() {
                ConnectReturnCode::BadUserNamePassword
            } else {
                ConnectReturnCode::NotAuthorized
            };
            let mut out = BytesMut::new();
            if Packet::ConnAck(ConnAck::new(code, false))
                .write(&mut out, 64)
                .is_ok()
            {
                let _ = sock.write_all(&out).await;
                let _ = sock.flush().await;
            }
            let _ = sock.shutdown().await;
            return;
        }
    }
    let head: Vec<u8> = if connect.keep_alive == 0 {
        connect.keep_alive = u16::MAX;
        let mut out = BytesMut::new();
        if Packet::Connect(connect)
            .write(&mut out, 1024 * 1024)
            .is_err()
        {
            return;
        }
        out.to_vec()
    } else {
        buf.get(..used).map(<[u8]>::to_vec).unwrap_or_default()
    };
    let rest = buf.get(used..).map(<[u8]>::to_vec).unwrap_or_default();
    let Ok(mut up) = tokio::net::TcpStream::connect(internal).await else {
        return;
    };
    let _ = up.set_nodelay(true);
    if up.write_all(&head).await.is_err() || up.write_all(&rest).await.is_err() {
        return;
    }
    tokio::select! {
        _ = tokio::io::copy_bidirectional(&mut sock, &mut up) => {}
        _ = cut.changed() => {}
    }
}
