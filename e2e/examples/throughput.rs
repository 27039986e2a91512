//! Messages per second through the real stack (client -> serial adapter -> PTY ->
//! simulator -> in-process broker), next to the bound the line sets.
//!
//! ```text
//! cargo run --release -p ml302-e2e --example throughput -- --pace 115200 --qos 0
//!     [--round-trip MS] [--messages N]
//! ```
//!
//! `--pace BAUD` paces the simulated line both ways (10 bits per byte): the module
//! writes no faster and takes the host's bytes off the line no faster. Without
//! it bytes move at PTY speed and there is no bound. `--round-trip MS` is the
//! broker round trip the simulator holds each ACK for (default
//! [`ml302_sim::LTE_ROUND_TRIP_MS`]); a QoS 1 publish waits one, QoS 2 two.
//!
//! The last line printed is one JSON object: `qos`, `msgs_per_s`,
//! `bound_msgs_per_s` and `ratio` (measured / bound). The bound is one exchange
//! (the bytes of one publish, both directions, as counted on the port) carried
//! at the baud rate, plus, at QoS 1 and 2, the round trips it waits (named by
//! `round_trip_ms` and `round_trips`). A QoS 0 ratio near 1 means the driver adds
//! no waiting of its own between exchanges.

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use ml302::blocking::Client;
use ml302::serial::SerialPort;
use ml302::{MqttConfig, QoS, StdClock};
use ml302_sim::{SimConfig, Simulator, Transport, LTE_ROUND_TRIP_MS};

/// Counts the bytes in each direction.
struct Counting {
    port: SerialPort,
    tx: Rc<Cell<u64>>,
    rx: Rc<Cell<u64>>,
}

impl embedded_io::ErrorType for Counting {
    type Error = <SerialPort as embedded_io::ErrorType>::Error;
}

impl embedded_io::Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        let n = self.port.read(buf)?;
        self.rx.set(self.rx.get() + n as u64);
        Ok(n)
    }
}

impl embedded_io::ReadReady for Counting {
    fn read_ready(&mut self) -> Result<bool, Self::Error> {
        embedded_io::ReadReady::read_ready(&mut self.port)
    }
}

impl embedded_io::Write for Counting {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        let n = self.port.write(buf)?;
        self.tx.set(self.tx.get() + n as u64);
        Ok(n)
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        self.port.flush()
    }
}

/// The command line.
struct Args {
    pace: Option<u32>,
    qos: QoS,
    round_trip_ms: u64,
    messages: Option<u32>,
}

fn usage(why: &str) -> ! {
    eprintln!("error: {why}");
    eprintln!("usage: throughput [--pace BAUD] [--qos 0|1|2] [--round-trip MS] [--messages N]");
    std::process::exit(2);
}

fn parse() -> Args {
    let mut a = Args {
        pace: None,
        qos: QoS::AtMostOnce,
        round_trip_ms: LTE_ROUND_TRIP_MS,
        messages: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it
            .next()
            .unwrap_or_else(|| usage(&format!("{flag} needs a value")));
        let n: u64 = value
            .parse()
            .unwrap_or_else(|_| usage(&format!("{flag} {value}: not a number")));
        match flag.as_str() {
            "--pace" if n > 0 && n <= u64::from(u32::MAX) => a.pace = Some(n as u32),
            "--qos" if n <= 2 => a.qos = QoS::from_u8(n as u8).unwrap_or(QoS::AtMostOnce),
            "--round-trip" => a.round_trip_ms = n,
            "--messages" if n > 0 && n <= u64::from(u32::MAX) => a.messages = Some(n as u32),
            _ => usage(&format!("{flag} {value}: not understood")),
        }
    }
    a
}

/// What one run measured.
struct Measured {
    msgs_per_s: f64,
    up: f64,
    down: f64,
}

fn run(a: &Args, n: u32) -> Measured {
    let cfg = SimConfig::default()
        .pacing_baud(a.pace)
        .broker_round_trip(Duration::from_millis(a.round_trip_ms));
    let sim = Simulator::start(cfg, Transport::Pty).expect("sim");
    let path = sim.device_path().unwrap().to_str().unwrap().to_owned();
    let port = SerialPort::open(&path, a.pace.unwrap_or(115_200)).expect("pty");
    let (tx, rx) = (Rc::new(Cell::new(0)), Rc::new(Cell::new(0)));
    let counting = Counting {
        port,
        tx: tx.clone(),
        rx: rx.clone(),
    };
    let mut c: Client<_, _> = Client::new(counting, StdClock::new());
    c.start().unwrap();
    c.configure(&MqttConfig::new("localhost", 1883, "tput"))
        .unwrap();
    c.connect(None).unwrap();
    let payload = [b'x'; 64];
    // One publish first, so that the timed ones start on an idle line.
    c.publish("tput/x", &payload, a.qos, false).unwrap();
    let (tx0, rx0) = (tx.get(), rx.get());
    let t0 = Instant::now();
    for _ in 0..n {
        c.publish("tput/x", &payload, a.qos, false).unwrap();
    }
    let secs = t0.elapsed().as_secs_f64();
    let _ = c.disconnect();
    drop(sim);
    let per = |now: u64, then: u64| (now - then) as f64 / f64::from(n);
    Measured {
        msgs_per_s: f64::from(n) / secs,
        up: per(tx.get(), tx0),
        down: per(rx.get(), rx0),
    }
}

fn main() {
    let a = parse();
    let qos = a.qos as u8;
    let n = a.messages.unwrap_or(if qos == 0 { 300 } else { 60 });
    let round_trips: u32 = match a.qos {
        QoS::AtMostOnce => 0,
        QoS::AtLeastOnce => 1,
        QoS::ExactlyOnce => 2,
    };
    println!(
        "{n} publishes of 64 bytes to tput/x at QoS {qos}; line {}; broker round trip {} ms",
        a.pace
            .map_or("not paced (PTY speed)".to_owned(), |b| format!(
                "paced both ways at {b} baud"
            )),
        a.round_trip_ms
    );
    let m = run(&a, n);
    println!(
        "measured {:.1} messages/s; {:.1} bytes host -> modem and {:.1} bytes modem -> host per publish",
        m.msgs_per_s, m.up, m.down
    );
    let bound = a.pace.map(|baud| {
        let wire = (m.up + m.down) * 10.0 / f64::from(baud);
        let wait = f64::from(round_trips) * a.round_trip_ms as f64 / 1000.0;
        1.0 / (wire + wait)
    });
    let mut json = format!("{{\"qos\":{qos},\"msgs_per_s\":{:.1}", m.msgs_per_s);
    match bound {
        Some(b) => {
            println!(
                "bound {b:.1} messages/s: one exchange's bytes at the baud rate{}",
                if round_trips > 0 {
                    format!(
                        " plus {round_trips} round trip(s) of {} ms",
                        a.round_trip_ms
                    )
                } else {
                    String::new()
                }
            );
            json += &format!(
                ",\"bound_msgs_per_s\":{b:.1},\"ratio\":{:.3}",
                m.msgs_per_s / b
            );
        }
        None => json += ",\"bound_msgs_per_s\":null,\"ratio\":null",
    }
    if round_trips > 0 {
        json += &format!(
            ",\"round_trip_ms\":{},\"round_trips\":{round_trips}",
            a.round_trip_ms
        );
    }
    json += "}";
    println!("{json}");
}
