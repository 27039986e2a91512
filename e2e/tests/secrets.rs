//! Secrets stay secret: with every log record captured (feature `log`, level
//! trace) through a whole session, no record, no `Debug` output and nothing the
//! simulator shows carries the password.

use std::sync::Mutex;

use ml302::blocking::Client;
use ml302::{MqttConfig, StdClock};
use ml302_sim::{SimConfig, Simulator};

const PASSWORD: &str = "s3cret-Pa55word";

static RECORDS: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        RECORDS
            .lock()
            .unwrap()
            .push(format!("{} {}", record.target(), record.args()));
    }
    fn flush(&self) {}
}

#[test]
fn the_password_never_appears_in_logs_or_debug_output() {
    log::set_logger(&Capture).unwrap();
    log::set_max_level(log::LevelFilter::Trace);

    let (sim, port) =
        Simulator::in_memory(SimConfig::default().users(&[("alice", PASSWORD)])).unwrap();
    let mut c: Client<_, _> = Client::new(port, StdClock::new());
    c.start().unwrap();
    let cfg = MqttConfig::new("localhost", 1883, "secret-test").with_credentials("alice", PASSWORD);
    c.configure(&cfg).unwrap();
    c.connect(None).unwrap();
    let shown = format!("{:?}", c.reported_config().unwrap());
    c.disconnect().unwrap();
    drop(sim);

    let records = RECORDS.lock().unwrap().clone();
    assert!(
        records.iter().any(|r| r.contains("AT+MQTTCFG=")),
        "the configuration command is logged (redacted): {records:?}"
    );
    for r in &records {
        assert!(!r.contains(PASSWORD), "password in a log record: {r}");
    }
    assert!(!format!("{cfg:?}").contains(PASSWORD));
    assert!(!shown.contains(PASSWORD));
}
