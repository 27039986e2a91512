//! The reference session the client binaries run, written once: the
//! [`session!`](crate::session) macro expands it into a blocking or an async
//! function (as `ml302`'s own faces are generated from one template).
//!
//! Every step is reported through semihosting on its own line; the end-to-end
//! script (`scripts/firmware-e2e.sh`) reads them:
//!
//! ```text
//! step <name> ok [details]     one per client operation
//! ready <topic>                subscribed; waiting for a message on <topic>
//! rx <topic> <hex payload>     what arrived there (then echoed to TOPIC_ECHO)
//! stack_peak <bytes>           measured high-water mark (see crate::stack)
//! result ok | result FAIL <step> <error>
//! ```

use core::cell::UnsafeCell;
use core::fmt;
use core::mem::MaybeUninit;
use core::sync::atomic::{AtomicBool, Ordering};

/// Topic buffer of the clients (bytes).
pub const TOPIC: usize = 512;
/// Payload buffer of the clients (bytes).
pub const PAYLOAD: usize = 1024;
/// Inbox depth.
pub const QUEUE: usize = 1;
/// Subscription table size.
pub const SUBS: usize = 2;

/// The blocking client this firmware runs.
pub type BlockingClient = ml302::blocking::Client<
    crate::uart::Uart,
    crate::time::SysTickClock,
    TOPIC,
    PAYLOAD,
    QUEUE,
    SUBS,
>;

/// The blocking client over the nb-based UART (`embedded-hal-nb`), idling
/// through an `embedded_hal::delay::DelayNs`.
pub type NbClient = ml302::blocking::Client<
    ml302::nb::NbSerial<crate::uart::NbUart>,
    ml302::clock::DelayIdle<crate::time::SysTickClock, crate::time::SysTickSleep>,
    TOPIC,
    PAYLOAD,
    QUEUE,
    SUBS,
>;

/// The async client this firmware runs.
pub type AsyncClient = ml302::asynch::Client<
    crate::uart::Uart,
    crate::time::SysTickClock,
    crate::time::SysTickDelay,
    TOPIC,
    PAYLOAD,
    QUEUE,
    SUBS,
>;

/// The broker named in `AT+MQTTCFG` (the simulator routes every connection to
/// its in-process broker).
pub const BROKER_HOST: &str = "127.0.0.1";
/// Broker port named in `AT+MQTTCFG`.
pub const BROKER_PORT: u16 = 1883;

/// The will: published by the broker only if the link dies without
/// `AT+MQTTDISC`, so the end-to-end run checks that it is *not* published.
pub const TOPIC_WILL: &str = "ml302/fw/will";
/// Message of the will.
pub const WILL_MESSAGE: &str = "ml302 firmware gone";

/// Where an external client publishes to the firmware.
pub const TOPIC_IN: &str = "ml302/fw/in";
/// Where the firmware echoes what arrived on [`TOPIC_IN`].
pub const TOPIC_ECHO: &str = "ml302/fw/out/echo";
/// Subscribed by the firmware itself: what it publishes there comes back.
pub const TOPIC_LOOP: &str = "ml302/fw/loop";

/// QoS 0 publication.
pub const TOPIC_Q0: &str = "ml302/fw/out/q0";
/// Printable payload of the QoS 0 publication.
pub const PAYLOAD_Q0: &[u8] = b"qos 0 from the ml302 firmware";
/// QoS 1 publication.
pub const TOPIC_Q1: &str = "ml302/fw/out/q1";
/// Payload of the QoS 1 publication: quotes, commas and a line end.
pub const PAYLOAD_Q1: &[u8] = b"qos 1, \"quoted\", line\r\nend";
/// QoS 2 publication.
pub const TOPIC_Q2: &str = "ml302/fw/out/q2";
/// Payload of the QoS 2 publication: every byte value once.
pub const PAYLOAD_Q2: [u8; 256] = {
    let mut p = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        p[i] = i as u8;
        i += 1;
    }
    p
};
/// What the firmware publishes to [`TOPIC_LOOP`] while subscribed.
pub const PAYLOAD_LOOP: &[u8] = b"round trip,\r\n\x00\xff";
/// What it publishes there after unsubscribing (must not come back).
pub const PAYLOAD_AFTER: &[u8] = b"after unsubscribe";

/// How long the firmware waits for the external client's message (ms).
pub const INBOUND_WAIT_MS: u32 = 30_000;
/// How long it waits for its own message to come back (ms).
pub const LOOP_WAIT_MS: u32 = 10_000;
/// How long it listens after unsubscribing (ms).
pub const QUIET_MS: u32 = 1_000;

