//! `--tls`, `ml302 sim --ca` and `ml302 sim --dialect`, driven through the
//! built binary. The TLS session runs against a Mosquitto TLS listener on
//! loopback with certificates generated at run time (skipped with a plain
//! message where mosquitto is not installed; a failure in CI). Every child
//! process is killed when its guard drops.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};

const BIN: &str = env!("CARGO_BIN_EXE_ml302");

/// Kills and reaps a child process when dropped.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A scratch directory, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let d = std::env::temp_dir().join(format!("ml302-cli-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        {
            // mosquitto drops to its own user before reading its files
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        Scratch(d)
    }

    fn file(&self, name: &str, text: &str) -> String {
        let p = self.0.join(name);
        std::fs::write(&p, text).unwrap();
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        p.to_string_lossy().into_owned()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn ml302(args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.args(args)
        .env_remove("ML302_DEVICE")
        .env_remove("ML302_BAUD")
        .env_remove("ML302_PASSWORD")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// Runs the binary to completion within `secs`: exit code, stdout, stderr.
fn run(args: &[&str], secs: u64) -> (Option<i32>, String, String) {
    let mut g = Guard(ml302(args).spawn().expect("spawn ml302"));
    let deadline = Instant::now() + Duration::from_secs(secs);
    let status = loop {
        if let Some(s) = g.0.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "{args:?} still running");
        thread::sleep(Duration::from_millis(20));
    };
    let (mut out, mut err) = (String::new(), String::new());
    let _ = g.0.stdout.take().unwrap().read_to_string(&mut out);
    let _ = g.0.stderr.take().unwrap().read_to_string(&mut err);
    (status.code(), out, err)
}

/// `ml302 sim ARGS`, running, and the device it serves on.
fn sim(args: &[&str]) -> (Guard, String) {
    let mut full = vec!["sim"];
    full.extend_from_slice(args);
    let mut child = ml302(&full)
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn sim");
    let stdout = child.stdout.take().unwrap();
    let guard = Guard(child);
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("ml302 sim prints its device");
        if let Some(d) = line.strip_prefix("device: ") {
            return (guard, d.to_owned());
        }
    }
}

#[test]
fn tls_sets_encrypt_and_its_help_says_whose_certificates() {
    let (_sim, device) = sim(&[]);
    // The in-process broker has no TLS listener: the handshake fails (603),
    // but the AT log shows what `--tls` asked of the module.
    let (code, _, err) = run(
        &[
            "-d", "pub", "--device", &device, "--tls", "-t", "t", "-m", "m",
        ],
        30,
    );
    assert_ne!(code, Some(0), "{err}");
    assert!(err.contains(",\"2018-10-31\",1"), "{err}");
    assert!(err.contains("603"), "{err}");
    let (code, _, err) = run(
        &[
            "-d",
            "pub",
            "--device",
            &device,
            "--tls",
            "--tls-version",
            "v2",
            "-t",
            "t",
            "-m",
            "m",
        ],
        30,
    );
    assert_ne!(code, Some(0));
    assert!(err.contains(",\"v2\",1"), "{err}");
    let (code, help, _) = run(&["pub", "--help"], 10);
    assert_eq!(code, Some(0));
    assert!(help.contains("--tls"), "{help}");
    assert!(help.contains("certificates built into it"), "{help}");
}

/// A CA and a broker certificate for `names`: (CA PEM, chain PEM, key PEM).
fn certificates(names: &[&str]) -> (String, String, String) {
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "ml302 cli test CA");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().unwrap()).unwrap();
    let key = KeyPair::generate().unwrap();
    let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
    let cert = CertificateParams::new(names)
        .unwrap()
        .signed_by(&key, &ca)
        .unwrap();
    (ca.pem(), cert.pem() + &ca.pem(), key.serialize_pem())
}

