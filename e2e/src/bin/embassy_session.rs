//! The async client running on embassy's executor (std platform) with
//! `embassy_time::Delay`, against the in-memory simulator: start-up, configure,
//! connect, subscribe, publish at QoS 0/1/2, receive its own messages back,
//! unsubscribe, disconnect. Exits 0 when every step succeeded.

use embassy_executor::Executor;
use ml302::asynch::Client;
use ml302::{Incoming, MqttConfig, QoS, StdClock};
use ml302_sim::{MemoryPort, SimConfig, Simulator};

async fn session(port: MemoryPort) -> Result<(), ml302::Error> {
    // An inbox of 4: the three messages come back while the publishes are in flight.
    let mut c: Client<_, _, _, 512, 1024, 4, 8> =
        Client::new(port, StdClock::new(), embassy_time::Delay);
    c.start().await?;
    c.configure(&MqttConfig::new("localhost", 1883, "embassy"))
        .await?;
    c.connect(None).await?;
    c.subscribe("embassy/#", QoS::ExactlyOnce).await?;
    let payloads: [&[u8]; 3] = [b"qos0", b"qos1 \"quoted\"", b"qos2\r\n\x00\xff"];
    for (qos, p) in [QoS::AtMostOnce, QoS::AtLeastOnce, QoS::ExactlyOnce]
        .into_iter()
        .zip(payloads)
    {
        c.publish("embassy/t", p, qos, false).await?;
    }
    for p in payloads {
        match c.receive(5_000).await? {
            Some(Incoming::Message(m)) if &m.payload[..] == p => {}
            other => {
                eprintln!("unexpected: {other:?}");
                return Err(ml302::Error::UnexpectedResponse);
            }
        }
    }
    c.unsubscribe("embassy/#").await?;
    c.disconnect().await?;
    Ok(())
}

#[embassy_executor::task]
async fn run(port: MemoryPort) {
    let code = match session(port).await {
        Ok(()) => {
            println!("embassy session: ok");
            0
        }
        Err(e) => {
            eprintln!("embassy session: error: {e}");
            1
        }
    };
    std::process::exit(code);
}

fn main() {
    let (sim, port) = Simulator::in_memory(SimConfig::default()).expect("simulator starts");
    // The simulator lives until the process exits from the task.
    let _sim: &'static Simulator = Box::leak(Box::new(sim));
    let executor: &'static mut Executor = Box::leak(Box::new(Executor::new()));
    executor.run(|spawner| {
        spawner.spawn(run(port).expect("task slot"));
    });
}
