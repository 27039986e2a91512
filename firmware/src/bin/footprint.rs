//! The bare-metal example, and what `scripts/footprint.sh` measures: every
//! operation of `ml302::blocking::Client<_, _, 512, 1024, 1, 2>` over the UART0
//! interrupt ring and SysTick, with no text output (the result is the exit
//! status through semihosting), so the sizes are the client's and the board's.
//!
//! `--features client-panic-proof` turns it into a link-time proof that the
//! whole blocking client has no panic path (see `nopanic`).
//!
//! Builds for any Cortex-M target (`thumbv7m-none-eabi` runs under QEMU's
//! lm3s6965evb; `thumbv7em-none-eabihf` is what the footprint is reported for).
#![no_std]
#![no_main]

use board::script::{BlockingClient, Slot, TOPIC_IN, TOPIC_LOOP, TOPIC_WILL, WILL_MESSAGE};
use board::time::SysTickClock;
use cortex_m_rt::entry;
use ml302::{Error, Incoming, MqttConfig, QoS, Will};

static CLIENT: Slot<BlockingClient> = Slot::new();

#[entry]
fn main() -> ! {
    let Some(uart) = board::init() else {
        board::exit(false)
    };
    let Some(client) = CLIENT.init(|| BlockingClient::new(uart, SysTickClock::new())) else {
        board::exit(false)
    };
    board::exit(run(client).is_ok())
}

fn run(c: &mut BlockingClient) -> Result<(), Error> {
    let cfg = MqttConfig::new("127.0.0.1", 1883, "ml302-fw-footprint");
    let will = Will {
        topic: TOPIC_WILL,
        message: WILL_MESSAGE,
        qos: QoS::AtLeastOnce,
        retain: false,
    };
    c.start()?;
    c.configure(&cfg)?;
    c.set_ack_timeout(20)?;
    c.set_auto_reconnect(true)?;
    let _ = (c.ack_timeout()?, c.auto_reconnect()?);
    let _ = c.reported_config()?.map(|r| r.port);
    c.connect(Some(&will))?;
    c.set_ping_echo(false)?;
    let _ = (c.ping_echo()?, c.modem_state()?);
    c.subscribe(TOPIC_IN, QoS::AtLeastOnce)?;
    c.subscribe(TOPIC_LOOP, QoS::ExactlyOnce)?;
    let _ = c.list_subscriptions()?.count();
    c.publish("ml302/fw/out/q0", b"qos 0", QoS::AtMostOnce, false)?;
    c.publish("ml302/fw/out/q1", b"qos 1", QoS::AtLeastOnce, false)?;
    c.publish(
        "ml302/fw/out/q2",
        b"\x00\xffqos 2\r\n",
        QoS::ExactlyOnce,
        false,
    )?;
    c.publish(TOPIC_LOOP, b"loop", QoS::AtLeastOnce, false)?;
    let Some(Incoming::Message(m)) = c.receive(10_000)? else {
        return Err(Error::Timeout);
    };
    if m.payload.as_slice() != b"loop" {
        return Err(Error::UnexpectedResponse);
    }
    c.poll(10)?;
    c.unsubscribe(TOPIC_LOOP)?;
    c.disconnect()?;
    c.delete()?;
    while c.next_event().is_some() {}
    Ok(())
}

#[cfg(not(feature = "client-panic-proof"))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    board::exit(false)
}

/// With `--features client-panic-proof` this binary links only if no panic path
/// of the whole blocking client survives optimisation (as `nopanic` does for
/// the wire layer).
#[cfg(feature = "client-panic-proof")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    extern "C" {
        /// Deliberately undefined: referencing it fails the link.
        fn ml302_panic_path_is_reachable() -> !;
    }
    // SAFETY: never called if the program links.
    unsafe { ml302_panic_path_is_reachable() }
}