#[test]
fn pub_over_tls_through_the_sims_own_broker() {
    let (ca, chain, key) = certificates(&["localhost"]);
    let dir = Scratch::new("sim-tls");
    let (ca, chain, key) = (
        dir.file("ca.pem", &ca),
        dir.file("chain.pem", &chain),
        dir.file("key.pem", &key),
    );
    let (_sim, device) = sim(&["--ca", &ca, "--broker-cert", &chain, "--broker-key", &key]);
    let (code, _, err) = run(
        &[
            "-d",
            "pub",
            "--device",
            &device,
            "--tls",
            "-h",
            "localhost",
            "-q",
            "2",
            "-t",
            "tls/own",
            "-m",
            "hello",
        ],
        30,
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains(",\"2018-10-31\",1"), "{err}");
    assert!(err.contains("+MQTTPUBCOMP"), "{err}");
    // A key without its certificate is a usage error.
    let (code, _, _) = run(&["sim", "--broker-key", &key], 10);
    assert_eq!(code, Some(2));
}

#[test]
fn sim_refuses_a_ca_file_without_certificates() {
    let dir = Scratch::new("badca");
    let file = dir.file("empty.pem", "not a certificate\n");
    let (code, _, err) = run(&["sim", "--ca", &file], 20);
    assert_ne!(code, Some(0));
    assert!(err.contains("no certificate"), "{err}");
}

#[test]
fn a_module_of_another_dialect_is_named() {
    for (name, says) in [("mmqtt", "AT+MMQTTCON"), ("unisoc", "AT+MQTTSUBUNSUB")] {
        let (_sim, device) = sim(&["--dialect", name]);
        let (code, _, err) = run(&["pub", "--device", &device, "-t", "t", "-m", "m"], 30);
        assert_eq!(code, Some(1), "{err}");
        assert!(err.contains("another MQTT AT dialect"), "{err}");
        assert!(err.contains(says), "{err}");
    }
    let (code, _, err) = run(&["sim", "--dialect", "quectel"], 10);
    assert_eq!(code, Some(2), "{err}");
}

/// Whether mosquitto can be used; fails in CI where it must be installed.
fn mosquitto_available() -> bool {
    let ok = Command::new("mosquitto").arg("-h").output().is_ok()
        && Command::new("mosquitto_sub").arg("--help").output().is_ok();
    if !ok {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "mosquitto and mosquitto-clients must be installed in CI"
        );
        println!("SKIPPED: mosquitto not installed");
    }
    ok
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[test]
fn pub_over_tls_reaches_a_mosquitto_subscriber() {
    if !mosquitto_available() {
        return;
    }
    let (ca, chain, key) = certificates(&["localhost"]);
    let dir = Scratch::new("tls");
    let ca_file = dir.file("ca.pem", &ca);
    let certfile = dir.file("broker.pem", &chain);
    let keyfile = dir.file("broker.key", &key);
    let (plain, tls) = (free_port(), free_port());
    let conf = dir.file(
        "mosquitto.conf",
        &format!(
            "listener {plain} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest none\n\
             listener {tls} 127.0.0.1\ncertfile {certfile}\nkeyfile {keyfile}\n"
        ),
    );
    let _broker = Guard(
        Command::new("mosquitto")
            .args(["-c", &conf])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("mosquitto starts"),
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    while std::net::TcpStream::connect(("127.0.0.1", tls)).is_err() {
        assert!(Instant::now() < deadline, "mosquitto did not start");
        thread::sleep(Duration::from_millis(50));
    }
    let mut sub = Guard(
        Command::new("mosquitto_sub")
            .args(["-h", "127.0.0.1", "-p", &plain.to_string(), "-t", "tls/cli"])
            .args(["-C", "1", "-W", "20", "-v"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("mosquitto_sub runs"),
    );
    thread::sleep(Duration::from_millis(500));

    let (_sim, device) = sim(&["--honour-host", "--ca", &ca_file]);
    let port = tls.to_string();
    let (code, _, err) = run(
        &[
            "pub",
            "--device",
            &device,
            "--tls",
            "-h",
            "localhost",
            "-p",
            &port,
            "-q",
            "1",
            "-t",
            "tls/cli",
            "-m",
            "over the module's TLS",
        ],
        30,
    );
    assert_eq!(code, Some(0), "{err}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while sub.0.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "mosquitto_sub got nothing");
        thread::sleep(Duration::from_millis(20));
    }
    let mut got = String::new();
    let _ = sub.0.stdout.take().unwrap().read_to_string(&mut got);
    assert_eq!(got, "tls/cli over the module's TLS\n");
}
