//! `ml302 demo`: the whole life of an MQTT session, through a real serial path,
//! with a timed transcript of the AT exchange.
//!
//! The session starts with the network bring-up (SIM, registration, PDP
//! context, address), then runs the MQTT life.
//!
//! Without `--device` it starts the simulator on a new PTY with its in-process
//! broker (which accepts the demo's user name and password only), opens the PTY
//! with the serial adapter, and drives it with the blocking client. With
//! `--device` it does the same against a real modem and the broker named by
//! `--host`/`--port`.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use clap::Args;
use ml302::{Incoming, QoS, Will};
use ml302_sim::{SimConfig, Simulator, Transport};

use crate::error::{CliError, CliResult};
use crate::modem::Modem;
use crate::net::{registration_name, signal_text};
use crate::opts::{Broker, DEFAULT_BAUD};
use crate::status::{network_report, print_network, print_report, state_report};
use crate::tap::{shown, Sink};

/// Arguments of `ml302 demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Run against the modem on this serial device instead of the simulator
    /// (`ML302_DEVICE` is deliberately not read: plain `ml302 demo` always uses
    /// the simulator).
    #[arg(long, value_name = "PATH")]
    pub device: Option<String>,

    /// Baud rate of the device.
    #[arg(long, value_name = "N", env = "ML302_BAUD", default_value_t = DEFAULT_BAUD)]
    pub baud: u32,

    /// Broker host the modem should reach (required with --device).
    #[arg(long, value_name = "HOST")]
    pub host: Option<String>,

    /// Broker TCP port.
    #[arg(short = 'p', long, value_name = "PORT", default_value_t = 1883,
          value_parser = clap::value_parser!(u16).range(1..))]
    pub port: u16,

    /// User name (an empty one sends no credentials).
    #[arg(
        short = 'u',
        long = "username",
        value_name = "USER",
        default_value = "ml302-demo"
    )]
    pub username: String,

    /// Password (masked in the transcript).
    #[arg(
        short = 'P',
        long = "pw",
        visible_alias = "password",
        value_name = "PASS",
        default_value = "demo-secret",
        hide_default_value = true
    )]
    pub pw: String,

    /// MQTT client id.
    #[arg(
        short = 'i',
        long = "id",
        value_name = "ID",
        default_value = "ml302-demo"
    )]
    pub id: String,

    /// Keep-alive interval in seconds.
    #[arg(short = 'k', long = "keepalive", value_name = "SECS", default_value_t = 60,
          value_parser = clap::value_parser!(u16).range(1..))]
    pub keepalive: u16,

    /// Topic prefix of the demo's messages.
    #[arg(long, value_name = "TOPIC", default_value = "ml302/demo")]
    pub prefix: String,

    /// Bring the network up with a manual PDP context on this APN instead of
    /// the module's automatic one (the simulator is then started in manual PDP
    /// mode too).
    #[arg(long, value_name = "APN", value_parser = crate::net::parse_apn)]
    pub apn: Option<String>,
}

/// The binary payload: CR LF, quotes, a comma, NUL and bytes that are not UTF-8.
pub const BINARY: &[u8] = b"line1\r\nline2 \"quoted\", \x00\x01\xfe\xff";

/// How long the demo waits for its own messages to come back.
const ECHO_WAIT: Duration = Duration::from_secs(5);

/// Runs the steps, printing each with its result and time.
struct Steps {
    start: Instant,
    total: usize,
    done: usize,
    ok: usize,
    failure: Option<CliError>,
}

impl Steps {
    fn new(total: usize, start: Instant) -> Self {
        Self {
            start,
            total,
            done: 0,
            ok: 0,
            failure: None,
        }
    }

    /// Runs one step unless an earlier one failed.
    fn run(&mut self, title: &str, f: impl FnOnce() -> CliResult<String>) {
        self.done += 1;
        if self.failure.is_some() {
            say!("-- step {}/{}: {title}: skipped", self.done, self.total);
            return;
        }
        say!("-- step {}/{}: {title}", self.done, self.total);
        let t = Instant::now();
        let result = f();
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        match result {
            Ok(note) => {
                self.ok += 1;
                if note.is_empty() {
                    say!("   ok ({ms:.1} ms)");
                } else {
                    say!("   ok: {note} ({ms:.1} ms)");
                }
            }
            Err(e) => {
                say!("   FAILED: {e} ({ms:.1} ms)");
                self.failure = Some(e);
            }
        }
    }

