//! Drives the built `ml302` binary as a user would: through its command line,
//! its output and its exit code.
//!
//! `pub` and `sub` each need a modem, and a PTY carries one modem, so the pub/sub
//! tests start two `ml302 sim` processes sharing one broker: the first prints its
//! in-process broker's address, the second is started with `--broker ADDR`.
//! `sub` runs on the first, `pub` on the second. Every child process is killed
//! when its guard drops, even when an assertion fails.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use ml302_testkit::make_stream;

const BIN: &str = env!("CARGO_BIN_EXE_ml302");

/// Kills and reaps a child process when dropped.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// What a finished command printed.
struct Output {
    status: ExitStatus,
    stdout: Vec<u8>,
    stderr: String,
}

impl Output {
    fn code(&self) -> Option<i32> {
        self.status.code()
    }

    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
}

/// Reads a pipe to the end on a thread.
fn drain(mut r: impl Read + Send + 'static) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut all = Vec::new();
        let _ = r.read_to_end(&mut all);
        let _ = tx.send(all);
    });
    rx
}

/// Waits for a spawned child (stdout and stderr piped), killing it after `limit`.
fn finish(child: Child, limit: Duration) -> Output {
    let mut guard = Guard(child);
    let out = drain(guard.0.stdout.take().expect("stdout piped"));
    let err = drain(guard.0.stderr.take().expect("stderr piped"));
    let start = Instant::now();
    let status = loop {
        if let Some(s) = guard.0.try_wait().expect("try_wait") {
            break s;
        }
        if start.elapsed() > limit {
            let _ = guard.0.kill();
            let stderr = err.recv_timeout(Duration::from_secs(2)).unwrap_or_default();
            panic!(
                "still running after {limit:?}; stderr:\n{}",
                String::from_utf8_lossy(&stderr)
            );
        }
        thread::sleep(Duration::from_millis(20));
    };
    let stdout = out.recv_timeout(Duration::from_secs(5)).unwrap_or_default();
    let stderr = err.recv_timeout(Duration::from_secs(5)).unwrap_or_default();
    Output {
        status,
        stdout,
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// The binary with these arguments, the tool's environment variables removed.
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

/// Runs the binary to completion (at most `secs` seconds).
fn run(args: &[&str], secs: u64) -> Output {
    finish(
        ml302(args).spawn().expect("spawn ml302"),
        Duration::from_secs(secs),
    )
}

/// A running `ml302 sim`, with what it printed.
struct Sim {
    _guard: Guard,
    device: String,
    broker: String,
    /// Its standard input, when started with [`sim_with_stdin`].
    stdin: Option<std::process::ChildStdin>,
    /// The lines of its standard output after `device:` and `broker:`.
    lines: mpsc::Receiver<String>,
}

impl Sim {
    /// Types `words` on the standard input of a `--faults-from-stdin` simulator
    /// and waits until it reports the fault injected.
    fn inject(&mut self, words: &str) {
        let input = self.stdin.as_mut().expect("started with sim_with_stdin");
        writeln!(input, "{words}").expect("write to ml302 sim");
        input.flush().expect("flush");
        let want = format!("fault: {words}");
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(20))
                .expect("ml302 sim did not report the fault");
            if line == want {
                return;
            }
        }
    }
}

/// Starts `ml302 sim ARGS` and reads its `device:` and `broker:` lines.
fn sim(args: &[&str]) -> Sim {
    spawn_sim(args, false)
}

/// Starts `ml302 sim --faults-from-stdin ARGS` with its standard input piped.
fn sim_with_stdin(args: &[&str]) -> Sim {
    let mut full = vec!["--faults-from-stdin"];
    full.extend_from_slice(args);
    spawn_sim(&full, true)
}

fn spawn_sim(args: &[&str], piped: bool) -> Sim {
    let mut full = vec!["sim"];
    full.extend_from_slice(args);
    let mut cmd = ml302(&full);
    cmd.stderr(Stdio::null());
    if piped {
        cmd.stdin(Stdio::piped());
    }
    let mut child = cmd.spawn().expect("spawn sim");
    let stdout = child.stdout.take().expect("stdout piped");
    let stdin = child.stdin.take();
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
    let (mut device, mut broker) = (None, None);
    while device.is_none() || broker.is_none() {
        let line = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("ml302 sim did not print its device and broker");
        if let Some(d) = line.strip_prefix("device: ") {
            device = Some(d.to_owned());
        } else if let Some(b) = line.strip_prefix("broker: ") {
            broker = Some(b.split(' ').next().unwrap_or(b).to_owned());
        }
    }
    Sim {
        _guard: guard,
        device: device.unwrap_or_default(),
        broker: broker.unwrap_or_default(),
        stdin,
        lines: rx,
    }
}

/// Two simulated modems on one broker.
fn two_sims() -> (Sim, Sim) {
    let a = sim(&[]);
    let b = sim(&["--broker", &a.broker]);
    (a, b)
}

/// Starts `ml302 sub ARGS` and waits until it reports its subscriptions.
fn start_sub(args: &[&str], topics: usize) -> (Child, mpsc::Receiver<String>) {
    let mut child = ml302(args).spawn().expect("spawn sub");
    let stderr = child.stderr.take().expect("stderr piped");
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { return };
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    let mut seen = Vec::new();
    let mut subscribed = 0;
    while subscribed < topics {
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(line) => {
                if line.starts_with("subscribed to ") {
                    subscribed += 1;
                }
                seen.push(line);
            }
            Err(_) => {
                let _ = Guard(child);
                panic!("sub did not subscribe; stderr:\n{}", seen.join("\n"));
            }
        }
    }
    (child, rx)
}

/// Waits for a `sub` started by [`start_sub`]; its stderr lines come from `rx`.
fn finish_sub(child: Child, rx: mpsc::Receiver<String>, secs: u64) -> Output {
    let mut guard = Guard(child);
    let out = drain(guard.0.stdout.take().expect("stdout piped"));
    let start = Instant::now();
    let status = loop {
        if let Some(s) = guard.0.try_wait().expect("try_wait") {
            break s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(secs),
            "sub still running"
        );
        thread::sleep(Duration::from_millis(20));
    };
    let stdout = out.recv_timeout(Duration::from_secs(5)).unwrap_or_default();
    let stderr: Vec<String> = rx.try_iter().collect();
    Output {
        status,
        stdout,
        stderr: stderr.join("\n"),
    }
}

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ml302-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

// ---------------------------------------------------------------------------------
// demo

