//! Dropping a simulator leaves none of its threads running (its own in a single
//! test of this binary, so nothing else runs meanwhile), in every situation: idle,
//! connected, in the middle of reconnecting to a broker that is gone, on every
//! transport.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use ml302_sim::{Broker, BrokerConfig, BrokerMode, SimConfig, Simulator, Transport};

/// Names of this process's threads (`/proc/self/task/*/comm`).
fn thread_names() -> Vec<String> {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path().join("comm")).ok())
        .map(|s| s.trim().to_owned())
        .collect()
}

fn sim_threads() -> Vec<String> {
    thread_names()
        .into_iter()
        .filter(|n| n.starts_with("ml302-sim"))
        .collect()
}

fn send_and_wait(io: &mut (impl Read + Write), cmd: &[u8], until: &[u8]) {
    io.write_all(cmd).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut got = Vec::new();
    let mut buf = [0u8; 256];
    while !got.windows(until.len()).any(|w| w == until) {
        assert!(
            Instant::now() < deadline,
            "{:?}",
            String::from_utf8_lossy(&got)
        );
        match io.read(&mut buf) {
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => panic!("{e}"),
        }
    }
}

#[test]
fn no_simulator_thread_survives_shutdown() {
    assert!(sim_threads().is_empty());

    // connected, over memory
    let (sim, mut port) = Simulator::in_memory(SimConfig::default()).unwrap();
    send_and_wait(
        &mut port,
        b"AT+MQTTCFG=\"h\",1,\"a\",60,\"\",\"\",1\r\n",
        b"OK\r\n",
    );
    send_and_wait(
        &mut port,
        b"AT+MQTTOPEN=0,0,0,0,0,\"\",\"\"\r\n",
        b"\r\nOK\r\n",
    );
    assert!(sim_threads()
        .iter()
        .any(|n| n.starts_with("ml302-sim-link")));
    assert!(sim_threads()
        .iter()
        .any(|n| n.starts_with("ml302-sim-broke")));
    sim.shutdown();
    assert_eq!(sim_threads(), Vec::<String>::new());

    // reconnecting (slowly) to a broker that is gone, over TCP
    let broker = Broker::start(BrokerConfig::default()).unwrap();
    let cfg = SimConfig::default()
        .broker(BrokerMode::Fixed(broker.addr()))
        .reconnect_interval(Duration::from_secs(60));
    let sim = Simulator::start(cfg, Transport::TcpListen("127.0.0.1:0".parse().unwrap())).unwrap();
    let mut s = TcpStream::connect(sim.serial_addr().unwrap()).unwrap();
    s.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    send_and_wait(
        &mut s,
        b"AT+MQTTCFG=\"h\",1,\"b\",60,\"\",\"\",1\r\n",
        b"OK\r\n",
    );
    send_and_wait(
        &mut s,
        b"AT+MQTTOPEN=0,0,0,0,0,\"\",\"\"\r\n",
        b"\r\nOK\r\n",
    );
    drop(broker);
    send_and_wait(&mut s, b"", b"+MQTTREC:0\r\n");
    let t0 = Instant::now();
    sim.shutdown();
    assert!(t0.elapsed() < Duration::from_secs(3), "{:?}", t0.elapsed());
    assert_eq!(sim_threads(), Vec::<String>::new());

    // a PTY nobody opened, with pacing on
    let sim =
        Simulator::start(SimConfig::default().pacing_baud(Some(9600)), Transport::Pty).unwrap();
    let path = sim.device_path().unwrap().to_path_buf();
    sim.shutdown();
    assert_eq!(sim_threads(), Vec::<String>::new());
    assert!(std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .is_err());
}
