//! The module against a real mosquitto broker, started by the test on a free
//! loopback port, with `mosquitto_sub` / `mosquitto_pub` as the independent peers.
//!
//! Without mosquitto the test prints `SKIPPED: mosquitto not installed` and passes,
//! except when `CI=true`, where a missing mosquitto fails it.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{find_publish, Host, T};
use ml302_sim::{BrokerMode, Fault, SimConfig};

/// A mosquitto process; killed and reaped on drop, even when the test panics.
struct Mosquitto {
    child: Child,
    dir: PathBuf,
    port: u16,
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A helper process (mosquitto_sub / mosquitto_pub): killed and reaped on drop.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn installed(cmd: &str) -> bool {
    match Command::new(cmd)
        .arg("--help")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
    {
        Ok(_) => true,
        Err(e) => e.kind() != std::io::ErrorKind::NotFound,
    }
}

fn start_mosquitto() -> Mosquitto {
    for attempt in 0..5 {
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = std::env::temp_dir().join(format!(
            "ml302-sim-mosquitto-{}-{attempt}-{port}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let conf = dir.join("mosquitto.conf");
        std::fs::write(
            &conf,
            format!("listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"),
        )
        .unwrap();
        let child = Command::new("mosquitto")
            .arg("-c")
            .arg(&conf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("mosquitto starts");
        let mut m = Mosquitto { child, dir, port };
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = m.child.try_wait() {
                break; // exited: port taken meanwhile, try another
            }
            if TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok() {
                return m;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        drop(m);
    }
    panic!("mosquitto did not start");
}

/// A `mosquitto_sub` and the thread reading its output; both ended on drop.
struct Sub {
    proc: Option<Proc>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Sub {
    fn drop(&mut self) {
        self.proc.take(); // kill: its stdout closes, so the reader ends
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
    }
}

/// `mosquitto_sub` on `topic` (QoS 2, so messages keep their QoS). Returns once
/// the subscription is known to be active — a probe message on a second topic
/// came through — and a channel of `<topic> <qos> <retain> <hex payload>` lines.
fn subscribe(port: u16, topic: &str) -> (Sub, Msgs) {
    static PROBES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let probe = format!(
        "ml302/probe/{}/{}",
        std::process::id(),
        PROBES.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let mut child = Command::new("mosquitto_sub")
        .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-q", "2"])
        .args(["-t", topic, "-t", &probe, "-W", "60"])
        .args(["-F", "MSG %t %q %r %x"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("mosquitto_sub starts");
    let out = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let probe_prefix = format!("MSG {probe} ");
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            let msg = match line.strip_prefix(&probe_prefix) {
                Some(_) => "PROBE".to_owned(),
                None => match line.strip_prefix("MSG ") {
                    Some(m) => m.to_owned(),
                    None => continue,
                },
            };
            if tx.send(msg).is_err() {
                break;
            }
        }
    });
    let sub = Sub {
        proc: Some(Proc(child)),
        reader: Some(reader),
    };
    let mut msgs = Msgs {
        rx,
        early: Vec::new(),
    };
    let deadline = Instant::now() + T;
    'probing: loop {
        assert!(Instant::now() < deadline, "mosquitto_sub did not subscribe");
        publish(port, &probe, 0, false, b"p");
        while let Ok(m) = msgs.rx.recv_timeout(Duration::from_millis(200)) {
            if m == "PROBE" {
                break 'probing;
            }
            msgs.early.push(m); // e.g. a retained message, delivered at once
        }
    }
    (sub, msgs)
}

/// Messages received by a `mosquitto_sub`.
struct Msgs {
    rx: mpsc::Receiver<String>,
    early: Vec<String>,
}

fn next_msg(msgs: &mut Msgs) -> String {
    if !msgs.early.is_empty() {
        return msgs.early.remove(0);
    }
    let deadline = Instant::now() + T;
    loop {
        let m = msgs
            .rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("mosquitto_sub receives a message");
        if m != "PROBE" {
            return m;
        }
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|c| format!("{c:02x}")).collect()
}

fn publish(port: u16, topic: &str, qos: u8, retain: bool, payload: &[u8]) {
    let mut cmd = Command::new("mosquitto_pub");
    cmd.args(["-h", "127.0.0.1", "-p", &port.to_string(), "-t", topic])
        .args(["-q", &qos.to_string(), "-s"]);
    if retain {
        cmd.arg("-r");
    }
    let mut child = Proc(
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("mosquitto_pub starts"),
    );
    child.0.stdin.take().unwrap().write_all(payload).unwrap();
    let status = child.0.wait().unwrap();
    assert!(status.success(), "mosquitto_pub failed");
}

#[test]
fn against_mosquitto_both_directions() {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    if !installed("mosquitto") || !installed("mosquitto_sub") || !installed("mosquitto_pub") {
        assert!(!ci, "mosquitto / mosquitto-clients must be installed in CI");
        println!("SKIPPED: mosquitto not installed");
        return;
    }
    let broker = start_mosquitto();
    let port = broker.port;
    // Honour mode: the module connects where AT+MQTTCFG says.
    let mut h = Host::quiet(
        SimConfig::default()
            .broker(BrokerMode::Honour)
            .final_linger(Duration::from_millis(100)),
    );
    assert_eq!(h.sim.broker_addr(), None);
    let (_sub, mut up) = subscribe(port, "ml302/up");
    h.exchange(
        &format!(r#"AT+MQTTCFG="127.0.0.1",{port},"sim-mosq",60,"","",1,"",0"#),
        b"\r\nOK\r\n",
    );
    h.exchange(
        r#"AT+MQTTOPEN=0,0,1,1,1,"ml302/will","gone""#,
        b"\r\n+MQTTOPEN:OK\r\n\r\nOK\r\n",
    );

    // module → broker: inline QoS 2 with escapes, length mode QoS 1 with hostile bytes,
    // QoS 0 retained
    h.exchange(
        r#"AT+MQTTPUB="ml302/up",2,0,0,"say \"hi\", world""#,
        b"\r\n+MQTTPUBREC:0,1\r\n\r\n+MQTTPUBCOMP:0,1\r\n\r\nOK\r\n",
    );
    assert_eq!(
        next_msg(&mut up),
        format!("ml302/up 2 0 {}", hex(br#"say "hi", world"#))
    );
    let hostile: &[u8] = b"a,\"b\"\r\nOK\r\nc\\d\x00\xffz";
    h.send_line(r#"AT+MQTTPUB="ml302/up",1,0,0,17"#);
    assert_eq!(h.wait_for("> ", T), "\r\n> ");
    h.send_raw(hostile);
    assert_eq!(h.read_final(), b"\r\n+MQTTPUBACK:0,2\r\n\r\nOK\r\n");
    assert_eq!(next_msg(&mut up), format!("ml302/up 1 0 {}", hex(hostile)));
    h.exchange(r#"AT+MQTTPUB="ml302/up",0,1,0,"kept""#, b"\r\nOK\r\n");
    assert_eq!(next_msg(&mut up), format!("ml302/up 0 0 {}", hex(b"kept")));
    // retained really: a late subscriber gets it with the retain flag
    let (_late, mut late) = subscribe(port, "ml302/up");
    assert_eq!(
        next_msg(&mut late),
        format!("ml302/up 0 1 {}", hex(b"kept"))
    );

    // broker → module, with its own subscription echoing back between ACK and OK
    h.exchange(
        r#"AT+MQTTSUB="ml302/down/#",2"#,
        b"\r\n+MQTTSUBACK:4,2,ml302/down/#\r\n\r\nOK\r\n",
    );
    let binary: &[u8] = b"x\r\n+MQTTPUBLISH: 0,0,0,0,\"y\",1,z\r\n\x00OK";
    publish(port, "ml302/down/bin", 1, false, binary);
    let out = h.port.read_until(b"\x00OK\r\n", T).unwrap();
    let (f, end) = find_publish(&out).unwrap();
    assert_eq!(end, out.len());
    assert_eq!(
        (f.topic.as_str(), f.qos, f.retain),
        ("ml302/down/bin", 1, 0)
    );
    assert_eq!(f.payload, binary);
    publish(port, "ml302/down/two", 2, false, b"2");
    let out = h.wait_for("+MQTTPUBREL: 0,", T);
    let (f, _) = find_publish(out.as_bytes()).unwrap();
    assert_eq!((f.qos, &f.payload[..]), (2, &b"2"[..]));
    assert_eq!(h.wait_for("\r\n", T), format!("{}\r\n", f.id));

    // will on an abrupt loss (no reconnect)
    let (_wsub, mut will) = subscribe(port, "ml302/will");
    h.exchange("AT+MQTTREC=0", b"\r\nOK\r\n");
    h.sim.inject(Fault::CutLink);
    assert_eq!(h.wait_for("+MQTTDISC: OK\r\n", T), "\r\n+MQTTDISC: OK\r\n");
    assert_eq!(
        next_msg(&mut will),
        format!("ml302/will 1 0 {}", hex(b"gone"))
    );
    // the will was retained (will-retain 1): a new subscriber gets it flagged
    let (_w2, mut will2) = subscribe(port, "ml302/will");
    assert_eq!(
        next_msg(&mut will2),
        format!("ml302/will 1 1 {}", hex(b"gone"))
    );
    h.sim.shutdown();
    drop(broker);
}