    fn failed(&self) -> bool {
        self.failure.is_some()
    }
}

/// Describes a published message.
fn pub_note(p: &ml302::Published, len: usize) -> String {
    let mode = if p.length_mode {
        "length mode"
    } else {
        "inline"
    };
    match p.packet_id {
        Some(id) => format!("{len} bytes, {mode}, packet id {id}"),
        None => format!("{len} bytes, {mode}"),
    }
}

/// Runs `ml302 demo`.
pub fn run(args: &DemoArgs) -> CliResult {
    let start = Instant::now();
    if args.device.is_some() && args.host.is_none() {
        return Err(CliError::usage(
            "demo --device needs --host: the broker the modem should connect to",
        ));
    }
    // The simulator and its broker live until the end of the demo.
    let mut sim: Option<Simulator> = None;
    let path = match &args.device {
        Some(p) => {
            say!(
                "ml302 demo: the modem on {p}, broker {}:{}",
                args.host.as_deref().unwrap_or(""),
                args.port
            );
            p.clone()
        }
        None => {
            let users = [(args.username.as_str(), args.pw.as_str())];
            let cfg = SimConfig::default().auto_pdp(args.apn.is_none());
            let cfg = if args.username.is_empty() {
                cfg
            } else {
                cfg.users(&users)
            };
            let s = Simulator::start(cfg, Transport::Pty)
                .map_err(|e| CliError::failed(format!("cannot start the simulator: {e}")))?;
            let dev = s
                .device_path()
                .map(|p| p.display().to_string())
                .ok_or_else(|| CliError::failed("the simulator has no device path"))?;
            let broker = s
                .broker_addr()
                .map(|a| a.to_string())
                .unwrap_or_else(|| "?".to_owned());
            say!(
                "ml302 demo: simulated ML302 on {dev}, in-process MQTT broker on {broker} (user \"{}\")",
                args.username
            );
            sim = Some(s);
            dev
        }
    };
    say!("timestamps are since the start of the demo; > host to modem, < modem to host");

    let sink: Sink = Box::new(std::io::stdout());
    let mut modem = Modem::open(&path, args.baud, Some(sink), start)?;
    let broker = Broker {
        host: args.host.clone().unwrap_or_else(|| "localhost".to_owned()),
        port: args.port,
        id: args.id.clone(),
        username: Some(args.username.clone()),
        pw: Some(args.pw.clone()),
        keepalive: args.keepalive,
        clean: true,
        tls: None,
    };
    broker.check()?;

    let filter = format!("{}/#", args.prefix);
    let will_topic = format!("{}/status", args.prefix);
    let will = Will {
        topic: &will_topic,
        message: "offline (the demo's link died)",
        qos: QoS::AtLeastOnce,
        retain: false,
    };
    let text_topic = format!("{}/qos0", args.prefix);
    let json_topic = format!("{}/qos1", args.prefix);
    let bin_topic = format!("{}/qos2", args.prefix);
    let sent: Vec<(&str, &[u8], QoS)> = vec![
        (&text_topic, b"hello from the ml302 demo", QoS::AtMostOnce),
        (
            &json_topic,
            br#"{"temp":21.5,"unit":"C"}"#,
            QoS::AtLeastOnce,
        ),
        (&bin_topic, BINARY, QoS::ExactlyOnce),
    ];
    let mut received_ok = 0usize;
    let mut published = 0usize;

    let mut steps = Steps::new(12, start);
    let pdp = match &args.apn {
        Some(apn) => format!("manual PDP context on APN {apn}"),
        None => "automatic PDP context".to_owned(),
    };
    steps.run(
        &format!("network bring-up: SIM, radio, registration, {pdp}, address"),
        || {
            let cfg = crate::net::network_config(args.apn.as_deref(), None);
            let info = modem.bring_up_network(&cfg)?;
            Ok(format!(
                "IMEI {}, ICCID {}, IMSI {}, registered {}, signal {}, address {}",
                info.imei.0,
                info.iccid.0,
                info.imsi.0,
                registration_name(info.registration.status),
                signal_text(info.signal),
                info.address.address
            ))
        },
    );
    steps.run(
        "start-up: AT, echo off, numeric errors, clear a stale client",
        || modem.start().map(|()| String::new()),
    );
    steps.run(
        "configure the broker connection (user name and password)",
        || modem.configure(&broker).map(|()| String::new()),
    );
    steps.run(&format!("connect with a will on {will_topic}"), || {
        modem.connect(Some(&will)).map(|()| String::new())
    });
    steps.run(&format!("subscribe to {filter} at QoS 2"), || {
        let s = modem
            .client
            .subscribe(&filter, QoS::ExactlyOnce)
            .map_err(|e| modem.err(e, "subscribe"))?;
        Ok(format!("QoS {} granted", s.granted.as_u8()))
    });
    for (topic, payload, qos) in &sent {
        let title = format!(
            "publish at QoS {} to {topic}: {}",
            qos.as_u8(),
            shown(payload)
        );
        steps.run(&title, || {
            let p = modem
                .client
                .publish(topic, payload, *qos, false)
                .map_err(|e| modem.err(e, "publish"))?;
            published += 1;
            Ok(pub_note(&p, payload.len()))
        });
    }
    steps.run("receive the three messages back, byte-exact", || {
        let got = receive_back(&mut modem, &sent)?;
        received_ok = got;
        Ok(format!("{got} of {} byte-exact", sent.len()))
    });
    steps.run("show the state", || {
        let items = state_report(&mut modem.client, true);
        let network = network_report(&mut modem.client);
        print_report(&items, "   ");
        print_network(&network, "   ");
        // The state must be readable; a refused query is a failure of the demo.
        for (label, value) in items.iter().chain(&network) {
            if let Err(e) = value {
                return Err(CliError::failed(format!("{label}: {e}")));
            }
        }
        Ok(String::new())
    });
    steps.run(&format!("unsubscribe from {filter}"), || {
        modem
            .client
            .unsubscribe(&filter)
            .map(|id| format!("packet id {id}"))
            .map_err(|e| modem.err(e, "unsubscribe"))
    });
    steps.run("disconnect", || modem.disconnect().map(|()| String::new()));
    if steps.failed() {
        // Leave the modem disconnected whatever happened.
        let _ = modem.client.disconnect();
    }

    let tx = modem.counters.tx.load(Ordering::Relaxed);
    let rx = modem.counters.rx.load(Ordering::Relaxed);
    let total_ms = steps.start.elapsed().as_secs_f64() * 1000.0;
    drop(modem);
    say!(
        "summary: {} of {} steps ok, {} failed; messages sent {}, received {} (byte-exact); {tx} bytes to the modem, {rx} from it; total {total_ms:.1} ms",
        steps.ok,
        steps.total,
        steps.total - steps.ok,
        published,
        received_ok,
    );
    drop(sim);
    match steps.failure {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Waits for the demo's messages to come back and compares them byte for byte.
fn receive_back(modem: &mut Modem, sent: &[(&str, &[u8], QoS)]) -> CliResult<usize> {
    let mut want: BTreeMap<&str, (&[u8], QoS)> =
        sent.iter().map(|(t, p, q)| (*t, (*p, *q))).collect();
    let mut exact = 0usize;
    let deadline = Instant::now() + ECHO_WAIT;
    while !want.is_empty() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            let missing: Vec<&str> = want.keys().copied().collect();
            return Err(CliError::timeout(format!(
                "messages did not come back within {} s: {}",
                ECHO_WAIT.as_secs(),
                missing.join(", ")
            )));
        }
        let wait = u32::try_from(left.as_millis()).unwrap_or(u32::MAX);
        let got = modem
            .client
            .receive(wait)
            .map_err(|e| modem.err(e, "receive"))?;
        match got {
            None => {}
            Some(Incoming::Message(m)) => {
                let Some((payload, qos)) = want.remove(m.topic.as_str()) else {
                    say!("   (other message on {})", m.topic);
                    continue;
                };
                let same = m.payload.as_slice() == payload;
                say!(
                    "   received {} at QoS {} (sent at {}): {} bytes, {}",
                    m.topic,
                    m.qos.as_u8(),
                    qos.as_u8(),
                    m.payload.len(),
                    if same { "byte-exact" } else { "DIFFERENT" }
                );
                if !same {
                    return Err(CliError::failed(format!(
                        "the message on {} came back different: {}",
                        m.topic,
                        shown(&m.payload)
                    )));
                }
                exact += 1;
            }
            Some(Incoming::TooLarge { topic, len }) => {
                return Err(CliError::failed(format!(
                    "the message on {topic} came back too large ({len} bytes)"
                )));
            }
        }
    }
    while let Some(ev) = modem.client.next_event() {
        say!("   event: {ev:?}");
    }
    Ok(exact)
}
