//! Subscribe to a topic filter through a USB-serial ML302 and print what arrives.
//!
//! ```text
//! cargo run --example subscribe --features std -- /dev/ttyUSB0 broker.example 1883 'my/#'
//! ```
use ml302::blocking::Client;
use ml302::serial::SerialPort;
use ml302::{Incoming, MqttConfig, QoS, StdClock};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, device, host, port, filter] = &args[..] else {
        eprintln!("usage: subscribe DEVICE HOST PORT FILTER");
        std::process::exit(2);
    };
    let port_no: u16 = port.parse()?;
    let serial = SerialPort::open(device, 115_200)?;
    let mut client: Client<_, _> = Client::new(serial, StdClock::new());
    client.start()?;
    client.configure(&MqttConfig::new(host, port_no, "ml302-example-sub"))?;
    client.connect(None)?;
    client.subscribe(filter, QoS::AtLeastOnce)?;
    loop {
        match client.receive(1_000)? {
            Some(Incoming::Message(m)) => {
                println!("{} {}", m.topic, String::from_utf8_lossy(&m.payload))
            }
            Some(Incoming::TooLarge { topic, len }) => {
                eprintln!("{topic}: message of {len} bytes did not fit the buffer")
            }
            None => {}
        }
        while let Some(event) = client.next_event() {
            eprintln!("event: {event:?}");
        }
    }
}
