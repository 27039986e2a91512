//! The reference session through the split async client (`ml302::split`) on
//! the LM3S6965: a runner task owns UART0's two halves and keeps one read in
//! flight (woken by the RX interrupt); the session task runs every operation
//! through the control, waiting with SysTick's delay. Both are polled by
//! `board::exec::block_on` (no allocator, no executor crate), which sleeps with
//! `wfi` in between.
#![no_std]
#![no_main]

use board::script::{finish, Failure, Slot, PAYLOAD, QUEUE, SUBS, TOPIC};
use board::time::{SysTickClock, SysTickDelay};
use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use embassy_futures::join::join;
use ml302::split::{self, NoopRawMutex};
use ml302::{Error, Event, Incoming, MqttConfig, Published, QoS, Stats, Subscribed, Will};

/// Depth of the message channel (the session's inbox holds `QUEUE` more).
const MESSAGES: usize = 1;
/// Depth of the event channel.
const EVENTS: usize = 4;

type State = split::State<NoopRawMutex, TOPIC, PAYLOAD, QUEUE, SUBS, MESSAGES, EVENTS>;
type Control = split::Control<
    'static,
    NoopRawMutex,
    SysTickClock,
    SysTickDelay,
    TOPIC,
    PAYLOAD,
    QUEUE,
    SUBS,
    MESSAGES,
    EVENTS,
>;

static STATE: Slot<State> = Slot::new();

/// The control with the method names the reference session uses.
struct Face(Control);

impl Face {
    async fn start(&mut self) -> Result<(), Error> {
        self.0.start().await
    }
    async fn configure(&mut self, cfg: &MqttConfig<'_>) -> Result<(), Error> {
        self.0.configure(cfg).await
    }
    async fn connect(&mut self, will: Option<&Will<'_>>) -> Result<(), Error> {
        self.0.connect(will).await
    }
    async fn subscribe(&mut self, topic: &str, qos: QoS) -> Result<Subscribed, Error> {
        self.0.subscribe(topic, qos).await
    }
    async fn unsubscribe(&mut self, topic: &str) -> Result<u16, Error> {
        self.0.unsubscribe(topic).await
    }
    async fn publish(
        &mut self,
        topic: &str,
        payload: &[u8],
        qos: QoS,
        retain: bool,
    ) -> Result<Published, Error> {
        self.0.publish(topic, payload, qos, retain).await
    }
    async fn disconnect(&mut self) -> Result<(), Error> {
        self.0.disconnect().await
    }
    async fn delete(&mut self) -> Result<(), Error> {
        self.0.delete().await
    }
    async fn receive(&mut self, wait_ms: u32) -> Result<Option<Incoming<TOPIC, PAYLOAD>>, Error> {
        match self.0.receive_within(wait_ms).await {
            Some(m) => Ok(Some(m)),
            None => self.0.port_status().map(|()| None),
        }
    }
    fn next_event(&mut self) -> Option<Event> {
        self.0.try_next_event()
    }
    fn stats(&self) -> Stats {
        self.0.stats()
    }
}

board::session!([async] [.await] Face, "ml302-fw-asynch");

#[entry]
fn main() -> ! {
    hprintln!("boot asynch (split)");
    let Some(uart) = board::init() else {
        finish(Err(Failure::Check("init")))
    };
    let Some(state) = STATE.init(State::new) else {
        finish(Err(Failure::Check("state storage")))
    };
    let (runner, control) = split::new(state, uart.split(), SysTickClock::new(), SysTickDelay);
    let mut face = Face(control);
    // The session task ends the program itself: the runner's read is never
    // dropped.
    let (never, ()) = board::exec::block_on(join(runner.run(), async {
        finish(session(&mut face).await)
    }));
    match never {}
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    hprintln!("result FAIL panic {}", info);
    board::exit(false)
}
