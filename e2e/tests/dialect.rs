//! The simulator playing a module of another MQTT AT dialect: the client's
//! start-up names it (client -> serial adapter -> PTY -> simulator).

mod common;

use common::sim_config;
use ml302::blocking::Client;
use ml302::serial::SerialPort;
use ml302::{Dialect, Error, StdClock};
use ml302_sim::{Received, Simulator, Transport};

/// Starts a client against a simulator speaking `dialect`; the start-up's
/// result and the command lines the module received.
fn start_against(dialect: ml302_sim::Dialect) -> (Result<(), Error>, Vec<String>) {
    let sim = Simulator::start(sim_config().dialect(dialect), Transport::Pty).unwrap();
    let path = sim.device_path().unwrap().to_str().unwrap().to_owned();
    let port = SerialPort::open(&path, 115_200).unwrap();
    let mut client: Client<SerialPort, StdClock> = Client::new(port, StdClock::new());
    let result = client.start();
    let lines = sim
        .received_lines()
        .into_iter()
        .filter_map(|r| match r {
            Received::Line(l) => Some(String::from_utf8_lossy(&l).into_owned()),
            Received::Payload(_) => None,
        })
        .collect();
    sim.shutdown();
    (result, lines)
}

#[test]
fn an_mmqtt_module_is_named_at_start_up() {
    let (result, lines) = start_against(ml302_sim::Dialect::Mmqtt);
    assert_eq!(result, Err(Error::WrongDialect(Dialect::Mmqtt)));
    assert_eq!(
        lines,
        [
            "AT",
            "ATE0",
            "AT+CMEE=1",
            "AT+MQTTDISC",
            "AT+MQTTDEL",
            "AT+MQTTCFG?",
            "AT+MMQTTCON=?"
        ]
    );
}

#[test]
fn a_unisoc_module_is_named_at_start_up() {
    let (result, lines) = start_against(ml302_sim::Dialect::Unisoc);
    assert_eq!(result, Err(Error::WrongDialect(Dialect::Unisoc)));
    assert_eq!(lines.last().map(String::as_str), Some("AT+MQTTSUBUNSUB=?"));
    let message = Error::WrongDialect(Dialect::Unisoc).to_string();
    assert!(message.contains("AT+MQTTSUBUNSUB"), "{message}");
}

#[test]
fn a_module_of_this_dialect_gets_no_probe() {
    let (result, lines) = start_against(ml302_sim::Dialect::Ml302);
    result.unwrap();
    assert_eq!(
        lines,
        ["AT", "ATE0", "AT+CMEE=1", "AT+MQTTDISC", "AT+MQTTDEL"]
    );
}
