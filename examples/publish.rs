//! Publish one message through a USB-serial ML302.
//!
//! ```text
//! cargo run --example publish --features std -- /dev/ttyUSB0 broker.example 1883 my/topic "hello"
//! ```
use ml302::blocking::Client;
use ml302::serial::SerialPort;
use ml302::{MqttConfig, QoS, StdClock};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, device, host, port, topic, message] = &args[..] else {
        eprintln!("usage: publish DEVICE HOST PORT TOPIC MESSAGE");
        std::process::exit(2);
    };
    let port_no: u16 = port.parse()?;
    let serial = SerialPort::open(device, 115_200)?;
    let mut client: Client<_, _> = Client::new(serial, StdClock::new());
    client.start()?;
    client.configure(&MqttConfig::new(host, port_no, "ml302-example-pub"))?;
    client.connect(None)?;
    let done = client.publish(topic, message.as_bytes(), QoS::AtLeastOnce, false)?;
    println!("published, packet id {:?}", done.packet_id);
    client.disconnect()?;
    Ok(())
}