/// Why the session failed.
#[derive(Debug)]
pub enum Failure {
    /// A client operation returned an error.
    Client(&'static str, ml302::Error),
    /// A check of the firmware's own failed.
    Check(&'static str),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Client(step, e) => write!(f, "{step} {e:?}"),
            Failure::Check(what) => write!(f, "check {what}"),
        }
    }
}

/// Bytes as lower-case hex.
pub struct Hex<'a>(pub &'a [u8]);

impl fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// Static storage for one value, initialised at run time (the clients are
/// several KiB: they live in `.bss`, not on the stack).
pub struct Slot<T> {
    taken: AtomicBool,
    value: UnsafeCell<MaybeUninit<T>>,
}

// SAFETY: `init` hands out the value at most once.
unsafe impl<T: Send> Sync for Slot<T> {}

impl<T> Slot<T> {
    /// An empty slot.
    pub const fn new() -> Self {
        Self {
            taken: AtomicBool::new(false),
            value: UnsafeCell::new(MaybeUninit::uninit()),
        }
    }

    /// Stores what `make` returns and hands it out; `None` on every call but
    /// the first. Never inlined: whatever temporary the construction needs lives
    /// in this short-lived frame, not in the caller's, which stays on the stack
    /// for the whole program.
    #[inline(never)]
    #[allow(clippy::mut_from_ref)] // handed out once, guarded by `taken`
    pub fn init(&'static self, make: impl FnOnce() -> T) -> Option<&'static mut T> {
        if self.taken.swap(true, Ordering::AcqRel) {
            return None;
        }
        // SAFETY: the flag makes this the only reference ever handed out.
        Some(unsafe { (*self.value.get()).write(make()) })
    }
}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// Prints the end of a run (stack high-water mark, result) and exits QEMU with
/// the matching status.
pub fn finish(result: Result<(), Failure>) -> ! {
    cortex_m_semihosting::hprintln!(
        "stack_peak {} of {}",
        crate::stack::peak(),
        crate::stack::size()
    );
    match result {
        Ok(()) => {
            cortex_m_semihosting::hprintln!("result ok");
            crate::exit(true)
        }
        Err(e) => {
            cortex_m_semihosting::hprintln!("result FAIL {}", e);
            crate::exit(false)
        }
    }
}

/// Expands into `fn session(c: &mut $client) -> Result<(), Failure>` and its
/// helpers (blocking: `session!([] [] BlockingClient, "id")`) or their `async`
/// twins (`session!([async] [.await] AsyncClient, "id")`).
#[macro_export]
macro_rules! session {
    ([$($kw:tt)*] [$($aw:tt)*] $client:ty, $client_id:expr) => {
        /// The reference session (see `board::script`).
        $($kw)* fn session(c: &mut $client) -> Result<(), $crate::script::Failure> {
            use $crate::script::*;
            use cortex_m_semihosting::hprintln;
            use ml302::{MqttConfig, QoS, Will};

            let cfg = MqttConfig::new(BROKER_HOST, BROKER_PORT, $client_id).with_keep_alive(60);
            let will = Will {
                topic: TOPIC_WILL,
                message: WILL_MESSAGE,
                qos: QoS::AtLeastOnce,
                retain: false,
            };

            c.start()$($aw)*.map_err(|e| Failure::Client("start", e))?;
            hprintln!("step start ok");
            c.configure(&cfg)$($aw)*.map_err(|e| Failure::Client("configure", e))?;
            hprintln!("step configure ok");
            c.connect(Some(&will))$($aw)*.map_err(|e| Failure::Client("connect", e))?;
            hprintln!("step connect ok will={}", TOPIC_WILL);

            for (topic, qos) in [(TOPIC_IN, QoS::AtLeastOnce), (TOPIC_LOOP, QoS::ExactlyOnce)] {
                let s = c
                    .subscribe(topic, qos)$($aw)*
                    .map_err(|e| Failure::Client("subscribe", e))?;
                hprintln!(
                    "step subscribe ok {} pid={:?} granted={}",
                    topic,
                    s.packet_id,
                    s.granted.as_u8()
                );
            }

            for (name, topic, payload, qos) in [
                ("q0", TOPIC_Q0, PAYLOAD_Q0, QoS::AtMostOnce),
                ("q1", TOPIC_Q1, PAYLOAD_Q1, QoS::AtLeastOnce),
                ("q2", TOPIC_Q2, &PAYLOAD_Q2[..], QoS::ExactlyOnce),
            ] {
                let p = c
                    .publish(topic, payload, qos, false)$($aw)*
                    .map_err(|e| Failure::Client("publish", e))?;
                hprintln!(
                    "step publish ok {} {} pid={:?} length_mode={}",
                    name,
                    topic,
                    p.packet_id,
                    p.length_mode
                );
            }

            loopback(c)$($aw)*?;
            inbound(c)$($aw)*?;

            let id = c
                .unsubscribe(TOPIC_LOOP)$($aw)*
                .map_err(|e| Failure::Client("unsubscribe", e))?;
            hprintln!("step unsubscribe ok {} pid={}", TOPIC_LOOP, id);
            quiet(c)$($aw)*?;

            c.disconnect()$($aw)*.map_err(|e| Failure::Client("disconnect", e))?;
            hprintln!("step disconnect ok");
            c.delete()$($aw)*.map_err(|e| Failure::Client("delete", e))?;
            hprintln!("step delete ok");

            while let Some(ev) = c.next_event() {
                hprintln!("event {:?}", ev);
            }
            let stats = c.stats();
            hprintln!("stats {:?}", stats);
            if stats.messages_dropped != 0 || stats.framing_errors != 0 {
                return Err(Failure::Check("stats: dropped or malformed input"));
            }
            Ok(())
        }
        /// Publishes to the loop topic and expects the message back, byte-exact.
        /// (Separate functions keep the 1.5 KiB messages out of `session`'s frame.)
        #[inline(never)]
        $($kw)* fn loopback(c: &mut $client) -> Result<(), $crate::script::Failure> {
            use $crate::script::*;
            use cortex_m_semihosting::hprintln;
            use ml302::{Incoming, QoS};

            c.publish(TOPIC_LOOP, PAYLOAD_LOOP, QoS::AtLeastOnce, false)$($aw)*
                .map_err(|e| Failure::Client("publish loop", e))?;
            let got = c
                .receive(LOOP_WAIT_MS)$($aw)*
                .map_err(|e| Failure::Client("receive loop", e))?;
            match &got {
                Some(Incoming::Message(m))
                    if m.topic.as_str() == TOPIC_LOOP && m.payload.as_slice() == PAYLOAD_LOOP =>
                {
                    hprintln!("step loopback ok qos={} pid={}", m.qos.as_u8(), m.packet_id);
                    Ok(())
                }
                Some(_) => Err(Failure::Check("loopback: wrong message")),
                None => Err(Failure::Check("loopback: nothing came back")),
            }
        }

        /// Announces readiness, waits for an independent client's message and
        /// echoes it.
        #[inline(never)]
        $($kw)* fn inbound(c: &mut $client) -> Result<(), $crate::script::Failure> {
            use $crate::script::*;
            use cortex_m_semihosting::hprintln;
            use ml302::{Incoming, QoS};

            hprintln!("ready {}", TOPIC_IN);
            let got = c
                .receive(INBOUND_WAIT_MS)$($aw)*
                .map_err(|e| Failure::Client("receive", e))?;
            let m = match &got {
                Some(Incoming::Message(m)) => m,
                Some(Incoming::TooLarge { .. }) => return Err(Failure::Check("inbound: too large")),
                None => return Err(Failure::Check("inbound: nothing arrived")),
            };
            hprintln!("rx {} {}", m.topic.as_str(), Hex(&m.payload));
            if m.topic.as_str() != TOPIC_IN {
                return Err(Failure::Check("inbound: wrong topic"));
            }
            let p = c
                .publish(TOPIC_ECHO, &m.payload, QoS::AtLeastOnce, false)$($aw)*
                .map_err(|e| Failure::Client("publish echo", e))?;
            hprintln!("step echo ok pid={:?} length_mode={}", p.packet_id, p.length_mode);
            Ok(())
        }

        /// After the unsubscribe, what is published to the loop topic must not
        /// come back.
        #[inline(never)]
        $($kw)* fn quiet(c: &mut $client) -> Result<(), $crate::script::Failure> {
            use $crate::script::*;
            use cortex_m_semihosting::hprintln;
            use ml302::QoS;

            c.publish(TOPIC_LOOP, PAYLOAD_AFTER, QoS::AtMostOnce, false)$($aw)*
                .map_err(|e| Failure::Client("publish after", e))?;
            if c.receive(QUIET_MS)$($aw)*.map_err(|e| Failure::Client("receive after", e))?.is_some() {
                return Err(Failure::Check("message after unsubscribe"));
            }
            hprintln!("step quiet ok");
            Ok(())
        }
    };
}
