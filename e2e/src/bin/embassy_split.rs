//! The split async client (`ml302::split`) on embassy's executor (std
//! platform) against the in-memory simulator: a runner task owns the port; a
//! receiver task awaits messages while a publisher task, through a copy of the
//! same control, publishes QoS 0, 1 and 2 messages to a topic both subscribed
//! to. Every message must come back exactly once, byte-exact and in order.
//! Prints `embassy split: ok` and exits 0 when all of it held.

use std::future::{poll_fn, Future};
use std::pin::pin;
use std::sync::Mutex;

use embassy_executor::{Executor, Spawner};
use embassy_sync::signal::Signal;
use ml302::split::{self, NoopRawMutex, State};
use ml302::{Incoming, MqttConfig, QoS, StdClock};
use ml302_sim::{MemoryPort, MemoryPortError, SimConfig, Simulator};

/// Messages per QoS level.
const ROUNDS: usize = 8;
const TOPIC: &str = "split/t";

type SplitState = State<NoopRawMutex, 64, 64, 2, 4, 2, 8>;
type Control =
    split::Control<'static, NoopRawMutex, StdClock, embassy_time::Delay, 64, 64, 2, 4, 2, 8>;
type Runner =
    split::Runner<'static, NoopRawMutex, Rx, Tx, StdClock, embassy_time::Delay, 64, 64, 2, 4, 2, 8>;
type Done = Signal<NoopRawMutex, Result<(), String>>;

/// The reading half of the in-memory port. Each poll builds the port's own
/// read and polls it once: that read takes bytes only when it completes, so
/// building it afresh loses nothing (the runner above it never drops a read).
struct Rx(&'static Mutex<MemoryPort>);
/// The writing half of the in-memory port.
struct Tx(&'static Mutex<MemoryPort>);

impl embedded_io_async::ErrorType for Rx {
    type Error = MemoryPortError;
}
impl embedded_io_async::ErrorType for Tx {
    type Error = MemoryPortError;
}

impl embedded_io_async::Read for Rx {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, MemoryPortError> {
        poll_fn(|cx| {
            let mut port = self.0.lock().unwrap_or_else(|e| e.into_inner());
            let read = pin!(embedded_io_async::Read::read(&mut *port, buf));
            read.poll(cx)
        })
        .await
    }
}

impl embedded_io_async::Write for Tx {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, MemoryPortError> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).send(buf)?;
        Ok(buf.len())
    }

    async fn flush(&mut self) -> Result<(), MemoryPortError> {
        Ok(())
    }
}

/// The payload of message `i`: its number, its QoS, and bytes that force the
/// length mode every third message.
fn payload(i: usize) -> (QoS, Vec<u8>) {
    let qos = [QoS::AtMostOnce, QoS::AtLeastOnce, QoS::ExactlyOnce][i % 3];
    let mut p = format!("m{i:02} q{}", qos.as_u8()).into_bytes();
    if i % 3 == 2 {
        p.extend_from_slice(b"\r\n\x00\xff\"");
    }
    (qos, p)
}

#[embassy_executor::task]
async fn runner(runner: Runner) {
    runner.run().await
}

#[embassy_executor::task]
async fn receiver(c: Control, done: &'static Done) {
    let mut result = Ok(());
    for i in 0..3 * ROUNDS {
        let want = payload(i).1;
        match c.receive_within(10_000).await {
            Some(Incoming::Message(m))
                if m.topic.as_str() == TOPIC && m.payload[..] == want[..] => {}
            other => {
                result = Err(format!("message {i}: expected {want:?}, got {other:?}"));
                break;
            }
        }
    }
    // Nothing more may come (no duplicate).
    if result.is_ok() {
        if let Some(extra) = c.receive_within(500).await {
            result = Err(format!("unexpected extra message {extra:?}"));
        }
    }
    done.signal(result);
}

#[embassy_executor::task]
async fn publisher(c: Control, done: &'static Done) {
    let mut result = Ok(());
    for i in 0..3 * ROUNDS {
        let (qos, p) = payload(i);
        if let Err(e) = c.publish(TOPIC, &p, qos, false).await {
            result = Err(format!("publish {i}: {e}"));
            break;
        }
    }
    done.signal(result);
}

async fn setup(c: &Control) -> Result<(), ml302::Error> {
    c.start().await?;
    c.configure(&MqttConfig::new("localhost", 1883, "embassy-split"))
        .await?;
    c.connect(None).await?;
    c.subscribe(TOPIC, QoS::ExactlyOnce).await?;
    Ok(())
}

async fn finish(c: &Control) -> Result<(), ml302::Error> {
    c.unsubscribe(TOPIC).await?;
    c.disconnect().await?;
    let stats = c.stats();
    if stats.messages_dropped != 0 || stats.framing_errors != 0 {
        eprintln!("stats: {stats:?}");
        return Err(ml302::Error::UnexpectedResponse);
    }
    Ok(())
}

#[embassy_executor::task]
async fn main_task(spawner: Spawner, port: MemoryPort) {
    let port: &'static Mutex<MemoryPort> = Box::leak(Box::new(Mutex::new(port)));
    let state: &'static mut SplitState = Box::leak(Box::new(SplitState::new()));
    let (r, c) = split::new(
        state,
        (Rx(port), Tx(port)),
        StdClock::new(),
        embassy_time::Delay,
    );
    spawner.spawn(runner(r).expect("runner slot"));
    let code = match run(spawner, c).await {
        Ok(()) => {
            println!("embassy split: ok");
            0
        }
        Err(e) => {
            eprintln!("embassy split: error: {e}");
            1
        }
    };
    std::process::exit(code);
}

async fn run(spawner: Spawner, c: Control) -> Result<(), String> {
    setup(&c).await.map_err(|e| format!("setup: {e}"))?;
    let received: &'static Done = Box::leak(Box::new(Signal::new()));
    let published: &'static Done = Box::leak(Box::new(Signal::new()));
    spawner.spawn(receiver(c.clone(), received).expect("receiver slot"));
    spawner.spawn(publisher(c.clone(), published).expect("publisher slot"));
    published.wait().await?;
    received.wait().await?;
    finish(&c).await.map_err(|e| format!("finish: {e}"))
}

fn main() {
    let (sim, port) = Simulator::in_memory(SimConfig::default()).expect("simulator starts");
    // The simulator lives until the process exits from the main task.
    let _sim: &'static Simulator = Box::leak(Box::new(sim));
    let executor: &'static mut Executor = Box::leak(Box::new(Executor::new()));
    executor.run(|spawner| {
        spawner.spawn(main_task(spawner, port).expect("task slot"));
    });
}
