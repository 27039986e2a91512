//! Helpers shared by the simulator's integration tests: a host that talks raw AT
//! text over a `MemoryPort`, and an independent MQTT peer (rumqttc) on the broker.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use ml302_sim::{MemoryPort, SimConfig, Simulator};
use rumqttc::{Client, Connection, Event, Incoming, MqttOptions, Publish, QoS};

pub const T: Duration = Duration::from_secs(10);

/// A host on the module's serial line.
pub struct Host {
    pub sim: Simulator,
    pub port: MemoryPort,
}

impl Host {
    pub fn new(cfg: SimConfig) -> Host {
        let (sim, port) = Simulator::in_memory(cfg).expect("simulator starts");
        Host { sim, port }
    }

    /// Echo off, numeric errors, checked byte for byte.
    pub fn quiet(cfg: SimConfig) -> Host {
        let mut h = Host::new(cfg);
        h.send_line("ATE0");
        h.read_final();
        h.exchange("AT+CMEE=1", b"\r\nOK\r\n");
        h
    }

    pub fn send_line(&mut self, line: &str) {
        self.port.write_all(line.as_bytes()).unwrap();
        self.port.write_all(b"\r\n").unwrap();
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.port.write_all(bytes).unwrap();
    }

    /// Reads until the output ends with a final result code.
    pub fn read_final(&mut self) -> Vec<u8> {
        self.read_final_within(T)
    }

    pub fn read_final_within(&mut self, limit: Duration) -> Vec<u8> {
        let deadline = Instant::now() + limit;
        let mut got = Vec::new();
        let mut buf = [0u8; 256];
        while !ends_with_final(&got) {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "no final result; got so far: {:?}",
                String::from_utf8_lossy(&got)
            );
            self.port.set_timeout(left);
            match self.port.read(&mut buf) {
                Ok(0) => panic!("simulator closed"),
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(e) => panic!(
                    "read failed: {e}; got so far: {:?}",
                    String::from_utf8_lossy(&got)
                ),
            }
        }
        got
    }

    /// Sends a command line and checks the exact bytes up to its final result.
    pub fn exchange(&mut self, line: &str, expected: &[u8]) {
        self.send_line(line);
        let got = self.read_final();
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(expected),
            "answer to {line}"
        );
    }

    /// Sends a command line and returns its answer.
    pub fn cmd(&mut self, line: &str) -> String {
        self.send_line(line);
        String::from_utf8(self.read_final()).expect("text answer")
    }

    /// Waits for `needle`, returning everything up to and including it.
    pub fn wait_for(&mut self, needle: &str, limit: Duration) -> String {
        match self.port.read_until(needle.as_bytes(), limit) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(e) => panic!(
                "{needle:?} did not come ({e}); pending output: {:?}",
                String::from_utf8_lossy(&self.port.read_available())
            ),
        }
    }

    /// Asserts that the module says nothing for `d`.
    pub fn quiet_for(&mut self, d: Duration) {
        let extra = self.port.read_for(d);
        assert!(
            extra.is_empty(),
            "unexpected output: {:?}",
            String::from_utf8_lossy(&extra)
        );
    }

    /// Configures (9 parameters, clean session) and connects, checking the bytes.
    pub fn configure_and_open(&mut self, id: &str) {
        self.exchange(
            &format!(r#"AT+MQTTCFG="broker.invalid",1883,"{id}",60,"","",1,"",0"#),
            b"\r\nOK\r\n",
        );
        self.exchange(
            r#"AT+MQTTOPEN=0,0,0,0,0,"","""#,
            b"\r\n+MQTTOPEN:OK\r\n\r\nOK\r\n",
        );
    }
}

pub fn ends_with_final(b: &[u8]) -> bool {
    if b.ends_with(b"\r\nOK\r\n") || b.ends_with(b"\r\nERROR\r\n") {
        return true;
    }
    // "\r\n+CME ERROR: <digits>\r\n"
    let Some(body) = b.strip_suffix(b"\r\n") else {
        return false;
    };
    let digits = body.iter().rev().take_while(|c| c.is_ascii_digit()).count();
    digits > 0 && body[..body.len() - digits].ends_with(b"\r\n+CME ERROR: ")
}

/// An independent MQTT client on the same broker.
pub struct Peer {
    pub client: Client,
    conn: Connection,
}

impl Peer {
    pub fn connect(addr: SocketAddr, id: &str) -> Peer {
        Peer::connect_with(addr, id, |_| {})
    }

    pub fn connect_with(addr: SocketAddr, id: &str, f: impl FnOnce(&mut MqttOptions)) -> Peer {
        let mut opts = MqttOptions::new(id, addr.ip().to_string(), addr.port());
        opts.set_keep_alive(Duration::from_secs(30));
        f(&mut opts);
        let (client, conn) = Client::new(opts, 16);
        let mut p = Peer { client, conn };
        p.wait(
            |e| matches!(e, Event::Incoming(Incoming::ConnAck(_))),
            "CONNACK",
        );
        p
    }

