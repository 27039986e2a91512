//! Messages per second through the real stack (client -> serial adapter -> PTY ->
//! simulator -> in-process broker) at QoS 0/1/2, with pacing off and at 115200
//! baud, next to the bound set by the bytes on the wire.
//!
//! ```text
//! cargo run --release -p ml302-e2e --example throughput [MESSAGES]
//! ```

use std::cell::Cell;
use std::rc::Rc;
use std::time::Instant;

use ml302::blocking::Client;
use ml302::serial::SerialPort;
use ml302::{MqttConfig, QoS, StdClock};
use ml302_sim::{SimConfig, Simulator, Transport};

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

/// Returns (messages per second, bytes per message host->modem, modem->host).
fn run(baud: Option<u32>, qos: QoS, n: u32) -> (f64, f64, f64) {
    let sim =
        Simulator::start(SimConfig::default().pacing_baud(baud), Transport::Pty).expect("sim");
    let path = sim.device_path().unwrap().to_str().unwrap().to_owned();
    let port = SerialPort::open(&path, baud.unwrap_or(115_200)).expect("pty");
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
    let (tx0, rx0) = (tx.get(), rx.get());
    let t0 = Instant::now();
    for _ in 0..n {
        c.publish("tput/x", &payload, qos, false).unwrap();
    }
    let secs = t0.elapsed().as_secs_f64();
    let per = |now: u64, then: u64| (now - then) as f64 / f64::from(n);
    (f64::from(n) / secs, per(tx.get(), tx0), per(rx.get(), rx0))
}

fn main() {
    let n: u32 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    println!("64-byte payloads, {n} publishes each, topic tput/x");
    println!("The simulator paces its own output (modem -> host); a PTY does not limit the host's writes.");
    println!("| QoS | pacing | messages/s | bytes/msg to modem | bytes/msg from modem | 115200-baud bound, both directions (msg/s) | bound, modem -> host only (msg/s) |");
    println!("|---|---|---|---|---|---|---|");
    for baud in [None, Some(115_200)] {
        for qos in [QoS::AtMostOnce, QoS::AtLeastOnce, QoS::ExactlyOnce] {
            let (rate, up, down) = run(baud, qos, n);
            // The line is full duplex: the busier direction sets the bound.
            let bound = 115_200.0 / 10.0 / up.max(down);
            let down_bound = 115_200.0 / 10.0 / down;
            println!(
                "| {} | {} | {rate:.0} | {up:.0} | {down:.0} | {bound:.0} | {down_bound:.0} |",
                qos as u8,
                baud.map_or("off".to_string(), |b| format!("{b} baud"))
            );
        }
    }
}
