//! TLS on the module's socket (`AT+MQTTCFG` `<encrypt>`=1, spec §2.1, A8): the
//! trust the module's built-in certificates stand for, the handshake, and the
//! byte stream the MQTT link reads and writes through.
//!
//! The link has one reading thread and one writer (the module thread). rustls's
//! connection is shared between them behind a lock that is never held across a
//! blocking socket read: the reader takes ciphertext off the socket on its own,
//! then locks to decrypt it; the writer locks to encrypt and send.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, ClientConnection, Connection, RootCertStore, ServerConfig};

/// The module's TLS client settings: it trusts the CA certificates of `ca` (a PEM
/// file), standing for the certificates built into a real module; with none it
/// trusts nobody, so every handshake fails.
pub(crate) fn client_config(ca: Option<&Path>) -> io::Result<Arc<ClientConfig>> {
    let mut roots = RootCertStore::empty();
    if let Some(path) = ca {
        let invalid = |what: String| io::Error::new(io::ErrorKind::InvalidData, what);
        let mut found = 0usize;
        for cert in CertificateDer::pem_file_iter(path)
            .map_err(|e| invalid(format!("CA file {}: {e}", path.display())))?
        {
            let cert = cert.map_err(|e| invalid(format!("CA file {}: {e}", path.display())))?;
            roots
                .add(cert)
                .map_err(|e| invalid(format!("CA file {}: {e}", path.display())))?;
            found += 1;
        }
        if found == 0 {
            return Err(invalid(format!(
                "CA file {}: no certificate in it",
                path.display()
            )));
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| io::Error::other(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(cfg))
}

/// What a link needs to run TLS: the settings and the name the broker's
/// certificate must carry (the host of `AT+MQTTCFG`).
#[derive(Clone)]
pub(crate) struct TlsTarget {
    pub config: Arc<ClientConfig>,
    pub host: String,
}

/// Runs the client handshake on `stream` until `deadline`. Any failure (an
/// untrusted or expired certificate, a wrong name, a broker that does not speak
/// TLS, a host that is no valid name) is an error.
pub(crate) fn handshake(
    target: &TlsTarget,
    stream: &mut TcpStream,
    deadline: Instant,
) -> io::Result<Connection> {
    let name = ServerName::try_from(target.host.clone())
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?;
    let conn = ClientConnection::new(target.config.clone(), name)
        .map_err(|e| io::Error::other(e.to_string()))?;
    let mut conn = Connection::Client(conn);
    complete_handshake(&mut conn, stream, deadline)?;
    Ok(conn)
}

/// The in-process broker's TLS settings: the certificate chain and key of two
/// PEM files.
pub(crate) fn server_config(chain: &Path, key: &Path) -> io::Result<Arc<ServerConfig>> {
    let invalid = |path: &Path, what: String| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: {what}", path.display()),
        )
    };
    let certs = CertificateDer::pem_file_iter(chain)
        .map_err(|e| invalid(chain, e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid(chain, e.to_string()))?;
    if certs.is_empty() {
        return Err(invalid(chain, "no certificate in it".to_owned()));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| invalid(key, e.to_string()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| io::Error::other(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
    Ok(Arc::new(cfg))
}

/// Runs the server handshake on `stream` until `deadline`.
pub(crate) fn accept(
    config: &Arc<ServerConfig>,
    stream: &mut TcpStream,
    deadline: Instant,
) -> io::Result<Connection> {
    let conn = rustls::ServerConnection::new(config.clone())
        .map_err(|e| io::Error::other(e.to_string()))?;
    let mut conn = Connection::Server(conn);
    complete_handshake(&mut conn, stream, deadline)?;
    Ok(conn)
}

/// Drives a handshake to its end, or fails by `deadline`.
fn complete_handshake(
    conn: &mut Connection,
    stream: &mut TcpStream,
    deadline: Instant,
) -> io::Result<()> {
    while conn.is_handshaking() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(io::ErrorKind::TimedOut, "TLS handshake"));
        }
        stream.set_read_timeout(Some(left.max(Duration::from_millis(1))))?;
        let (read, _) = conn.complete_io(stream)?;
        if read == 0 && conn.is_handshaking() && !conn.wants_write() {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "closed during the TLS handshake",
            ));
        }
    }
    // What the peer's last flight still needs (a TLS 1.3 server's tickets).
    while conn.wants_write() {
        conn.write_tls(stream)?;
    }
    stream.set_read_timeout(None)
}

/// The module's end of a link: plain TCP, or TLS over it.
#[derive(Debug)]
pub(crate) enum Wire {
    /// `<encrypt>`=0.
    Plain(TcpStream),
    /// `<encrypt>`=1: the socket (a clone of the reader's) and the shared session.
    Tls {
        sock: TcpStream,
        conn: Arc<Mutex<Connection>>,
    },
}

impl Wire {
    /// Writes all of `bytes` (encrypted first for TLS).
    pub fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self {
            Wire::Plain(s) => s.write_all(bytes),
            Wire::Tls { sock, conn } => {
                let mut c = conn.lock().unwrap_or_else(|e| e.into_inner());
                c.writer().write_all(bytes)?;
                while c.wants_write() {
                    c.write_tls(sock)?;
                }
                Ok(())
            }
        }
    }

    /// Closes the socket both ways.
    pub fn shutdown(&self) {
        let s = match self {
            Wire::Plain(s) => s,
            Wire::Tls { sock, .. } => sock,
        };
        let _ = s.shutdown(std::net::Shutdown::Both);
    }

    /// Sets the write time-out of the socket.
    pub fn set_write_timeout(&self, t: Option<Duration>) -> io::Result<()> {
        match self {
            Wire::Plain(s) => s.set_write_timeout(t),
            Wire::Tls { sock, .. } => sock.set_write_timeout(t),
        }
    }
}

/// The reading side of a TLS connection: decrypts what the socket delivers.
pub(crate) struct TlsReader {
    /// The socket (the reader's own handle).
    pub sock: TcpStream,
    /// The session shared with the [`Wire`].
    pub conn: Arc<Mutex<Connection>>,
    /// The socket delivered its end.
    eof: bool,
}

impl TlsReader {
    /// A reader over `sock` for the session `conn`.
    pub fn new(sock: TcpStream, conn: Arc<Mutex<Connection>>) -> Self {
        TlsReader {
            sock,
            conn,
            eof: false,
        }
    }
}

impl Read for TlsReader {
    /// Plaintext the session holds, or else blocks for ciphertext; `Ok(0)` once
    /// the broker closed (with or without `close_notify`).
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            {
                let mut c = self.conn.lock().unwrap_or_else(|e| e.into_inner());
                match c.reader().read(out) {
                    Ok(n) => return Ok(n),
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                    Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(0),
                    Err(e) => return Err(e),
                }
                if self.eof {
                    return Ok(0);
                }
            }
            let mut raw = [0u8; 4096];
            let n = self.sock.read(&mut raw)?;
            let mut c = self.conn.lock().unwrap_or_else(|e| e.into_inner());
            if n == 0 {
                self.eof = true;
                continue;
            }
            let mut fed = raw.get(..n).unwrap_or(&[]);
            while !fed.is_empty() {
                c.read_tls(&mut fed)?;
                c.process_new_packets()
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
            }
            while c.wants_write() {
                c.write_tls(&mut self.sock)?;
            }
        }
    }
}
