//! The module on real serial-like transports: a PTY any serial program can open,
//! an existing device, TCP in both directions; and the `MemoryPort` traits.

use std::fs::OpenOptions;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::AsFd;
use std::os::unix::fs::OpenOptionsExt;
use std::time::{Duration, Instant};

use ml302_sim::{MemoryPortError, SimConfig, Simulator, Transport};
use nix::fcntl::OFlag;
use nix::sys::termios::{cfmakeraw, tcgetattr, tcsetattr, SetArg, SpecialCharacterIndices};

/// Raw mode, reads return after 100 ms without data.
fn raw(fd: impl AsFd) {
    let mut t = tcgetattr(&fd).unwrap();
    cfmakeraw(&mut t);
    t.control_chars[SpecialCharacterIndices::VMIN as usize] = 0;
    t.control_chars[SpecialCharacterIndices::VTIME as usize] = 1;
    tcsetattr(&fd, SetArg::TCSANOW, &t).unwrap();
}

/// Reads until `needle` has arrived (or 10 s pass).
fn read_until(r: &mut impl Read, needle: &[u8]) -> Vec<u8> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut got = Vec::new();
    let mut buf = [0u8; 256];
    while !got.windows(needle.len()).any(|w| w == needle) {
        assert!(
            Instant::now() < deadline,
            "{needle:?} did not come; got {:?}",
            String::from_utf8_lossy(&got)
        );
        match r.read(&mut buf) {
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(e) => panic!("read: {e}"),
        }
    }
    got
}

fn session(io: &mut (impl Read + Write)) {
    io.write_all(b"AT\r\n").unwrap();
    assert_eq!(read_until(io, b"OK\r\n"), b"AT\r\r\nOK\r\n");
    io.write_all(b"ATE0\r\n").unwrap();
    assert_eq!(read_until(io, b"OK\r\n"), b"ATE0\r\r\nOK\r\n");
    io.write_all(b"AT+MQTTCFG=\"h\",1883,\"pty\",60,\"\",\"\",1\r\n")
        .unwrap();
    assert_eq!(read_until(io, b"OK\r\n"), b"\r\nOK\r\n");
    io.write_all(b"AT+MQTTOPEN=0,0,0,0,0,\"\",\"\"\r\n")
        .unwrap();
    assert_eq!(
        read_until(io, b"\r\nOK\r\n"),
        b"\r\n+MQTTOPEN:OK\r\n\r\nOK\r\n"
    );
    // length mode through a real tty: CR, LF and NUL pass untouched in raw mode
    io.write_all(b"AT+MQTTPUB=\"t\",1,0,0,5\r\n").unwrap();
    assert_eq!(read_until(io, b"> "), b"\r\n> ");
    io.write_all(b"\r\n\x00\x03\n").unwrap();
    assert_eq!(
        read_until(io, b"\r\nOK\r\n"),
        b"\r\n+MQTTPUBACK:0,1\r\n\r\nOK\r\n"
    );
}

#[test]
fn pty_serves_a_real_dev_pts_device() {
    let sim = Simulator::start(SimConfig::default(), Transport::Pty).unwrap();
    let path = sim.device_path().unwrap().to_path_buf();
    assert!(path.starts_with("/dev/pts"), "{}", path.display());
    let mut tty = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(OFlag::O_NOCTTY.bits())
        .open(&path)
        .unwrap();
    raw(&tty);
    session(&mut tty);
    drop(tty);
    // a serial program may close and open the port again
    let mut tty = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(OFlag::O_NOCTTY.bits())
        .open(&path)
        .unwrap();
    raw(&tty);
    tty.write_all(b"AT+MQTTSTAT?\r\n").unwrap();
    assert_eq!(
        read_until(&mut tty, b"\r\nOK\r\n"),
        b"\r\n+MQTTSTAT: 1\r\n\r\nOK\r\n"
    );
    let payload = &sim.received_lines();
    assert!(payload.contains(&ml302_sim::Received::Payload(b"\r\n\x00\x03\n".to_vec())));
    sim.shutdown();
    assert!(
        !path.exists() || OpenOptions::new().read(true).open(&path).is_err(),
        "PTY closed"
    );
}