#[test]
fn demo_runs_the_whole_session_through_the_simulator_and_exits_0() {
    let out = run(&["demo"], 60);
    let stdout = out.stdout();
    assert_eq!(
        out.code(),
        Some(0),
        "stdout:\n{stdout}\nstderr:\n{}",
        out.stderr
    );
    assert!(
        stdout.contains(
            "summary: 12 of 12 steps ok, 0 failed; messages sent 3, received 3 (byte-exact);"
        ),
        "{stdout}"
    );
    // It starts with the network bring-up, shown in the transcript, before
    // any MQTT command.
    let bring_up = stdout
        .find("-- step 1/12: network bring-up")
        .expect("the bring-up step");
    let cpin = stdout
        .find("] > AT+CPIN?\n")
        .expect("AT+CPIN? in the transcript");
    let cereg = stdout
        .find("] < +CEREG: 0,1\n")
        .expect("registration answer");
    let addr = stdout.find("] < +CGPADDR: 1,\"").expect("address answer");
    let mqtt = stdout.find("] > AT+MQTT").expect("MQTT commands");
    assert!(
        bring_up < cpin && cpin < cereg && cereg < addr && addr < mqtt,
        "{stdout}"
    );
    assert!(stdout.contains("   ok: IMEI "), "{stdout}");
    assert!(
        stdout.contains(", registered home, signal -51 dBm"),
        "{stdout}"
    );
    // The state step shows the network section.
    assert!(
        stdout.contains("     PDP context:    active (AT+CGACT?)"),
        "{stdout}"
    );
    // Timed transcript lines in both directions.
    assert!(
        stdout.contains("] > AT+MQTTSUB=\"ml302/demo/#\",2\n"),
        "{stdout}"
    );
    assert!(stdout.contains("] < +MQTTSUBACK:"), "{stdout}");
    // The password is masked everywhere.
    assert!(stdout
        .contains(r#"> AT+MQTTCFG="localhost",1883,"ml302-demo",60,"ml302-demo","***",1,"",0"#));
    assert!(!stdout.contains("demo-secret"));
    // The binary payload went out in length mode and came back, shown escaped.
    let escaped = r#"line1\r\nline2 "quoted", \x00\x01\xfe\xff"#;
    assert!(
        stdout.contains(&format!("> [27 payload bytes] {escaped}\n")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(",\"ml302/demo/qos2\",27,{escaped}\n")),
        "{stdout}"
    );
    assert!(stdout.contains("ml302/demo/qos2 at QoS"), "{stdout}");
    assert!(stdout.contains("byte-exact"), "{stdout}");
    // Every transcript line carries a relative time stamp.
    for line in stdout.lines().filter(|l| l.starts_with('[')) {
        let stamp = line.split("] ").next().unwrap_or_default();
        assert!(stamp.ends_with(" ms"), "{line}");
    }
}

#[test]
fn demo_on_a_missing_device_exits_3() {
    let out = run(
        &["demo", "--device", "/dev/ttyUSB9", "--host", "broker"],
        20,
    );
    assert_eq!(out.code(), Some(3), "{}", out.stderr);
    assert!(out.stderr.contains("error: /dev/ttyUSB9: no such device"));
}

// ---------------------------------------------------------------------------------
// pub and sub

#[test]
fn pub_is_received_by_sub_byte_exact() {
    let (a, b) = two_sims();
    let dir = scratch("pubsub");
    let file = dir.join("binary.dat");
    std::fs::write(&file, b"bin\r\n\"q\",\x00\xfe\xff").expect("write");
    let (child, rx) = start_sub(
        &[
            "sub", "--device", &a.device, "-t", "test/#", "-q", "2", "-C", "3", "-v", "-W", "30",
        ],
        1,
    );
    let out = run(
        &[
            "pub",
            "--device",
            &b.device,
            "-t",
            "test/text",
            "-m",
            "hello world",
            "-q",
            "1",
        ],
        30,
    );
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    let file = file.to_string_lossy().into_owned();
    let out = run(
        &[
            "pub",
            "--device",
            &b.device,
            "-t",
            "test/file",
            "-f",
            &file,
            "-q",
            "2",
        ],
        30,
    );
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    let out = run(
        &["pub", "--device", &b.device, "-t", "test/zero", "-m", "q0"],
        30,
    );
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    let got = finish_sub(child, rx, 30);
    assert_eq!(got.code(), Some(0), "{}", got.stderr);
    assert_eq!(
        got.stdout,
        b"test/text hello world\ntest/file bin\r\n\"q\",\x00\xfe\xff\ntest/zero q0\n"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn pub_lines_reach_sub_as_json_with_binary_payloads_in_base64() {
    let (a, b) = two_sims();
    let (child, rx) = start_sub(
        &[
            "sub", "--device", &a.device, "-t", "j/1", "-t", "j/2", "-q", "1", "-C", "3", "--json",
            "-W", "30",
        ],
        2,
    );
    let mut publisher = ml302(&["pub", "--device", &b.device, "-t", "j/1", "-l", "-q", "1"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("spawn pub");
    let mut stdin = publisher.stdin.take().expect("stdin piped");
    stdin
        .write_all(b"first line\n\nsecond \"line\"\r\n")
        .expect("write");
    drop(stdin);
    let out = finish(publisher, Duration::from_secs(30));
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    let dir = scratch("json");
    let file = dir.join("b.dat");
    std::fs::write(&file, b"\x00\xff").expect("write");
    let file = file.to_string_lossy().into_owned();
    let out = run(
        &[
            "pub", "--device", &b.device, "-t", "j/2", "-f", &file, "-q", "1", "-r",
        ],
        30,
    );
    assert_eq!(out.code(), Some(0), "{}", out.stderr);

    let got = finish_sub(child, rx, 30);
    assert_eq!(got.code(), Some(0), "{}", got.stderr);
    let stdout = got.stdout();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(lines[0].starts_with(r#"{"topic":"j/1","payload":"first line","payload_encoding":"utf-8","payload_hex":"6669727374206c696e65","len":10,"qos":1,"#), "{}", lines[0]);
    assert!(
        lines[1].contains(r#""payload":"second \"line\"""#),
        "{}",
        lines[1]
    );
    assert!(lines[2].starts_with(r#"{"topic":"j/2","payload":"AP8=","payload_encoding":"base64","payload_hex":"00ff","len":2,"qos":1,"#), "{}", lines[2]);
    for key in ["\"retained\":", "\"dup\":", "\"packet_id\":"] {
        assert!(lines.iter().all(|l| l.contains(key)), "{key}: {stdout}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn sub_unsubscribes_and_disconnects_on_ctrl_c() {
    let a = sim(&[]);
    let (child, rx) = start_sub(&["-d", "sub", "--device", &a.device, "-t", "stop/#"], 1);
    let pid = child.id().to_string();
    let sent = Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill -INT");
    assert!(sent.success());
    let got = finish_sub(child, rx, 30);
    assert_eq!(got.code(), Some(0), "{}", got.stderr);
    assert!(
        got.stderr.contains("> AT+MQTTUNSUB=\"stop/#\""),
        "{}",
        got.stderr
    );
    assert!(got.stderr.contains("> AT+MQTTDISC"), "{}", got.stderr);
    assert!(got.stderr.contains("< +MQTTDISC: OK"), "{}", got.stderr);
}

#[test]
fn sub_that_times_out_exits_27_like_mosquitto_sub() {
    let a = sim(&[]);
    for extra in [&["-C", "1"][..], &[][..]] {
        let mut args = vec!["sub", "--device", &a.device, "-t", "quiet", "-W", "1"];
        args.extend_from_slice(extra);
        let out = run(&args, 30);
        assert_eq!(out.code(), Some(27), "{extra:?}: {}", out.stderr);
        assert!(
            out.stderr
                .contains("error: timed out after 1 s (-W): received 0 messages"),
            "{}",
            out.stderr
        );
    }
}

#[test]
fn wrong_password_exits_1_naming_the_cause() {
    let a = sim(&["--user", "alice:wonderland"]);
    let out = run(
        &[
            "pub", "--device", &a.device, "-t", "t", "-m", "m", "-u", "alice", "-P", "wrong",
        ],
        30,
    );
    assert_eq!(out.code(), Some(1), "{}", out.stderr);
    assert_eq!(
        out.stderr,
        "error: the broker rejected the user name or password (+CME ERROR: 614)\n"
    );
    let out = run(
        &[
            "pub",
            "--device",
            &a.device,
            "-t",
            "t",
            "-m",
            "m",
            "-u",
            "alice",
            "-P",
            "wonderland",
        ],
        30,
    );
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
}

#[test]
fn debug_log_masks_the_password() {
    let a = sim(&["--user", "bob:hunter2"]);
    let out = run(
        &[
            "pub", "-d", "--device", &a.device, "-t", "t", "-m", "m", "-u", "bob", "-P", "hunter2",
        ],
        30,
    );
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    assert!(out.stderr.contains(r#""bob","***""#), "{}", out.stderr);
    assert!(!out.stderr.contains("hunter2"), "{}", out.stderr);
}

// ---------------------------------------------------------------------------------
// status and at

#[test]
fn at_console_and_status_show_the_session_with_the_password_masked() {
    let a = sim(&[]);
    let mut console = ml302(&["at", "--device", &a.device])
        .stdin(Stdio::piped())
        .spawn()
        .expect("spawn at");
    let mut stdin = console.stdin.take().expect("stdin piped");
    stdin
        .write_all(
            b"AT\nAT+CMEE=1\nAT+MQTTCFG=\"h\",1883,\"console\",60,\"u\",\"s3cret\",1,\"\",0\n\
              AT+MQTTOPEN=1,1,0,0,0,\"\",\"\"\nAT+MQTTSUB=\"c/#\",1\n\
              AT+MQTTPUB=\"c/x\",1,0,0,5\nhello\n",
        )
        .expect("write");
    drop(stdin);
    let out = finish(console, Duration::from_secs(30));
    let stdout = out.stdout();
    assert_eq!(out.code(), Some(0), "{stdout}\n{}", out.stderr);
    assert!(!stdout.contains("s3cret"), "{stdout}");
    assert!(stdout.contains(r#""u","***""#), "{stdout}");
    assert!(stdout.contains("+MQTTOPEN:OK\n"), "{stdout}");
    assert!(stdout.contains("+MQTTSUBACK:"), "{stdout}");
    assert!(stdout.contains("> [5 payload bytes] hello"), "{stdout}");
    assert!(
        stdout.contains(r#","c/x",5,hello    # message on "c/x": 5 bytes, QoS 1"#),
        "{stdout}"
    );

    let out = run(&["status", "--device", &a.device], 30);
    let stdout = out.stdout();
    assert_eq!(out.code(), Some(0), "{stdout}\n{}", out.stderr);
    assert!(stdout.contains("link state:     Connected"), "{stdout}");
    assert!(stdout.contains("modem state:    Connected"), "{stdout}");
    assert!(stdout.contains("id \"console\""), "{stdout}");
    assert!(stdout.contains("password ***"), "{stdout}");
    assert!(!stdout.contains("s3cret"), "{stdout}");
    assert!(stdout.contains("subscriptions:  c/#"), "{stdout}");
    assert!(stdout.contains("reconnect attempts so far"), "{stdout}");
}

#[test]
fn at_console_exits_1_when_a_command_fails() {
    let a = sim(&[]);
    let mut console = ml302(&["at", "--device", &a.device])
        .stdin(Stdio::piped())
        .spawn()
        .expect("spawn at");
    let mut stdin = console.stdin.take().expect("stdin piped");
    stdin.write_all(b"AT+NOSUCH\n").expect("write");
    drop(stdin);
    let out = finish(console, Duration::from_secs(30));
    assert_eq!(out.code(), Some(1), "{}", out.stderr);
    assert!(out.stdout().contains("ERROR"));
}

#[test]
fn a_busy_device_exits_3() {
    let a = sim(&[]);
    let (child, rx) = start_sub(&["sub", "--device", &a.device, "-t", "busy"], 1);
    let _holder = Guard(child);
    let out = run(&["status", "--device", &a.device], 30);
    assert_eq!(out.code(), Some(3), "{}", out.stderr);
    assert!(
        out.stderr
            .starts_with(&format!("error: {}: device busy", a.device)),
        "{}",
        out.stderr
    );
    drop(rx);
}

#[test]
fn a_silent_device_exits_4() {
    // A PTY nobody answers on: python keeps the master open.
    let mut holder = match Command::new("python3")
        .args([
            "-c",
            "import os,sys,time\nm,s=os.openpty()\nprint(os.ttyname(s),flush=True)\ntime.sleep(60)",
        ])
        .stdout(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("skipped: no python3 ({e})");
            return;
        }
    };
    let stdout = holder.stdout.take().expect("stdout piped");
    let _holder = Guard(holder);
    let mut path = String::new();
    BufReader::new(stdout)
        .read_line(&mut path)
        .expect("pty path");
    let path = path.trim();
    let out = run(&["status", "--device", path], 30);
    assert_eq!(out.code(), Some(4), "{}", out.stderr);
    assert!(
        out.stderr
            .starts_with(&format!("error: {path}: the modem does not answer")),
        "{}",
        out.stderr
    );
}

// ---------------------------------------------------------------------------------
// usage and device errors

#[test]
fn bad_flags_exit_2() {
    for args in [
        &["pub", "--bogus"][..],
        &["pub", "-t", "t"][..],
        &["pub", "-t", "t", "-m", "a", "-f", "file"][..],
        &["sub", "-t", "t", "-q", "3"][..],
        &["sub"][..],
        &["decode"][..],
        &["nosuchcommand"][..],
    ] {
        let out = run(args, 10);
        assert_eq!(out.code(), Some(2), "{args:?}: {}", out.stderr);
        assert!(
            out.stderr.starts_with("error: "),
            "{args:?}: {}",
            out.stderr
        );
    }
}

#[test]
fn a_missing_device_exits_3_naming_the_path() {
    for sub in [
        &["pub", "-t", "t", "-m", "m"][..],
        &["sub", "-t", "t"][..],
        &["status"][..],
        &["at"][..],
    ] {
        let mut args = sub.to_vec();
        args.extend_from_slice(&["--device", "/dev/ttyUSB9"]);
        let out = run(&args, 10);
        assert_eq!(out.code(), Some(3), "{args:?}: {}", out.stderr);
        assert_eq!(out.stderr, "error: /dev/ttyUSB9: no such device\n");
    }
    // The environment provides the default device.
    let out = finish(
        ml302(&["status"])
            .env("ML302_DEVICE", "/dev/ttyUSB8")
            .spawn()
            .expect("spawn"),
        Duration::from_secs(10),
    );
    assert_eq!(out.code(), Some(3));
    assert_eq!(out.stderr, "error: /dev/ttyUSB8: no such device\n");
    // No device at all.
    let out = run(&["pub", "-t", "t", "-m", "m"], 10);
    assert_eq!(out.code(), Some(3));
    assert!(out
        .stderr
        .starts_with("error: no device: pass --device or set ML302_DEVICE"));
}

// ---------------------------------------------------------------------------------
// decode

/// `ml302 decode --count` on benchmark stream `mix` (1 MiB, made by
/// `ml302-testkit`), from a file and from standard input: the same line as the
/// `make-stream` generator prints.
fn decode_count_matches(mix: &str) {
    let (data, counts) = make_stream(mix.parse().expect("mix"), 1 << 20);
    let want = format!("{}\n", counts.to_json());
    let dir = scratch(&format!("decode-{mix}"));
    let file = dir.join(format!("{mix}.bin"));
    std::fs::write(&file, &data).expect("write stream");

    let path = file.to_string_lossy().into_owned();
    let out = run(&["decode", "--count", &path], 60);
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    assert_eq!(out.stdout(), want);

    // The same from standard input.
    let child = ml302(&["decode", "--count", "-"])
        .stdin(std::fs::File::open(&file).expect("open"))
        .spawn()
        .expect("spawn decode");
    let out = finish(child, Duration::from_secs(60));
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    assert_eq!(out.stdout(), want);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn decode_count_matches_make_stream_mix_a() {
    decode_count_matches("a");
}

#[test]
fn decode_count_matches_make_stream_mix_b() {
    decode_count_matches("b");
}

#[test]
fn decode_prints_one_json_object_per_frame() {
    let dir = scratch("decode-frames");
    let file = dir.join("capture.bin");
    std::fs::write(
        &file,
        b"\r\n+MQTTPUBLISH: 0,1,0,7,\"t\",4,a\r\nb\r\n\r\n+MQTTPUBACK:0,3\r\n\r\nOK\r\n\r\n+CME ERROR: 614\r\n+MQTTPINGRSP: OK\r\n",
    )
    .expect("write");
    let path = file.to_string_lossy().into_owned();
    let out = run(&["decode", &path], 10);
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    let stdout = out.stdout();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        [
            r#"{"frame":"publish","topic":"t","len":4,"qos":1,"dup":false,"retained":false,"packet_id":7,"payload":"a\r\nb","payload_encoding":"utf-8","payload_hex":"610d0a62"}"#,
            r#"{"frame":"line","text":"+MQTTPUBACK:0,3","kind":"puback","urc":false}"#,
            r#"{"frame":"ok"}"#,
            r#"{"frame":"cme_error","code":614,"meaning":"the broker rejected the user name or password","unsolicited":false}"#,
            r#"{"frame":"line","text":"+MQTTPINGRSP: OK","kind":"ping_resp","urc":true}"#,
        ]
    );
    let _ = std::fs::remove_dir_all(dir);
}

// ---------------------------------------------------------------------------------
// mosquitto parity: each option, as the AT log (-d) shows it reached the modem

/// Runs `ml302 -d pub --device DEV ARGS` and returns its AT log (stderr).
fn pub_log(device: &str, args: &[&str], stdin: Option<&[u8]>) -> String {
    let mut full = vec!["-d", "pub", "--device", device];
    full.extend_from_slice(args);
    let mut cmd = ml302(&full);
    if stdin.is_some() {
        cmd.stdin(Stdio::piped());
    }
    let mut child = cmd.spawn().expect("spawn pub");
    if let Some(bytes) = stdin {
        let mut input = child.stdin.take().expect("stdin piped");
        input.write_all(bytes).expect("write stdin");
    }
    let out = finish(child, Duration::from_secs(30));
    assert_eq!(out.code(), Some(0), "{args:?}: {}", out.stderr);
    out.stderr
}

/// One option: its name, the arguments, standard input, what the AT log must hold.
type Case<'a> = (&'a str, Vec<&'a str>, Option<&'a [u8]>, Vec<&'a str>);

#[test]
fn each_pub_option_reaches_the_modem_with_mosquittos_meaning() {
    let a = sim(&[]);
    let dir = scratch("pubopts");
    let file = dir.join("m.dat");
    std::fs::write(&file, b"f\x00\xff").expect("write");
    let file = file.to_string_lossy().into_owned();
    // (option, arguments, standard input, what the AT log must hold)
    let cases: Vec<Case<'_>> = vec![
        (
            "-h",
            vec!["-h", "broker.example", "-t", "t", "-m", "x"],
            None,
            vec![r#"> AT+MQTTCFG="broker.example",1883,"#],
        ),
        (
            "--host",
            vec!["--host", "b2.example", "-t", "t", "-m", "x"],
            None,
            vec![r#"> AT+MQTTCFG="b2.example",1883,"#],
        ),
        (
            "-p",
            vec!["-p", "1884", "-t", "t", "-m", "x"],
            None,
            vec![r#"> AT+MQTTCFG="localhost",1884,"#],
        ),
        (
            "-t -m",
            vec!["-t", "a/b", "-m", "hello"],
            None,
            vec![r#"> AT+MQTTPUB="a/b",0,0,0,"hello""#],
        ),
        (
            "-f",
            vec!["-t", "t", "-f", &file],
            None,
            vec![
                r#"> AT+MQTTPUB="t",0,0,0,3"#,
                "[3 payload bytes] f\\x00\\xff",
            ],
        ),
        (
            "-s",
            vec!["-t", "t", "-s"],
            Some(b"all\nof it"),
            vec![
                r#"> AT+MQTTPUB="t",0,0,0,9"#,
                "[9 payload bytes] all\\nof it",
            ],
        ),
        (
            "-l",
            vec!["-t", "t", "-l"],
            Some(b"one\ntwo\n"),
            vec![
                r#"> AT+MQTTPUB="t",0,0,0,"one""#,
                r#"> AT+MQTTPUB="t",0,0,0,"two""#,
            ],
        ),
        (
            "-n",
            vec!["-t", "t", "-n"],
            None,
            vec![r#"> AT+MQTTPUB="t",0,0,0,"""#],
        ),
        (
            "-q",
            vec!["-t", "t", "-m", "x", "-q", "2"],
            None,
            vec![r#"> AT+MQTTPUB="t",2,0,0,"x""#, "< +MQTTPUBCOMP:"],
        ),
        (
            "-r",
            vec!["-t", "t", "-m", "x", "-r"],
            None,
            vec![r#"> AT+MQTTPUB="t",0,1,0,"x""#],
        ),
        (
            "-i",
            vec!["-i", "my-id", "-t", "t", "-m", "x"],
            None,
            vec![r#","my-id",60,"#],
        ),
        (
            "-I",
            vec!["-I", "pfx-", "-t", "t", "-m", "x"],
            None,
            vec![r#","pfx-"#],
        ),
        (
            "-u -P",
            vec!["-u", "bob", "-P", "s3cret", "-t", "t", "-m", "x"],
            None,
            vec![r#","bob","***",1,"#],
        ),
        (
            "-k",
            vec!["-k", "30", "-t", "t", "-m", "x"],
            None,
            vec![r#"",30,"#],
        ),
        (
            "-c",
            vec!["-c", "-i", "keep", "-t", "t", "-m", "x"],
            None,
            vec![r#","keep",60,"","***",0,"",0"#],
        ),
        (
            "-L",
            vec!["-L", "mqtt://ann:pw@url.example:1999/u/topic", "-m", "x"],
            None,
            vec![
                r#"> AT+MQTTCFG="url.example",1999,"#,
                r#","ann","***",1,"#,
                r#"> AT+MQTTPUB="u/topic",0,0,0,"x""#,
            ],
        ),
        (
            "-V mqttv311",
            vec!["-V", "mqttv311", "-t", "t", "-m", "x"],
            None,
            vec![r#"> AT+MQTTPUB="t",0,0,0,"x""#],
        ),
        (
            "--will-*",
            vec![
                "-t",
                "t",
                "-m",
                "x",
                "--will-topic",
                "w/t",
                "--will-payload",
                "bye",
                "--will-qos",
                "1",
                "--will-retain",
            ],
            None,
            vec![r#"> AT+MQTTOPEN=0,0,1,1,1,"w/t","bye""#],
        ),
    ];
    for (option, args, stdin, wanted) in &cases {
        let log = pub_log(&a.device, args, *stdin);
        for w in wanted {
            assert!(log.contains(w), "{option}: wanted {w:?} in\n{log}");
        }
        assert!(!log.contains("s3cret"), "{option}: password shown\n{log}");
    }
    // -d itself: without it there is no AT log.
    let out = run(&["pub", "--device", &a.device, "-t", "t", "-m", "x"], 30);
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    assert!(!out.stderr.contains("AT+MQTT"), "{}", out.stderr);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn pub_repeat_publishes_count_times() {
    let a = sim(&[]);
    let log = pub_log(&a.device, &["-t", "t", "-m", "x", "--repeat", "3"], None);
    assert_eq!(
        log.matches(r#"> AT+MQTTPUB="t",0,0,0,"x""#).count(),
        3,
        "{log}"
    );
    let log = pub_log(
        &a.device,
        &[
            "-t",
            "t",
            "-m",
            "y",
            "--repeat",
            "2",
            "--repeat-delay",
            "0.1",
        ],
        None,
    );
    assert_eq!(
        log.matches(r#"> AT+MQTTPUB="t",0,0,0,"y""#).count(),
        2,
        "{log}"
    );
}

#[test]
fn host_and_port_reach_the_broker_they_name() {
    // The second simulator honours the host and port AT+MQTTCFG names: only the
    // first one's broker address makes the message arrive.
    let a = sim(&[]);
    let b = sim(&["--honour-host"]);
    let (host, port) = a.broker.rsplit_once(':').expect("host:port");
    let (child, rx) = start_sub(
        &[
            "sub", "--device", &a.device, "-t", "hp/#", "-v", "-C", "2", "-W", "30",
        ],
        1,
    );
    let out = run(
        &[
            "pub",
            "--device",
            &b.device,
            "-h",
            host,
            "-p",
            port,
            "-t",
            "hp/a",
            "-m",
            "via -h -p",
        ],
        30,
    );
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    let url = format!("mqtt://{host}:{port}/hp/b");
    let out = run(
        &["pub", "--device", &b.device, "-L", &url, "-m", "via -L"],
        30,
    );
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    let got = finish_sub(child, rx, 30);
    assert_eq!(got.code(), Some(0), "{}", got.stderr);
    assert_eq!(got.stdout(), "hp/a via -h -p\nhp/b via -L\n");
}

#[test]
fn sub_options_filter_and_format_messages() {
    let (a, b) = two_sims();
    // A retained message, there before the subscriber: -R skips it.
    let out = run(
        &[
            "pub", "--device", &b.device, "-t", "f/old", "-m", "stale", "-r",
        ],
        30,
    );
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    let (child, rx) = start_sub(
        &[
            "sub",
            "--device",
            &a.device,
            "-t",
            "f/#",
            "-q",
            "1",
            "-R",
            "-T",
            "f/skip/#",
            "-T",
            "f/+/x",
            "-F",
            "%t|%p|%q|%r|%l|%x|%X|@@|\\t%%",
            "-C",
            "2",
            "-W",
            "30",
        ],
        1,
    );
    for (topic, msg) in [
        ("f/skip/a", "no"),
        ("f/a/x", "no"),
        ("f/a", "Hi"),
        ("f/b", "\u{ff}"),
    ] {
        let out = run(
            &[
                "pub", "--device", &b.device, "-t", topic, "-m", msg, "-q", "1",
            ],
            30,
        );
        assert_eq!(out.code(), Some(0), "{}", out.stderr);
    }
    let got = finish_sub(child, rx, 30);
    assert_eq!(got.code(), Some(0), "{}", got.stderr);
    assert_eq!(
        got.stdout(),
        "f/a|Hi|1|0|2|4869|4869|@|\t%\nf/b|\u{ff}|1|0|2|c3bf|C3BF|@|\t%\n"
    );
}

#[test]
fn sub_url_no_eol_and_clean_session_off() {
    let (a, b) = two_sims();
    let (host, port) = a.broker.rsplit_once(':').expect("host:port");
    let url = format!("mqtt://{host}:{port}/n/1");
    let (child, rx) = start_sub(
        &[
            "-d", "sub", "--device", &a.device, "-L", &url, "-t", "n/2", "-N", "-c", "-i",
            "persist", "-C", "2", "-W", "30",
        ],
        2,
    );
    for topic in ["n/1", "n/2"] {
        let out = run(
            &["pub", "--device", &b.device, "-t", topic, "-m", topic],
            30,
        );
        assert_eq!(out.code(), Some(0), "{}", out.stderr);
    }
    let got = finish_sub(child, rx, 30);
    assert_eq!(got.code(), Some(0), "{}", got.stderr);
    assert_eq!(got.stdout(), "n/1n/2");
    // With -c the broker keeps the session: no unsubscribe on the way out.
    assert!(!got.stderr.contains("AT+MQTTUNSUB"), "{}", got.stderr);
    assert!(got.stderr.contains("> AT+MQTTDISC"), "{}", got.stderr);
}

#[test]
fn options_the_modem_cannot_honour_are_refused_with_the_reason() {
    for (args, reason) in [
        (&["pub", "-t", "t", "-m", "x", "-A", "10.0.0.1"][..], "-A: "),
        (&["sub", "-t", "t", "--unix", "broker.sock"][..], "--unix: "),
        (&["sub", "-t", "t", "--nodelay"][..], "--nodelay: "),
        (&["sub", "-t", "t", "-x", "60"][..], "-x: "),
        (&["pub", "-t", "t", "-n", "-V", "mqttv5"][..], "-V: "),
        (
            &[
                "pub",
                "-t",
                "t",
                "-n",
                "-D",
                "publish",
                "user-property",
                "a",
            ][..],
            "-D: ",
        ),
        (
            &["sub", "-t", "t", "--proxy", "socks5h://p"][..],
            "--proxy: ",
        ),
        (&["sub", "-L", "mqtts://h/t"][..], "mqtts:// needs TLS"),
        (&["sub", "-L", "http://h/t"][..], "must start with mqtt://"),
        (&["sub", "-L", "mqtt://h"][..], "no topic"),
        (
            &["sub", "-t", "t", "-c"][..],
            "-c (clean session off) needs a client id",
        ),
        (
            &["pub", "-t", "t", "-n", "-P", "pw"][..],
            "a password (-P) needs a user name (-u)",
        ),
    ] {
        let out = run(args, 10);
        assert_eq!(out.code(), Some(2), "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains(reason), "{args:?}: {}", out.stderr);
    }
    // clap's own refusals: -h takes a host now, --help is help.
    let out = run(&["pub", "-h"], 10);
    assert_eq!(out.code(), Some(2), "{}", out.stderr);
    for cmd in ["pub", "sub"] {
        let out = run(&[cmd, "--help"], 10);
        assert_eq!(out.code(), Some(0), "{}", out.stderr);
        assert!(
            out.stdout().contains("-h, --host <HOST>"),
            "{}",
            out.stdout()
        );
    }
    for args in [
        &["pub", "-t", "t", "-l", "--repeat", "2"][..],
        &["pub", "-t", "t", "-m", "x", "--repeat-delay", "1"][..],
        &["pub", "-t", "t", "-L", "mqtt://h/t", "-m", "x"][..],
        &["sub", "-t", "t", "-v", "-F", "%t"][..],
        &["sub", "-t", "t", "-i", "a", "-I", "b"][..],
    ] {
        let out = run(args, 10);
        assert_eq!(out.code(), Some(2), "{args:?}: {}", out.stderr);
    }
}

// ---------------------------------------------------------------------------------
// side by side with mosquitto_sub, and the whole payload range, on a mosquitto broker

/// Whether mosquitto can be used; prints the skip line, and fails in CI where it
/// must be installed.
fn mosquitto_available() -> bool {
    let ok = Command::new("mosquitto").arg("-h").output().is_ok()
        && Command::new("mosquitto_sub").arg("--help").output().is_ok()
        && Command::new("mosquitto_pub").arg("--help").output().is_ok();
    if !ok {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("mosquitto and mosquitto-clients must be installed in CI");
        }
        println!("SKIPPED: mosquitto not installed");
    }
    ok
}

/// A mosquitto broker on 127.0.0.1, stopped when dropped.
struct Mosquitto {
    _guard: Guard,
    port: String,
    dir: PathBuf,
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn mosquitto(name: &str) -> Mosquitto {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let dir = scratch(&format!("mosq-{name}"));
    let conf = dir.join("mosquitto.conf");
    std::fs::write(
        &conf,
        format!("listener {port} 127.0.0.1\nallow_anonymous true\nlog_dest none\n"),
    )
    .expect("write conf");
    let child = Command::new("mosquitto")
        .arg("-c")
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("mosquitto starts");
    let guard = Guard(child);
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "mosquitto did not listen"
        );
        thread::sleep(Duration::from_millis(20));
    }
    Mosquitto {
        _guard: guard,
        port: port.to_string(),
        dir,
    }
}

/// `mosquitto_pub` on `m`, retained at QoS 1, the payload from a file.
fn mosquitto_pub_retained(m: &Mosquitto, topic: &str, payload: &[u8]) {
    let file = m.dir.join("payload");
    std::fs::write(&file, payload).expect("write payload");
    let st = Command::new("mosquitto_pub")
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &m.port,
            "-t",
            topic,
            "-q",
            "1",
            "-r",
            "-f",
        ])
        .arg(&file)
        .status()
        .expect("mosquitto_pub runs");
    assert!(st.success(), "mosquitto_pub {topic}");
}

/// `mosquitto_sub ARGS` on `m` to completion: its standard output.
fn mosquitto_sub(m: &Mosquitto, args: &[&str]) -> Vec<u8> {
    let child = Command::new("mosquitto_sub")
        .args(["-h", "127.0.0.1", "-p", &m.port])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("mosquitto_sub runs");
    let out = finish(child, Duration::from_secs(30));
    assert_eq!(
        out.code(),
        Some(0),
        "mosquitto_sub {args:?}: {}",
        out.stderr
    );
    out.stdout
}

#[test]
fn sub_prints_what_mosquitto_sub_prints_for_v_f_and_n() {
    if !mosquitto_available() {
        return;
    }
    let m = mosquitto("side");
    // Retained messages reach both subscribers whenever they subscribe.
    mosquitto_pub_retained(&m, "x/a", b"hello world");
    mosquitto_pub_retained(&m, "x/b", b"bin\r\n\x00\xfe\xff\"q\", 50%");
    mosquitto_pub_retained(&m, "x/c/d", b"third");
    let s = sim(&["--broker", &format!("127.0.0.1:{}", m.port)]);
    for mode in [
        &["-v"][..],
        &["-F", "%t|%p|%q|%r|%l|%x|%X|%%|@@|\\t"][..],
        &["-N"][..],
        &["-v", "-N"][..],
        &["-F", "%t %l", "-N"][..],
    ] {
        let mut args = vec!["-t", "x/#", "-C", "3", "-W", "20"];
        args.extend_from_slice(mode);
        let theirs = mosquitto_sub(&m, &args);
        let mut ours_args = vec!["sub", "--device", &s.device];
        ours_args.extend_from_slice(&args);
        let ours = run(&ours_args, 30);
        assert_eq!(ours.code(), Some(0), "{mode:?}: {}", ours.stderr);
        assert!(!theirs.is_empty(), "{mode:?}");
        assert_eq!(
            String::from_utf8_lossy(&ours.stdout),
            String::from_utf8_lossy(&theirs),
            "{mode:?}"
        );
        assert_eq!(ours.stdout, theirs, "{mode:?}");
    }
}

#[test]
fn the_largest_message_the_module_takes_arrives_byte_exact_and_one_more_is_refused() {
    if !mosquitto_available() {
        return;
    }
    let m = mosquitto("cap");
    let s = sim(&["--broker", &format!("127.0.0.1:{}", m.port)]);
    let topic = "big/t";
    let cap = 2048 - 7 - topic.len();
    let payload: Vec<u8> = (0..cap).map(|i| (i * 7 + 3) as u8).collect();
    let file = m.dir.join("big.dat");
    std::fs::write(&file, &payload).expect("write");
    let file = file.to_string_lossy().into_owned();
    let out = run(
        &[
            "pub", "--device", &s.device, "-t", topic, "-f", &file, "-q", "1", "-r",
        ],
        30,
    );
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    // mosquitto_sub, an independent subscriber, gets the retained message.
    let got = mosquitto_sub(&m, &["-t", topic, "-C", "1", "-W", "20", "-F", "%l %x"]);
    let hex: String = payload.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(String::from_utf8_lossy(&got), format!("{cap} {hex}\n"));

    let over = m.dir.join("over.dat");
    std::fs::write(&over, vec![b'x'; cap + 1]).expect("write");
    let over = over.to_string_lossy().into_owned();
    let out = run(
        &["pub", "--device", &s.device, "-t", topic, "-f", &over],
        30,
    );
    assert_eq!(out.code(), Some(2), "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "error: the message is {} bytes; the module takes at most {cap} on topic {topic}",
            cap + 1
        )),
        "{}",
        out.stderr
    );
    // The same through -l, where each line is checked as it comes.
    let mut line = vec![b'y'; cap + 1];
    line.push(b'\n');
    let mut child = ml302(&["pub", "--device", &s.device, "-t", topic, "-l"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("spawn pub");
    child
        .stdin
        .take()
        .expect("stdin piped")
        .write_all(&line)
        .expect("write stdin");
    let out = finish(child, Duration::from_secs(30));
    assert_eq!(out.code(), Some(2), "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!("at most {cap}")),
        "{}",
        out.stderr
    );
}

// ---------------------------------------------------------------------------------
// the network: net, status's network section, pub/sub's bring-up, sim's faults

/// Whether the digits pass the Luhn check (the IMEI's last digit).
fn luhn_ok(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let d2 = d * 2;
                d2 / 10 + d2 % 10
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

/// Runs `ml302 net ARGS --json` and parses the one line it prints.
fn net_json(args: &[&str]) -> (Output, serde_json::Value) {
    let mut full = vec!["net", "--json"];
    full.extend_from_slice(args);
    let out = run(&full, 30);
    let stdout = out.stdout();
    assert_eq!(stdout.lines().count(), 1, "one line: {stdout}");
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("one JSON object");
    assert!(v.is_object(), "{stdout}");
    (out, v)
}

/// The value of `key`, as a string.
fn text<'a>(v: &'a serde_json::Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is not a string: {v}"))
}

#[test]
fn luhn_check_of_the_tests_is_right() {
    assert!(luhn_ok("490154203237518"));
    assert!(!luhn_ok("490154203237519"));
}

#[test]
fn net_brings_the_simulator_up_and_prints_what_it_found() {
    let out = run(&["net"], 30);
    let stdout = out.stdout();
    assert_eq!(out.code(), Some(0), "{stdout}\n{}", out.stderr);
    assert!(
        out.stderr.contains("no --device: a simulated ML302 on "),
        "{}",
        out.stderr
    );
    let field = |label: &str| -> String {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{label}:")))
            .unwrap_or_else(|| panic!("no {label}: in\n{stdout}"))
            .trim()
            .to_owned()
    };
    assert!(field("device").ends_with("(simulated)"), "{stdout}");
    assert_eq!(field("network"), "up");
    let imei = field("IMEI");
    assert!(imei.len() == 15 && luhn_ok(&imei), "{imei}");
    assert!(field("ICCID").starts_with("8986"), "{stdout}");
    assert!(field("IMSI").starts_with("460"), "{stdout}");
    assert_eq!(field("registration"), "home");
    assert_eq!(field("signal"), "-51 dBm (rssi 31, ber unknown)");
    assert_eq!(field("PDP context"), "automatic (AT+VERCTRL)");
    let ip: std::net::Ipv4Addr = field("IP address").parse().expect("an IPv4 address");
    assert!(!ip.is_unspecified());
}

#[test]
fn net_json_has_the_keys_with_valid_values() {
    let s = sim(&["--registration", "roaming", "--signal", "20,3"]);
    let (out, v) = net_json(&["--device", &s.device]);
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    assert_eq!(v["up"], true);
    assert_eq!(text(&v, "device"), s.device);
    assert_eq!(v["simulated"], false);
    let imei = text(&v, "imei");
    assert!(
        imei.len() == 15 && imei.bytes().all(|b| b.is_ascii_digit()) && luhn_ok(imei),
        "{imei}"
    );
    let iccid = text(&v, "iccid");
    assert!(
        iccid.starts_with("8986") && (19..=20).contains(&iccid.len()),
        "{iccid}"
    );
    let imsi = text(&v, "imsi");
    assert!(imsi.starts_with("460") && imsi.len() == 15, "{imsi}");
    assert_eq!(text(&v, "registration"), "roaming");
    // rssi 20: -113 + 2 × 20 dBm.
    assert_eq!(v["rssi"], 20);
    assert_eq!(v["rssi_dbm"], -73);
    assert_eq!(v["ber"], 3);
    assert_eq!(text(&v, "pdp"), "automatic");
    assert!(v["apn"].is_null());
    let ip: std::net::Ipv4Addr = text(&v, "ip").parse().expect("an IPv4 address");
    assert!(!ip.is_unspecified());
}

#[test]
fn net_apn_brings_up_a_manual_pdp_context() {
    let s = sim(&["--manual-pdp"]);
    // Without an APN the module in manual mode cannot come up: exit 5.
    let (out, v) = net_json(&["--device", &s.device]);
    assert_eq!(out.code(), Some(5), "{}", out.stderr);
    assert_eq!(text(&v, "cause"), "apn_required");
    assert!(
        out.stderr.contains("give the APN with --apn"),
        "{}",
        out.stderr
    );
    // With one it defines, attaches and activates the context.
    let out = run(
        &[
            "-d", "net", "--json", "--device", &s.device, "--apn", "CMNET",
        ],
        30,
    );
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    for line in [
        "> AT+VERCTRL=0,0\n",
        "> AT+CGDCONT=1,\"IP\",\"CMNET\"\n",
        "> AT+CGATT=1\n",
        "> AT+CGACT=1,1\n",
    ] {
        assert!(out.stderr.contains(line), "{line}: {}", out.stderr);
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(text(&v, "pdp"), "manual");
    assert_eq!(text(&v, "apn"), "CMNET");
    let ip: std::net::Ipv4Addr = text(&v, "ip").parse().expect("an IPv4 address");
    assert!(!ip.is_unspecified());
    // An APN that would end the command line is refused before the modem.
    let out = run(&["net", "--device", &s.device, "--apn", "a\",\"b"], 10);
    assert_eq!(out.code(), Some(2), "{}", out.stderr);
}

#[test]
fn net_failures_exit_5_or_6_with_the_cause() {
    // No SIM: 5, at once, in text and in JSON.
    let s = sim(&["--sim", "absent"]);
    let out = run(&["net", "--device", &s.device], 20);
    assert_eq!(out.code(), Some(5), "{}", out.stderr);
    assert_eq!(
        out.stderr.trim_end(),
        format!(
            "error: {}: network bring-up failed at Sim: no SIM; insert a SIM card",
            s.device
        )
    );
    assert!(out.stdout.is_empty());
    let (out, v) = net_json(&["--device", &s.device]);
    assert_eq!(out.code(), Some(5));
    assert_eq!(v["up"], false);
    assert_eq!(v["exit_code"], 5);
    assert_eq!(text(&v, "step"), "sim");
    assert_eq!(text(&v, "cause"), "no_sim");
    assert_eq!(v["retry"], false);
    assert!(text(&v, "error").contains("no SIM"), "{v}");
    // A PIN, a denied registration: 5.
    let s = sim(&["--sim", "pin:1234"]);
    let (out, v) = net_json(&["--device", &s.device]);
    assert_eq!(out.code(), Some(5), "{}", out.stderr);
    assert_eq!(text(&v, "cause"), "pin_required");
    let s = sim(&["--registration", "denied"]);
    let (out, v) = net_json(&["--device", &s.device]);
    assert_eq!(out.code(), Some(5), "{}", out.stderr);
    assert_eq!(text(&v, "step"), "registration");
    assert_eq!(text(&v, "cause"), "registration_denied");
    // A network that keeps searching: 6 once --timeout runs out.
    let s = sim(&["--registration", "searching"]);
    let (out, v) = net_json(&["--device", &s.device, "--timeout", "0.5"]);
    assert_eq!(out.code(), Some(6), "{}", out.stderr);
    assert_eq!(text(&v, "step"), "registration");
    assert_eq!(v["retry"], true);
    // No device at all: 3, still one JSON object.
    let (out, v) = net_json(&["--device", "/dev/ttyUSB9"]);
    assert_eq!(out.code(), Some(3), "{}", out.stderr);
    assert_eq!(v["exit_code"], 3);
    assert!(v["step"].is_null());
}

/// The `label: value` lines of `ml302 status`'s network section.
fn status_network(device: &str) -> Vec<(String, String)> {
    let out = run(&["status", "--device", device], 30);
    let stdout = out.stdout();
    assert_eq!(out.code(), Some(0), "{stdout}\n{}", out.stderr);
    let section = stdout
        .split_once("\nnetwork:\n")
        .unwrap_or_else(|| panic!("no network section:\n{stdout}"))
        .1;
    section
        .lines()
        .filter_map(|l| l.strip_prefix("  ")?.split_once(':'))
        .map(|(k, v)| (k.to_owned(), v.trim().to_owned()))
        .collect()
}

/// The value of `label` in a network section.
fn item<'a>(section: &'a [(String, String)], label: &str) -> &'a str {
    section
        .iter()
        .find(|(k, _)| k == label)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {label} in {section:?}"))
}

#[test]
fn status_shows_the_network_section() {
    let s = sim(&["--signal", "10,0"]);
    let net = status_network(&s.device);
    assert_eq!(item(&net, "state"), "up");
    assert_eq!(item(&net, "registration"), "home (AT+CEREG?)");
    assert_eq!(item(&net, "signal"), "-93 dBm (rssi 10, ber 0) (AT+CSQ)");
    assert_eq!(item(&net, "PDP context"), "active (AT+CGACT?)");
    let address = item(&net, "address");
    let ip = address.strip_suffix(" (AT+CGPADDR=1)").expect("address");
    assert!(ip.parse::<std::net::Ipv4Addr>().is_ok(), "{address}");
    // status only queries: no bring-up, no MQTT start-up.
    let out = run(&["-d", "status", "--device", &s.device], 30);
    assert!(!out.stderr.contains("> AT+CFUN"), "{}", out.stderr);
    assert!(!out.stderr.contains("> ATE0"), "{}", out.stderr);
}

#[test]
fn pub_and_sub_bring_the_network_up_unless_no_bring_up() {
    let a = sim(&[]);
    let log = pub_log(&a.device, &["-t", "t", "-m", "x"], None);
    let cpin = log.find("> AT+CPIN?\n").expect("bring-up");
    let addr = log.find("> AT+CGPADDR=1\n").expect("address");
    let cfg = log.find("> AT+MQTTCFG=").expect("MQTT configuration");
    assert!(cpin < addr && addr < cfg, "{log}");
    let log = pub_log(&a.device, &["-t", "t", "-m", "x", "--no-bring-up"], None);
    assert!(!log.contains("> AT+CPIN?"), "{log}");
    assert!(!log.contains("> AT+CEREG?"), "{log}");
    assert!(log.contains("> AT+MQTTCFG="), "{log}");
    assert!(log.contains("> AT+MQTTPUB="), "{log}");
    // Without --no-bring-up a module without SIM stops pub before MQTT: 5.
    let b = sim(&["--sim", "absent"]);
    let out = run(
        &["-d", "pub", "--device", &b.device, "-t", "t", "-m", "x"],
        20,
    );
    assert_eq!(out.code(), Some(5), "{}", out.stderr);
    assert!(!out.stderr.contains("> AT+MQTT"), "{}", out.stderr);
    // sub the same way.
    let out = run(
        &["-d", "sub", "--device", &b.device, "-t", "t", "-W", "1"],
        20,
    );
    assert_eq!(out.code(), Some(5), "{}", out.stderr);
    assert!(out.stderr.contains("no SIM"), "{}", out.stderr);
    let out = run(
        &[
            "-d",
            "sub",
            "--device",
            &a.device,
            "-t",
            "t",
            "--no-bring-up",
            "-W",
            "1",
        ],
        20,
    );
    assert_eq!(out.code(), Some(27), "{}", out.stderr);
    assert!(!out.stderr.contains("> AT+CPIN?"), "{}", out.stderr);
    assert!(out.stderr.contains("> AT+MQTTSUB="), "{}", out.stderr);
}

#[test]
fn sim_fault_at_injects_faults_on_schedule() {
    let s = sim(&["--fault-at", "0:sim-removed"]);
    let (out, v) = net_json(&["--device", &s.device]);
    assert_eq!(out.code(), Some(5), "{}", out.stderr);
    assert_eq!(text(&v, "cause"), "no_sim");
    let s = sim(&["--fault-at", "0:registration-lost:600"]);
    let net = status_network(&s.device);
    assert_eq!(item(&net, "state"), "down");
    assert_eq!(item(&net, "registration"), "searching (AT+CEREG?)");
    let s = sim(&["--fault-at", "0:pdp-deactivated"]);
    let net = status_network(&s.device);
    assert_eq!(item(&net, "registration"), "home (AT+CEREG?)");
    assert_eq!(item(&net, "PDP context"), "inactive (AT+CGACT?)");
    // A bad schedule is a usage error.
    let out = run(&["sim", "--fault-at", "soon:reboot"], 10);
    assert_eq!(out.code(), Some(2), "{}", out.stderr);
}

#[test]
fn sim_faults_from_stdin_hit_the_running_module() {
    let mut s = sim_with_stdin(&[]);
    assert_eq!(item(&status_network(&s.device), "state"), "up");
    s.inject("pdp-deactivated");
    let net = status_network(&s.device);
    assert_eq!(item(&net, "PDP context"), "inactive (AT+CGACT?)");
    assert_eq!(item(&net, "address"), "none (AT+CGPADDR=1)");
    s.inject("registration-lost:600");
    assert_eq!(
        item(&status_network(&s.device), "registration"),
        "searching (AT+CEREG?)"
    );
    s.inject("sim-removed");
    let (out, v) = net_json(&["--device", &s.device]);
    assert_eq!(out.code(), Some(5), "{}", out.stderr);
    assert_eq!(text(&v, "cause"), "no_sim");
    // A reboot finds the SIM again and the network comes back.
    s.inject("reboot");
    let (out, v) = net_json(&["--device", &s.device]);
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    assert_eq!(text(&v, "registration"), "home");
}

#[test]
fn sim_boot_time_keeps_a_rebooted_module_silent() {
    // The MQTT configuration is lost with a reboot; while the module boots it
    // answers nothing, so status gives up with 4.
    let mut s = sim_with_stdin(&["--boot-time", "600"]);
    let out = run(&["pub", "--device", &s.device, "-t", "t", "-m", "x"], 20);
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    s.inject("reboot");
    let out = run(&["status", "--device", &s.device], 30);
    assert_eq!(out.code(), Some(4), "{}", out.stderr);
}

#[test]
fn demo_apn_brings_up_a_manual_context_first() {
    let out = run(&["demo", "--apn", "CMNET"], 60);
    let stdout = out.stdout();
    assert_eq!(out.code(), Some(0), "{stdout}\n{}", out.stderr);
    assert!(
        stdout.contains("-- step 1/12: network bring-up: SIM, radio, registration, manual PDP context on APN CMNET, address"),
        "{stdout}"
    );
    let define = stdout
        .find("] > AT+CGDCONT=1,\"IP\",\"CMNET\"\n")
        .expect("the context is defined");
    let activate = stdout.find("] > AT+CGACT=1,1\n").expect("and activated");
    let open = stdout.find("] > AT+MQTTOPEN=").expect("before MQTT");
    assert!(define < activate && activate < open, "{stdout}");
    assert!(stdout.contains("summary: 12 of 12 steps ok"), "{stdout}");
}
