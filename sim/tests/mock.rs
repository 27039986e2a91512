//! `mock::MockModem` driven with raw AT lines: its port, its faults and its
//! remote MQTT client.

use std::io::Write;
use std::time::Duration;

use ml302_sim::mock::MockModem;
use ml302_sim::{Received, SimConfig};

const T: Duration = Duration::from_secs(5);

/// Sends `line` and reads up to the final `OK`.
fn command(port: &mut ml302_sim::MemoryPort, line: &str) -> String {
    port.write_all(line.as_bytes()).unwrap();
    port.write_all(b"\r\n").unwrap();
    let answer = port.read_until(b"\r\nOK\r\n", T).expect("an OK");
    String::from_utf8_lossy(&answer).into_owned()
}

#[test]
fn raw_at_through_the_mock_with_a_remote_and_a_cut_link() {
    let (mut port, modem) = MockModem::start_with(SimConfig::default().echo(false)).unwrap();
    command(
        &mut port,
        "AT+MQTTCFG=\"broker.example\",1883,\"m1\",60,\"\",\"\",1",
    );
    command(&mut port, "AT+MQTTREC=0");
    assert!(command(&mut port, "AT+MQTTOPEN=0,0,0,0,0,\"\",\"\"").contains("+MQTTOPEN:OK"));
    assert!(command(&mut port, "AT+MQTTSUB=\"m1/in\",1").contains("+MQTTSUBACK:"));

    // The remote sees what the module publishes, and the module what it does.
    let remote = modem.remote("backend").unwrap();
    remote.subscribe("m1/out").unwrap();
    command(&mut port, "AT+MQTTPUB=\"m1/out\",1,0,0,\"up\"");
    let m = remote.next_message(T).expect("the module's message");
    assert_eq!(
        (m.topic.as_str(), &m.payload[..], m.retained),
        ("m1/out", &b"up"[..], false)
    );
    remote.publish("m1/in", b"a\r\nOK\r\n").unwrap();
    let urc = port
        .read_until(b"OK\r\n\r\n", T)
        .expect("the message on the port");
    assert!(
        urc.ends_with(b"\"m1/in\",7,a\r\nOK\r\n\r\n"),
        "{:?}",
        String::from_utf8_lossy(&urc)
    );

    // A cut link with automatic reconnection off: the module gives up.
    modem.cut_link();
    let urc = port
        .read_until(b"\r\n+MQTTDISC: OK\r\n", T)
        .expect("+MQTTDISC");
    assert!(urc.ends_with(b"+MQTTDISC: OK\r\n"));

    assert!(modem
        .received_lines()
        .contains(&Received::Line(b"AT+MQTTREC=0".to_vec())));
    assert_eq!(
        modem.broker_addr(),
        modem.simulator().broker_addr().unwrap()
    );
    drop(remote);
    modem.shutdown();
}