#[test]
fn existing_device_the_far_end_of_a_pty_pair() {
    let master = nix::pty::posix_openpt(OFlag::O_RDWR | OFlag::O_NOCTTY).unwrap();
    nix::pty::grantpt(&master).unwrap();
    nix::pty::unlockpt(&master).unwrap();
    let slave = nix::pty::ptsname_r(&master).unwrap();
    let sim = Simulator::start(
        SimConfig::default(),
        Transport::Device(slave.clone().into()),
    )
    .unwrap();
    assert_eq!(sim.device_path(), Some(std::path::Path::new(&slave)));
    raw(&master);
    let mut master = std::fs::File::from(std::os::fd::OwnedFd::from(master));
    session(&mut master);
    sim.shutdown();
}

#[test]
fn tcp_listen_serves_one_client_at_a_time() {
    let sim = Simulator::start(
        SimConfig::default(),
        Transport::TcpListen("127.0.0.1:0".parse().unwrap()),
    )
    .unwrap();
    let addr = sim.serial_addr().unwrap();
    assert_ne!(addr.port(), 0);
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    session(&mut s);
    drop(s);
    // the next client gets the same module (echo still off, still connected)
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    s.write_all(b"AT+MQTTSTAT?\r\n").unwrap();
    assert_eq!(
        read_until(&mut s, b"\r\nOK\r\n"),
        b"\r\n+MQTTSTAT: 1\r\n\r\nOK\r\n"
    );
    sim.shutdown();
}

#[test]
fn tcp_connect_joins_a_server_such_as_qemu_chardev() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let sim = Simulator::start(SimConfig::default(), Transport::TcpConnect(addr)).unwrap();
    let (mut s, _) = listener.accept().unwrap();
    s.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    session(&mut s);
    sim.shutdown();
    // the simulator closed its end
    let mut buf = [0u8; 8];
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    assert_eq!(s.read(&mut buf).unwrap(), 0);
}

#[test]
fn memory_port_embedded_io_traits_and_time_out() {
    let (sim, mut port) = Simulator::in_memory(SimConfig::default().echo(false)).unwrap();
    port.set_timeout(Duration::from_millis(200));
    embedded_io::Write::write_all(&mut port, b"AT\r\n").unwrap();
    let mut buf = [0u8; 6];
    embedded_io::Read::read_exact(&mut port, &mut buf).unwrap();
    assert_eq!(&buf, b"\r\nOK\r\n");
    assert!(!embedded_io::ReadReady::read_ready(&mut port).unwrap());
    // nothing to read: a time-out, not a hang
    let t0 = Instant::now();
    let err = embedded_io::Read::read(&mut port, &mut buf).unwrap_err();
    assert_eq!(err, MemoryPortError::TimedOut);
    assert_eq!(
        embedded_io::Error::kind(&err),
        embedded_io::ErrorKind::TimedOut
    );
    assert!(t0.elapsed() >= Duration::from_millis(190));
    assert!(t0.elapsed() < Duration::from_secs(3));
    let err = std::io::Read::read(&mut port, &mut buf).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::TimedOut);
    sim.shutdown();
    // the module is gone: end of file, and writes fail
    assert_eq!(embedded_io::Read::read(&mut port, &mut buf).unwrap(), 0);
    assert_eq!(
        embedded_io::Write::write(&mut port, b"AT\r\n").unwrap_err(),
        MemoryPortError::Closed
    );
}

#[test]
fn memory_port_async_traits_and_time_out() {
    let (sim, mut port) = Simulator::in_memory(SimConfig::default().echo(false)).unwrap();
    port.set_timeout(Duration::from_millis(300));
    futures_executor::block_on(async {
        embedded_io_async::Write::write_all(&mut port, b"AT+CMEE=1\r\nAT+MQTTSUB=\"a\",1\r\n")
            .await
            .unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 4];
        while !got.ends_with(b"600\r\n") {
            let n = embedded_io_async::Read::read(&mut port, &mut buf)
                .await
                .unwrap();
            got.extend_from_slice(&buf[..n]);
        }
        assert_eq!(got, b"\r\nOK\r\n\r\n+CME ERROR: 600\r\n");
        let t0 = Instant::now();
        let err = embedded_io_async::Read::read(&mut port, &mut buf)
            .await
            .unwrap_err();
        assert_eq!(err, MemoryPortError::TimedOut);
        assert!(
            t0.elapsed() >= Duration::from_millis(290),
            "{:?}",
            t0.elapsed()
        );
        assert!(t0.elapsed() < Duration::from_secs(3));
    });
    sim.shutdown();
    futures_executor::block_on(async {
        let mut buf = [0u8; 4];
        assert_eq!(
            embedded_io_async::Read::read(&mut port, &mut buf)
                .await
                .unwrap(),
            0
        );
    });
}
