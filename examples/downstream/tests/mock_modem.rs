//! The device's logic on the host, against `ml302-sim`'s mock modem: no
//! hardware, no PTY; the broker and a backend client run in-process on
//! loopback and stop with the test.

use std::time::Duration;

use ml302::{LinkState, StdClock};
use ml302_downstream_example::{Device, Step};
use ml302_sim::mock::MockModem;

const WAIT: Duration = Duration::from_secs(5);

#[test]
fn the_device_against_the_mock_modem() {
    let (port, modem) = MockModem::start().expect("the mock modem starts");
    let backend = modem.remote("backend").expect("the backend connects");
    for t in ["dev-7/temp", "dev-7/reply"] {
        backend.subscribe(t).expect("the backend subscribes");
    }

    let mut device = Device::new(port, StdClock::new(), "dev-7", "broker.example");
    device
        .bring_up()
        .expect("the device connects and subscribes");
    assert_eq!(device.link_state(), LinkState::Connected);

    // Publish.
    device.report(215).expect("a reading goes out");
    let m = backend
        .next_message(WAIT)
        .expect("the backend gets the reading");
    assert_eq!(
        (m.topic.as_str(), &m.payload[..]),
        ("dev-7/temp", &b"215"[..])
    );

    // Receive, and answer.
    backend
        .publish("dev-7/cmd", b"ping")
        .expect("the backend publishes");
    assert_eq!(device.step(5_000).expect("the device steps"), Step::Ponged);
    let m = backend
        .next_message(WAIT)
        .expect("the backend gets the answer");
    assert_eq!(
        (m.topic.as_str(), &m.payload[..]),
        ("dev-7/reply", &b"pong"[..])
    );

    // A cut link: the device notices and reconnects, subscriptions and all.
    modem.cut_link();
    let mut steps = Vec::new();
    while !steps.contains(&Step::Reconnected) && steps.len() < 50 {
        steps.push(device.step(200).expect("the device steps"));
    }
    assert!(steps.contains(&Step::Reconnected), "{steps:?}");
    assert_eq!(device.link_state(), LinkState::Connected);
    backend
        .publish("dev-7/cmd", b"ping")
        .expect("the backend publishes");
    assert_eq!(device.step(5_000).expect("the device steps"), Step::Ponged);
    let m = backend
        .next_message(WAIT)
        .expect("the answer after the reconnect");
    assert_eq!(&m.payload[..], b"pong");

    drop(backend);
    modem.shutdown();
}

#[test]
fn the_device_reconnects_itself_when_the_module_gives_up() {
    let (port, modem) = MockModem::start().expect("the mock modem starts");
    let backend = modem.remote("backend").expect("the backend connects");
    backend
        .subscribe("dev-8/reply")
        .expect("the backend subscribes");
    let mut device =
        Device::new(port, StdClock::new(), "dev-8", "broker.example").module_reconnects(false);
    device
        .bring_up()
        .expect("the device connects and subscribes");

    // The module gives the link up (`+MQTTDISC: OK`): the device connects and
    // subscribes again itself.
    modem.cut_link();
    let mut steps = Vec::new();
    while !steps.contains(&Step::Reconnected) && steps.len() < 50 {
        steps.push(device.step(200).expect("the device steps"));
    }
    assert!(steps.contains(&Step::Reconnected), "{steps:?}");
    assert_eq!(device.link_state(), LinkState::Connected);
    backend
        .publish("dev-8/cmd", b"ping")
        .expect("the backend publishes");
    assert_eq!(device.step(5_000).expect("the device steps"), Step::Ponged);
    let m = backend
        .next_message(WAIT)
        .expect("the answer after the reconnect");
    assert_eq!(&m.payload[..], b"pong");

    drop(backend);
    modem.shutdown();
}
