//! A software China Mobile ML302 LTE module, for testing the `ml302` driver (and
//! anything else that speaks the module's MQTT AT commands) without hardware.
//!
//! The simulator reads AT command lines on a serial line — a pseudo-terminal, an
//! existing device, TCP, or the in-memory `MemoryPort` — and answers as the
//! project's spec (`ML302-MQTT-AT.md`, §5.9) says the module does, while it speaks
//! real MQTT 3.1.1 over TCP to a real broker: by default an in-process broker
//! (`Broker`, rumqttd) on a free loopback port, to which every host named by
//! `AT+MQTTCFG` is routed.
//!
//! # A mock modem for your tests
//!
//! [`mock::MockModem`] is the short way in for other projects: one call gives
//! an in-memory serial port (`embedded_io` `Read + ReadReady + Write`) with the
//! simulated module and its broker behind it, faults on demand, and an MQTT
//! client on the broker to talk to the device under test. Take `ml302-sim` as a
//! dev-dependency and test your firmware's logic on the host.
//!
//! # Features
//!
//! | feature | default | what it adds |
//! | --- | --- | --- |
//! | `modem` | on | the simulated module: `Simulator`, `SimConfig`, the transports, the MQTT client and the in-process broker (tokio, rumqttc, rumqttd, nix) |
//!
//! The module's AT command-line parser, [`at`], is always there and has no
//! dependency: `ml302-sim = { path = "…", default-features = false }` builds only
//! it (the fuzz crate does).
#![cfg_attr(
    feature = "modem",
    doc = r#"
