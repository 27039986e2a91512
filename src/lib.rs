#![cfg_attr(not(any(test, feature = "std")), no_std)]
#![deny(missing_docs)]
//! `ml302`: a typed, `no_std`, allocation-free driver for the MQTT AT commands of the
//! China Mobile ML302 LTE Cat.1 modem (and modems sharing its `AT+MQTT*` dialect).
//!
//! Layers, from the wire up (each usable on its own):
//!
//! | module | what it does |
//! |---|---|
//! | [`digest`] | streaming digester: bytes in, [`Frame`]s out; `+MQTTPUBLISH` framed by its length |
//! | [`line`](mod@line), [`urc`] | decoding of information lines and unsolicited result codes |
//! | [`command`], [`text`] | one typed struct per AT verb and form, validated before a byte is written |
//! | [`session`] | the sans-IO protocol brain: pending command, ACK correlation, state, re-subscription |
//! | [`blocking`], [`asynch`] | the two client faces over `embedded-io` / `embedded-io-async` |
//! | [`split`] | the async client split into a port-owning [`split::Runner`] and a shareable [`split::Control`] (embassy style) |
//! | [`clock`] | the millisecond [`Clock`] both faces read; [`clock::DelayIdle`] idles through an embedded-hal delay |
//! | `serial` (feature `std`) | a `serialport` adapter for USB-serial modems |
//! | `nb` (feature `nb`) | `embedded-hal-nb` UARTs as ports of the blocking client |
//! | [`atat_digester`] | the digester and URCs for `atat`'s own client and ingress |
//!
//! Features: `std` (host conveniences and the serial adapter), `nb` (the
//! `embedded-hal-nb` adapter), `log`, `defmt`, `fast-digest` (default).
//! Passwords never appear in `Debug` output or logs.
//!
//! # The port contract
//!
//! The blocking client ([`blocking::Client`]) takes any
//! `P: embedded_io::Read + embedded_io::ReadReady + embedded_io::Write`, read as
//! embedded-io specifies it:
//!
//! * `read` may block until at least one byte has arrived; the client calls it
//!   only after `read_ready()` returned `true`, so it never waits past a
//!   command's deadline, and between looks it calls [`Clock::idle`];
//! * `Ok(0)` from `read` is the end of the stream: [`Error::PortClosed`], not
//!   retryable on that port; an error of kind `Interrupted` is retried, any other
//!   error is [`Error::Io`];
//! * `write` and `flush` may block until the bytes are out.
//!
//! The async client ([`asynch::Client`]) takes any
//! `P: embedded_io_async::Read + embedded_io_async::Write`: it awaits `read`
//! (which should return once a byte is there) racing an
//! [`embedded_hal_async::delay::DelayNs`], so any deadline ends the wait (and
//! drops the read: fine for a buffered UART, not for a DMA transfer). The split
//! client ([`split`]) takes the two halves `R: embedded_io_async::Read` and
//! `W: embedded_io_async::Write` and never drops a read; `Ok(0)` is the end of
//! the stream there too.
//!
//! Time comes from a [`Clock`] in both faces. Every way in, with an example that
//! compiles:
//!
//! ## An `embedded-io` port (a UART with an interrupt-fed ring)
//!
//! Feed the UART's received bytes from the RX interrupt (or DMA) into a ring;
//! `read_ready` says whether the ring holds a byte, `read` takes what it holds
//! (and may sleep until a byte comes, as embedded-io allows):
//!
//! ```
//! use ml302::{blocking::Client, Clock, MqttConfig, QoS};
//!
//! struct Uart; // stands for the board's UART with its interrupt-fed ring buffer
//! impl Uart {
//!     fn ring_take(&mut self, _buf: &mut [u8]) -> usize { 0 } // drains the ring
//!     fn ring_len(&self) -> usize { 0 }
//! }
//! impl embedded_io::ErrorType for Uart { type Error = core::convert::Infallible; }
//! impl embedded_io::ReadReady for Uart {
//!     fn read_ready(&mut self) -> Result<bool, Self::Error> { Ok(self.ring_len() > 0) }
//! }
//! impl embedded_io::Read for Uart {
//!     fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
//!         loop {
//!             let n = self.ring_take(buf);
//!             if n > 0 || buf.is_empty() { return Ok(n); }
//!             // cortex_m::asm::wfi(); — sleep until the next interrupt
//!         }
//!     }
//! }
//! impl embedded_io::Write for Uart {
//!     fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> { Ok(buf.len()) }
//!     fn flush(&mut self) -> Result<(), Self::Error> { Ok(()) }
//! }
//! struct SysTick(u64);
//! impl Clock for SysTick {
//!     fn now_ms(&mut self) -> u64 { self.0 += 1; self.0 }
//!     // fn idle(&mut self) { cortex_m::asm::wfi() } — sleep between looks
//! }
//!
//! // 512-byte topics, 1 KiB payloads, one queued message, two subscriptions.
//! let mut client: Client<Uart, SysTick, 512, 1024, 1, 2> = Client::new(Uart, SysTick(0));
//! // No modem attached here: the start-up ends with its time-out, `read` is never called.
//! assert_eq!(client.start(), Err(ml302::Error::Timeout));
//! // With a real modem attached: start-up, configure, connect, publish.
//! # if false {
//! client.configure(&MqttConfig::new("broker.example", 1883, "dev-1"))?;
//! client.connect(None)?;
//! client.publish("dev/1/hello", b"hi", QoS::AtLeastOnce, false)?;
//! # }
//! # Ok::<(), ml302::Error>(())
//! ```
//!
//! To sleep between looks through an embedded-hal 1.0 delay instead of a
//! `Clock::idle` of your own, wrap the clock in [`clock::DelayIdle`].
//!
//! ## A USB-serial modem on a host (`serialport`, feature `std`)
//!
//! `serial::SerialPort` opens the device with the driver's settings; its
//! `read_ready` asks the OS how many bytes wait.
//!
//! ```no_run
//! # #[cfg(feature = "std")] {
//! use ml302::{blocking::Client, serial::SerialPort, StdClock};
//! let port = SerialPort::open("/dev/ttyUSB0", 115_200).expect("the modem's port");
//! let mut client: Client<_, _> = Client::new(port, StdClock::new());
//! client.start()?;
//! # }
//! # Ok::<(), ml302::Error>(())
//! ```
//!
//! ## A UART of `embedded-hal-nb` (feature `nb`)
//!
//! `nb::NbSerial` turns any `embedded_hal_nb::serial::{Read<u8>, Write<u8>}`
//! into a port of the blocking client (one byte read ahead answers
//! `read_ready`):
//!
//! ```
//! # #[cfg(feature = "nb")] {
//! use embedded_hal_nb::serial;
//! use ml302::{blocking::Client, nb::NbSerial, Clock};
//!
//! fn client<U, C>(uart: U, clock: C) -> Client<NbSerial<U>, C, 512, 1024, 1, 2>
//! where
//!     U: serial::Read<u8> + serial::Write<u8>,
//!     C: Clock,
//! {
//!     Client::new(NbSerial::new(uart), clock)
//! }
//! # }
//! ```
//!
//! ## The async client on embassy
//!
//! An embassy task owns the client and runs it: the port is any
//! `embedded_io_async` UART (for example a HAL's buffered UART), the delay
//! `embassy_time::Delay`, the clock a [`Clock`] over `embassy_time::Instant`.
//!
//! ```
//! use embedded_hal_async::delay::DelayNs;
//! use embedded_io_async::{Read, Write};
//! use ml302::{asynch::Client, Clock, Incoming, MqttConfig, QoS};
//!
//! // The body of an `#[embassy_executor::task]`: runs until an error.
//! async fn modem_task<P, C, D>(port: P, clock: C, delay: D) -> Result<(), ml302::Error>
//! where
//!     P: Read + Write,
//!     C: Clock,
//!     D: DelayNs,
//! {
//!     let mut client: Client<P, C, D, 512, 1024, 1, 2> = Client::new(port, clock, delay);
//!     client.start().await?;
//!     client.configure(&MqttConfig::new("broker.example", 1883, "dev-1")).await?;
//!     client.connect(None).await?;
//!     client.subscribe("dev/1/cmd", QoS::AtLeastOnce).await?;
//!     loop {
//!         if let Some(Incoming::Message(m)) = client.receive(60_000).await? {
//!             client.publish("dev/1/ack", &m.payload, QoS::AtMostOnce, false).await?;
//!         }
//!     }
//! }
//! ```
//!
//! ## The split client: an embassy runner and shared controls
//!
//! [`split::new`] takes the port as its two halves (`embedded_io_async`
//! `Read` and `Write`) and returns a [`split::Runner`], which owns them, keeps
//! one `read` in flight and never drops it, and a [`split::Control`] that
//! several tasks use at once (operations serialised, messages and events
//! through bounded channels):
//!
//! ```no_run
//! use embedded_hal_async::delay::DelayNs;
//! use embedded_io_async::{Read, Write};
//! use ml302::split::{self, NoopRawMutex, Runner, State};
//! use ml302::Clock;
//!
//! type Modem<R, W, C, D> = Runner<'static, NoopRawMutex, R, W, C, D>;
//!
//! // `#[embassy_executor::task] async fn modem(runner: Modem<…>) -> ! { runner.run().await }`
//! async fn modem<R: Read, W: Write, C: Clock + Clone, D: DelayNs + Clone>(
//!     runner: Modem<R, W, C, D>,
//! ) -> ! {
//!     runner.run().await
//! }
//!
//! fn make<R: Read, W: Write, C: Clock + Clone, D: DelayNs + Clone>(
//!     state: &'static mut State<NoopRawMutex>, // from a `StaticCell`
//!     rx: R,
//!     tx: W,
//!     clock: C,
//!     delay: D,
//! ) {
//!     let (runner, control) = split::new(state, (rx, tx), clock, delay);
//!     // spawn `modem(runner)`; copy or clone `control` into the other tasks.
//!     # let _ = (modem(runner), control);
//! }
//! ```
//!
//! ## `atat`'s own clients
//!
//! Every command struct of [`command`] derives [`atat::AtatCmd`], so an
//! `atat` client sends it and parses its typed answer. Give atat's `Ingress`
//! an [`atat_digester::AtatDigester`] (this crate's digester behind
//! `atat::Digester`) and a URC channel of [`atat_digester::UrcBuf`] (the
//! `atat::AtatUrc` form of [`Urc`]): `+MQTTPUBLISH` stays framed by its
//! length, an error ends its own answer, and a message that arrives while a
//! command is in flight goes to the URC channel, never into the answer.
//!
//! ```
//! use atat::blocking::AtatClient;
//! use atat::{AtatIngress, Ingress, ResponseSlot, UrcChannel};
//! use ml302::atat_digester::{AtatDigester, UrcBuf};
//! use ml302::command::{At, QueryState};
//!
//! const INGRESS: usize = 512;
//! /// Set up once, before the UART's receive interrupt starts feeding `ingress`.
//! fn ingress<'a>(
//!     buf: &'a mut [u8],
//!     slot: &'a ResponseSlot<INGRESS>,
//!     urcs: &'a UrcChannel<UrcBuf<1024>, 4, 1>,
//! ) -> impl AtatIngress + 'a {
//!     Ingress::<_, UrcBuf<1024>, INGRESS, 4, 1>::new(AtatDigester::<INGRESS>::new(), buf, slot, urcs)
//! }
//!
//! /// Your own atat client, with your other commands, sends ml302's too.
//! fn modem_state<A: AtatClient>(atat: &mut A) -> Result<u8, atat::Error> {
//!     atat.send(&At)?;
//!     Ok(atat.send(&QueryState)?.0)
//! }
//! ```
//!
//! **Which client?** Take atat's client with [`atat_digester::AtatDigester`]
//! when your firmware already runs atat for other commands (the modem's
//! network, GNSS, SMS…) and you want `ml302`'s typed commands beside them, one
//! at a time, with your own handling of messages and events. Take `ml302`'s
//! own client ([`blocking::Client`], [`asynch::Client`]) for everything else:
//! it tracks the link state, correlates ACKs, re-subscribes after a reconnect,
//! sends length-mode publishes (atat's clients cannot answer the `>` prompt),
//! keeps messages larger than its ingress (atat needs a whole message in its
//! ingress buffer; a larger one is reported as [`Urc::MessageTooLarge`]),
//! reads answers without echo (with atat, keep the module's echo on: the
//! digester reads it to tell `+MQTTOPEN:`, `+MQTTDISC:`, `+MQTTTO:` answers
//! from events), and copies every byte once.

