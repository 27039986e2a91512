//! The module's TCP link to the broker: a thread that connects (and runs the TLS
//! handshake when `<encrypt>` is 1), then reads and decodes MQTT 3.1.1 packets
//! with rumqttc's codec and reports them through a callback. The module
//! (`modem/`) writes packets and runs the MQTT session; this file knows nothing
//! of it.

use std::io::{self, Read};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use rumqttc::mqttbytes::v4::Packet;
use rumqttc::mqttbytes::Error as CodecError;

use crate::tls::{self, TlsReader, TlsTarget, Wire};

/// Largest packet the module accepts from the broker.
pub(crate) const MAX_PACKET: usize = 256 * 1024;

/// Where the link connects.
#[derive(Debug, Clone)]
pub(crate) enum LinkTarget {
    Addr(SocketAddr),
    Host(String, u16),
}

/// What the link thread reports.
#[derive(Debug)]
pub(crate) enum LinkEvent {
    /// TCP (and TLS, if asked) is up; the wire is the module's write half.
    Connected(Wire),
    /// The TCP connection could not be made.
    ConnectFailed,
    /// TCP was up but the TLS handshake failed (untrusted certificate, wrong
    /// name, no TLS on the other end, time-out).
    HandshakeFailed,
    /// A packet from the broker.
    Packet(Packet),
    /// The connection ended (closed by the peer, reset, or undecodable data).
    Closed,
}

/// State shared between the module and one link thread, so the module can stop the
/// thread whatever it is doing (connecting or blocked in a read).
#[derive(Default)]
pub(crate) struct LinkShared {
    stop: AtomicBool,
    stream: Mutex<Option<TcpStream>>,
}

impl LinkShared {
    /// Stops the thread: a connect in progress gives up, a blocked read returns.
    pub fn stop(&self) {
        let mut guard = self.stream.lock().unwrap_or_else(|e| e.into_inner());
        self.stop.store(true, Ordering::SeqCst);
        if let Some(s) = guard.take() {
            let _ = s.shutdown(std::net::Shutdown::Both);
        }
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }
}

/// Starts a link thread that hands every [`LinkEvent`] to `report` (which tags it
/// so the module can ignore a link it has already dropped).
pub(crate) fn spawn<F>(
    target: LinkTarget,
    tls: Option<TlsTarget>,
    connect_limit: Duration,
    shared: Arc<LinkShared>,
    report: F,
) -> io::Result<JoinHandle<()>>
where
    F: Fn(LinkEvent) + Send + 'static,
{
    std::thread::Builder::new()
        .name("ml302-sim-link".into())
        .spawn(move || run(target, tls, connect_limit, shared, report))
}

fn run<F: Fn(LinkEvent)>(
    target: LinkTarget,
    tls: Option<TlsTarget>,
    connect_limit: Duration,
    shared: Arc<LinkShared>,
    send: F,
) {
    let deadline = Instant::now() + connect_limit;
    let mut stream = match connect(&target, connect_limit, &shared.stop) {
        Ok(s) => s,
        Err(_) => {
            if !shared.stopped() {
                send(LinkEvent::ConnectFailed);
            }
            return;
        }
    };
    let _ = stream.set_nodelay(true);
    // Register the stream so `LinkShared::stop` can unblock our reads (and a
    // handshake in progress).
    {
        let mut guard = shared.stream.lock().unwrap_or_else(|e| e.into_inner());
        if shared.stopped() {
            return;
        }
        match stream.try_clone() {
            Ok(mine) => *guard = Some(mine),
            Err(_) => {
                send(LinkEvent::ConnectFailed);
                return;
            }
        }
    }
    let session = match &tls {
        Some(t) => match tls::handshake(t, &mut stream, deadline) {
            Ok(conn) => Some(Arc::new(Mutex::new(conn))),
            Err(_) => {
                if !shared.stopped() {
                    send(LinkEvent::HandshakeFailed);
                }
                let _ = stream.shutdown(std::net::Shutdown::Both);
                return;
            }
        },
        None => None,
    };
    let Ok(writer) = stream.try_clone() else {
        send(LinkEvent::ConnectFailed);
        return;
    };
    if shared.stopped() {
        return;
    }
    match session {
        Some(conn) => {
            send(LinkEvent::Connected(Wire::Tls {
                sock: writer,
                conn: conn.clone(),
            }));
            read_loop(TlsReader::new(stream, conn), &shared, &send);
        }
        None => {
            send(LinkEvent::Connected(Wire::Plain(writer)));
            read_loop(stream, &shared, &send);
        }
    }
}

/// Reads and decodes packets until the link ends or is stopped.
fn read_loop<R: Read, F: Fn(LinkEvent)>(mut stream: R, shared: &LinkShared, send: &F) {
    let mut buf = BytesMut::with_capacity(4096);
    let mut tmp = [0u8; 4096];
    loop {
        match stream.read(&mut tmp) {
            Ok(0) => {
                if !shared.stopped() {
                    send(LinkEvent::Closed);
                }
                return;
            }
            Ok(n) => {
                buf.extend_from_slice(tmp.get(..n).unwrap_or(&[]));
                loop {
                    match Packet::read(&mut buf, MAX_PACKET) {
                        Ok(p) => send(LinkEvent::Packet(p)),
                        Err(CodecError::InsufficientBytes(_)) => break,
                        Err(_) => {
                            send(LinkEvent::Closed);
                            shared.stop();
                            return;
                        }
                    }
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => {
                if !shared.stopped() {
                    send(LinkEvent::Closed);
                }
                return;
            }
        }
        if shared.stopped() {
            return;
        }
    }
}

fn connect(target: &LinkTarget, limit: Duration, stop: &AtomicBool) -> io::Result<TcpStream> {
    let addrs: Vec<SocketAddr> = match target {
        LinkTarget::Addr(a) => vec![*a],
        LinkTarget::Host(h, p) => (h.as_str(), *p).to_socket_addrs()?.collect(),
    };
    let deadline = Instant::now() + limit;
    let mut last = io::Error::new(io::ErrorKind::NotFound, "no address for the host");
    for addr in addrs {
        loop {
            if stop.load(Ordering::Relaxed) {
                return Err(io::Error::new(io::ErrorKind::Interrupted, "stopped"));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(io::Error::new(io::ErrorKind::TimedOut, "connect timed out"));
            }
            match TcpStream::connect_timeout(&addr, left.min(Duration::from_millis(200))) {
                Ok(s) => return Ok(s),
                Err(e) if e.kind() == io::ErrorKind::TimedOut => continue,
                Err(e) => {
                    last = e;
                    break;
                }
            }
        }
    }
    Err(last)
}

/// Encodes and writes one packet.
pub(crate) fn write_packet(stream: &mut Wire, packet: &Packet) -> io::Result<()> {
    let mut buf = BytesMut::with_capacity(packet.size());
    packet
        .write(&mut buf, MAX_PACKET * 16)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?;
    stream.write_all(&buf)
}