```
use std::io::Write;
use std::time::Duration;
use ml302_sim::{SimConfig, Simulator};

let (sim, mut port) = Simulator::in_memory(SimConfig::default().echo(false))?;
let t = Duration::from_secs(5);
port.write_all(b"AT+CMEE=1\r\n")?;
assert_eq!(port.read_until(b"\r\nOK\r\n", t)?, b"\r\nOK\r\n");
port.write_all(b"AT+MQTTCFG=\"broker.example\",1883,\"dev1\",60,\"\",\"\",1\r\n")?;
assert_eq!(port.read_until(b"\r\nOK\r\n", t)?, b"\r\nOK\r\n");
port.write_all(b"AT+MQTTOPEN=0,0,0,0,0,\"\",\"\"\r\n")?;
assert_eq!(port.read_until(b"\r\nOK\r\n", t)?, b"\r\n+MQTTOPEN:OK\r\n\r\nOK\r\n");
sim.shutdown();
# Ok::<(), std::io::Error>(())
```
"#
)]
//! # Decisions where the spec leaves room
//!
//! * **Errors.** `AT+CMEE` starts at 0 (plain `ERROR` for every failure), as 3GPP
//!   modems do; after `AT+CMEE=1` MQTT command failures read `+CME ERROR: <n>` with
//!   the codes of spec §4. `AT+MQTTCFG` failures, `AT+MQTTDISC` without a
//!   connection, unknown commands, test forms (`=?`) and broken syntax always give
//!   plain `ERROR` (spec §2.1, §2.7). Wrong state: SUB/UNSUB/PUB when not connected
//!   600, while reconnecting 617; OPEN without a configuration 601, when connected
//!   or reconnecting 602; DEL while connected 602.
//! * **Echo.** Each byte is echoed as it is processed; a LF right after a CR is
//!   swallowed, not echoed, so `AT\r\n` echoes `AT\r`. Bytes that arrive while a
//!   command blocks are buffered and processed (and echoed) after it. Length-mode
//!   payloads are never echoed.
//! * **URCs during a command** are held until the command's ACK line, then printed;
//!   the final `OK` follows after [`SimConfig::final_linger`], printing what arrives
//!   meanwhile — this reproduces manual example 3.2 (`+MQTTPUBACK`, `+MQTTPUBLISH`,
//!   `OK`). URCs are also held between the `>` prompt and the result of a
//!   length-mode `AT+MQTTPUB`, so nothing interrupts data entry.
//! * **Packet ids**: one counter for SUBSCRIBE, UNSUBSCRIBE and PUBLISH (QoS 0
//!   included), 1 after `AT+MQTTCFG`, 65535 → 1; the module's id is the MQTT packet
//!   identifier on the wire too. Duplicate subscribe: 606; unsubscribing an unknown
//!   topic: 621 (no packet is sent, no id used).
//! * **SUBACK** with a granted QoS other than the requested one is accepted and
//!   printed as granted; 128 gives `+MQTTSUBACK:<id>,128,<topic>` then 605.
//! * **Keep-alive.** A PINGREQ goes out after `<keepAlive>` seconds without a packet
//!   *sent* (MQTT 3.1.1 §3.1.2.10 counts the client's packets); each ping still open
//!   when the next is due prints `+MQTTTO: 5`, the third one drops the link.
//! * **`AT+MQTTPING`, `AT+MQTTREC`, `AT+MQTTTO`** are accepted in every state (OneOS
//!   sends `AT+MQTTTO` before `AT+MQTTCFG`); `AT+MQTTCFG` resets the time-out to
//!   10 s and PING echo to 0, as the OpenCPU library does.
//! * **TLS** (`<encrypt>`=1): the module runs TLS 1.2/1.3 (rustls) on its socket,
//!   trusting only the CA of [`SimConfig::ca_file`] (its "built-in certificates");
//!   the broker's certificate must name the host of `AT+MQTTCFG`. The in-process
//!   broker listens for TLS too with [`SimConfig::broker_tls`], and connections
//!   with `<encrypt>`=1 go there. A failed handshake (untrusted CA, wrong name,
//!   no TLS on the other end) ends `AT+MQTTOPEN` with 603: the socket was made,
//!   the connection to the broker failed (613 is for a socket that could not be
//!   created).
//! * **Another dialect** ([`SimConfig::dialect`]): the module plays a firmware
//!   of another MQTT AT command set as far as a driver's start-up sees it: none
//!   of this dialect's `AT+MQTT…` commands exists (plain `ERROR`, or
//!   `+CME ERROR: 100` with `AT+CMEE=1`), the other set's commands exist (their
//!   test form `AT+<name>=?` answers `OK`), though their other forms answer
//!   `ERROR`: no session runs in that dialect.
//! * **Reboot** ([`Fault::Reboot`], `AT+CFUN=1,1` after its `OK`): silence for
//!   [`SimConfig::boot_time`], input discarded, then `RDY` and `+CPIN: <state>`
//!   (NETWORK.md's choice; nothing about the SIM when there is none), or the
//!   [`SimConfig::boot_banner`] instead when one is set. Every setting is lost, the
//!   network ones included. The simulator's start prints nothing (the module's first
//!   boot happened before anyone listened) unless a banner is set.
//! * **Network** (NETWORK.md): by default the SIM is ready and the module registered
//!   (home) with its PDP context up before it answers its first command
//!   ([`SimConfig::registration_delay`] zero), so plain MQTT sessions need nothing
//!   more. URCs a network command causes (`+CEREG`, `+CGEV`, `+MQTTDISC`) come
//!   before its `OK`. `+CGEV` lines need `AT+CGEREP=1` (0 at power-up), `+CEREG`/
//!   `+CGREG` lines `AT+CEREG=1|2`. `AT+CSQ` answers `99,99` while not registered.
//!   A context deactivated by the network ([`Fault::PdpDeactivated`]) stays down until
//!   `AT+CGACT=1,1`; after [`Fault::RegistrationLost`] the module registers again
//!   and, in automatic mode, reactivates it. While the context is down `AT+MQTTOPEN`
//!   answers 600 and reconnect attempts fail at once. Refusals: no SIM 10, SIM
//!   locked 11, wrong PIN 16, not registered 30, `AT+CGACT=1,1` without a defined
//!   context or `AT+CGDCONT` while active 3; broken syntax plain `ERROR`. Only
//!   context 1 exists. `AT+VERCTRL` takes effect at the next registration. IMEI
//!   (Luhn), ICCID (`898600…`, Luhn) and IMSI (`46004…`) are drawn from the seed;
//!   `AT+CGSN=1` prints the IMEI bare; `AT+ICCID` works with a locked SIM.
//! * **Line limit**: a command line longer than [`SimConfig::max_line`] (1024 bytes
//!   with CR LF) is answered with `ERROR`.
//!
//! # The MQTT client
//!
//! The module's MQTT 3.1.1 client encodes and decodes packets with rumqttc's
//! codec (`rumqttc::mqttbytes::v4`) and runs the session itself on a blocking TCP
//! socket, because the module's own rules do not fit rumqttc's event loop: the
//! packet id on the wire is the module's counter, the keep-alive allows three lost
//! pings, ACKs can be withheld or delayed for fault tests, and commands block until
//! their ACK.
//!
//! # Threads
//!
//! A simulator runs a module thread, an output thread, a serial reader thread (not
//! for [`MemoryPort`]), one thread per broker connection, and the broker's thread.
//! [`Simulator::shutdown`] (or drop) stops and joins all of them; see [`Broker`]
//! for the one parked thread rumqttd leaves behind.

#![deny(missing_docs)]
// The crate docs describe the simulator; without `modem` their links have no target.
#![cfg_attr(not(feature = "modem"), allow(rustdoc::broken_intra_doc_links))]

pub mod at;

#[cfg(feature = "modem")]
mod broker;
#[cfg(feature = "modem")]
mod config;
#[cfg(feature = "modem")]
mod event;
#[cfg(feature = "modem")]
mod input;
#[cfg(feature = "modem")]
pub mod mock;
#[cfg(feature = "modem")]
mod modem;
#[cfg(feature = "modem")]
mod mqtt;
#[cfg(feature = "modem")]
mod output;
#[cfg(feature = "modem")]
mod port;
#[cfg(feature = "modem")]
mod rng;
#[cfg(feature = "modem")]
mod simulator;
#[cfg(feature = "modem")]
mod tls;

#[cfg(feature = "modem")]
pub use broker::{Broker, BrokerConfig};
#[cfg(feature = "modem")]
pub use config::{
    BrokerMode, Dialect, Fault, Quirks, Received, Registration, SimCard, SimConfig, Spelling,
    Target, Transport, LTE_ROUND_TRIP_MS,
};
#[cfg(feature = "modem")]
pub use port::{MemoryPort, MemoryPortError};
#[cfg(feature = "modem")]
pub use simulator::*;