    fn wait(&mut self, mut f: impl FnMut(&Event) -> bool, what: &str) -> Event {
        let deadline = Instant::now() + T;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "peer: no {what}");
            match self.conn.recv_timeout(left) {
                Ok(Ok(ev)) if f(&ev) => return ev,
                Ok(Ok(_)) => {}
                Ok(Err(e)) => panic!("peer connection error while waiting for {what}: {e}"),
                Err(_) => {}
            }
        }
    }

    pub fn subscribe(&mut self, topic: &str, qos: QoS) {
        self.client.subscribe(topic, qos).unwrap();
        self.wait(
            |e| matches!(e, Event::Incoming(Incoming::SubAck(_))),
            "SUBACK",
        );
    }

    pub fn publish(&mut self, topic: &str, qos: QoS, retain: bool, payload: &[u8]) {
        self.client
            .publish(topic, qos, retain, payload.to_vec())
            .unwrap();
        match qos {
            QoS::AtMostOnce => {
                self.wait(
                    |e| matches!(e, Event::Outgoing(rumqttc::Outgoing::Publish(_))),
                    "outgoing PUBLISH",
                );
            }
            QoS::AtLeastOnce => {
                self.wait(
                    |e| matches!(e, Event::Incoming(Incoming::PubAck(_))),
                    "PUBACK",
                );
            }
            QoS::ExactlyOnce => {
                self.wait(
                    |e| matches!(e, Event::Incoming(Incoming::PubComp(_))),
                    "PUBCOMP",
                );
            }
        }
    }

    /// The next message the broker delivers to the peer.
    pub fn next_message(&mut self, limit: Duration) -> Option<Publish> {
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            match self.conn.recv_timeout(left) {
                Ok(Ok(Event::Incoming(Incoming::Publish(p)))) => return Some(p),
                Ok(Ok(_)) => {}
                Ok(Err(e)) => panic!("peer connection error: {e}"),
                Err(_) => {}
            }
        }
    }

    pub fn expect_message(&mut self) -> Publish {
        self.next_message(T).expect("the peer receives a message")
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.client.disconnect();
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            match self.conn.recv_timeout(Duration::from_millis(200)) {
                Ok(Ok(Event::Outgoing(rumqttc::Outgoing::Disconnect))) | Ok(Err(_)) => break,
                Err(rumqttc::RecvTimeoutError::Disconnected) => break,
                _ => {}
            }
        }
    }
}

/// One `+MQTTPUBLISH` frame parsed from the module's output (manual spelling).
#[derive(Debug, PartialEq, Eq)]
pub struct Frame {
    pub dup: u8,
    pub qos: u8,
    pub retain: u8,
    pub id: u16,
    pub topic: String,
    pub payload: Vec<u8>,
}

/// Finds and parses the first `+MQTTPUBLISH` frame in `out` (length-framed).
pub fn find_publish(out: &[u8]) -> Option<(Frame, usize)> {
    let start = out.windows(13).position(|w| w == b"+MQTTPUBLISH:")?;
    let mut i = start + 13;
    while out.get(i) == Some(&b' ') {
        i += 1;
    }
    let mut nums = [0u32; 4];
    for n in &mut nums {
        let s = i;
        while out[i].is_ascii_digit() {
            i += 1;
        }
        *n = std::str::from_utf8(&out[s..i]).ok()?.parse().ok()?;
        assert_eq!(out[i], b',');
        i += 1;
    }
    let topic = if out[i] == b'"' {
        let e = i + 1 + out[i + 1..].iter().position(|c| *c == b'"')?;
        let t = String::from_utf8(out[i + 1..e].to_vec()).ok()?;
        i = e + 2;
        t
    } else {
        let e = i + out[i..].iter().position(|c| *c == b',')?;
        let t = String::from_utf8(out[i..e].to_vec()).ok()?;
        i = e + 1;
        t
    };
    let s = i;
    while out[i].is_ascii_digit() {
        i += 1;
    }
    let len: usize = std::str::from_utf8(&out[s..i]).ok()?.parse().ok()?;
    i += if out[i] == b',' { 1 } else { 2 };
    let payload = out.get(i..i + len)?.to_vec();
    i += len;
    assert_eq!(&out[i..i + 2], b"\r\n", "CR LF after the payload");
    Some((
        Frame {
            dup: nums[0] as u8,
            qos: nums[1] as u8,
            retain: nums[2] as u8,
            id: nums[3] as u16,
            topic,
            payload,
        },
        i + 2,
    ))
}
