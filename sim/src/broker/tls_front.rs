//! The in-process broker's TLS listener: a TLS front on its own loopback port
//! that terminates each connection and relays the plaintext to the broker's
//! plain port (so credentials are checked there as for every client).
//!
//! rumqttd 0.20 has a TLS listener of its own only behind its `use-rustls`
//! feature, which brings a second rustls line (0.22) and x509-parser's tree;
//! this front uses the rustls the module's side already has.
//!
//! Threads: one accepts; each connection has one relaying broker-to-client
//! and one client-to-broker. Stopping shuts every socket down, which ends
//! every relay, then joins them all.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rustls::ServerConfig;

use crate::tls::{self, TlsReader, Wire};

/// How long a client has to finish its handshake.
const HANDSHAKE_LIMIT: Duration = Duration::from_secs(10);

/// State shared by the accepting thread and [`TlsFront::stop`].
#[derive(Default)]
struct Shared {
    stop: AtomicBool,
    /// The sockets of each open connection (by number), to shut down on stop.
    sockets: Mutex<HashMap<u64, Vec<TcpStream>>>,
    /// The connection threads, joined on stop.
    threads: Mutex<Vec<JoinHandle<()>>>,
}

impl Shared {
    /// Keeps a handle of connection `id`'s socket to shut down on stop;
    /// `false` if stopping already.
    fn register(&self, id: u64, s: &TcpStream) -> bool {
        let mut sockets = self.sockets.lock().unwrap_or_else(|e| e.into_inner());
        if self.stop.load(Ordering::SeqCst) {
            return false;
        }
        match s.try_clone() {
            Ok(k) => {
                sockets.entry(id).or_default().push(k);
                true
            }
            Err(_) => false,
        }
    }

    /// Connection `id` ended: its handles are closed.
    fn forget(&self, id: u64) {
        self.sockets
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&id);
    }
}

/// A running TLS listener in front of a plain broker port.
pub(super) struct TlsFront {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl TlsFront {
    /// Listens on `listen` (port 0: a free one) and relays to `upstream`.
    pub fn start(
        listen: SocketAddr,
        config: Arc<ServerConfig>,
        upstream: SocketAddr,
    ) -> io::Result<TlsFront> {
        let listener = TcpListener::bind(listen)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::default());
        let s = shared.clone();
        let accept = std::thread::Builder::new()
            .name("ml302-sim-broker-tls".into())
            .spawn(move || accept_loop(&listener, &config, upstream, &s))?;
        Ok(TlsFront {
            addr,
            shared,
            accept: Some(accept),
        })
    }

    /// The address TLS clients connect to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Closes the listener and every connection, and joins every thread.
    pub fn stop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the accepting thread.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        for (_, sockets) in self
            .shared
            .sockets
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain()
        {
            for s in sockets {
                let _ = s.shutdown(std::net::Shutdown::Both);
            }
        }
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
        let threads: Vec<_> = self
            .shared
            .threads
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain(..)
            .collect();
        for t in threads {
            let _ = t.join();
        }
    }
}

impl Drop for TlsFront {
    fn drop(&mut self) {
        self.stop();
    }
}

fn accept_loop(
    listener: &TcpListener,
    config: &Arc<ServerConfig>,
    upstream: SocketAddr,
    shared: &Arc<Shared>,
) {
    for (id, client) in (0u64..).zip(listener.incoming()) {
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        let Ok(client) = client else { continue };
        if !shared.register(id, &client) {
            return;
        }
        let (config, s) = (config.clone(), shared.clone());
        let spawned = std::thread::Builder::new()
            .name("ml302-sim-broker-tls-in".into())
            .spawn(move || {
                serve(id, client, &config, upstream, &s);
                s.forget(id);
            });
        match spawned {
            Ok(t) => {
                let mut threads = shared.threads.lock().unwrap_or_else(|e| e.into_inner());
                threads.retain(|t| !t.is_finished());
                threads.push(t);
            }
            Err(_) => shared.forget(id),
        }
    }
}

/// One client: handshake, connect upstream, relay both ways until either ends.
fn serve(
    id: u64,
    mut client: TcpStream,
    config: &Arc<ServerConfig>,
    upstream: SocketAddr,
    s: &Shared,
) {
    let _ = client.set_nodelay(true);
    let Ok(conn) = tls::accept(config, &mut client, Instant::now() + HANDSHAKE_LIMIT) else {
        let _ = client.shutdown(std::net::Shutdown::Both);
        return;
    };
    let Ok(broker) = TcpStream::connect(upstream) else {
        let _ = client.shutdown(std::net::Shutdown::Both);
        return;
    };
    let _ = broker.set_nodelay(true);
    if !s.register(id, &broker) {
        let _ = client.shutdown(std::net::Shutdown::Both);
        return;
    }
    let conn = Arc::new(Mutex::new(conn));
    let (Ok(client_w), Ok(broker_r)) = (client.try_clone(), broker.try_clone()) else {
        let _ = client.shutdown(std::net::Shutdown::Both);
        let _ = broker.shutdown(std::net::Shutdown::Both);
        return;
    };
    let _ = client_w.set_write_timeout(Some(Duration::from_secs(20)));
    let mut to_client = Wire::Tls {
        sock: client_w,
        conn: conn.clone(),
    };
    let down = std::thread::Builder::new()
        .name("ml302-sim-broker-tls-out".into())
        .spawn(move || {
            let _ = pump(broker_r, |b| to_client.write_all(b));
            to_client.shutdown();
        });
    let mut broker_w = broker;
    let _ = pump(TlsReader::new(client, conn), |b| broker_w.write_all(b));
    let _ = broker_w.shutdown(std::net::Shutdown::Both);
    if let Ok(t) = down {
        let _ = t.join();
    }
}

/// Copies `from` into `to` until the end of `from` or an error.
fn pump<R: Read>(mut from: R, mut to: impl FnMut(&[u8]) -> io::Result<()>) -> io::Result<()> {
    let mut buf = [0u8; 4096];
    loop {
        let n = from.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        to(buf.get(..n).unwrap_or(&[]))?;
    }
}