#[cfg(any(test, feature = "std"))]
extern crate std;

#[macro_use]
mod fmt;

#[macro_use]
mod face;
#[macro_use]
pub mod outbox;
#[macro_use]
pub mod recover;

pub mod asynch;
pub mod atat_digester;
pub mod blocking;
pub mod clock;
pub mod command;
pub mod config;
pub mod dialect;
pub mod digest;
pub mod error;
pub mod line;
#[cfg(feature = "nb")]
pub mod nb;
pub mod network;
#[cfg(feature = "std")]
pub mod serial;
pub mod session;
pub mod split;
pub mod text;
pub mod types;
pub mod urc;

pub use clock::Clock;
#[cfg(feature = "std")]
pub use clock::StdClock;
pub use config::{MqttConfig, Will};
pub use dialect::Dialect;
pub use digest::{Digester, Frame, Publish};
pub use error::{CmeError, Error, FramingError, Retry, Rule, ValidationError};
pub use network::{
    BringUpCause, BringUpError, BringUpStep, NetworkConfig, NetworkInfo, NetworkStatus,
};
pub use recover::{RecoverCause, RecoverError, Recovery, ResetPulse, Rung};
pub use session::{
    Event, Incoming, LinkState, Message, Published, ReportedConfig, Stats, Subscribed,
};
pub use types::{ModemState, QoS, TimeoutKind};
pub use urc::Urc;
