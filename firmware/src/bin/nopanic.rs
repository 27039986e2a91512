//! Link-time proof that the wire layer cannot panic.
//!
//! Bytes from the UART0 RX interrupt ring go through `ml302::Digester::feed`;
//! every frame through `ml302::urc::Urc::from_frame`, and every line through
//! `ml302::line::Line::parse`. The panic handler calls a function that exists
//! nowhere, so this program only links if the optimiser removed every panic path
//! of that code (release profile: opt-level "z", LTO, one codegen unit,
//! panic = "abort").
//!
//! Run it, it also works: it reports what it decodes through semihosting (fixed
//! strings only, no formatting) and exits with 0 on `+MQTTDISC: OK`.
#![no_std]
#![no_main]

use board::script::Slot;
use board::{exit, host_write};
use cortex_m_rt::entry;
use ml302::line::Line;
use ml302::{Digester, Frame, Urc};

static DIGESTER: Slot<Digester> = Slot::new();

#[entry]
fn main() -> ! {
    let Some(mut uart) = board::init() else {
        exit(false)
    };
    let Some(digester) = DIGESTER.init(Digester::new) else {
        exit(false)
    };
    host_write(b"nopanic ready\n");
    let mut buf = [0u8; 64];
    loop {
        let n = uart.drain(&mut buf);
        if n == 0 {
            cortex_m::asm::wfi();
            continue;
        }
        let mut rest = buf.get(..n).unwrap_or(&[]);
        while !rest.is_empty() {
            let (used, frame) = digester.feed(rest);
            if let Some(frame) = frame {
                if report(&frame) {
                    exit(true);
                }
            }
            rest = rest.get(used.max(1)..).unwrap_or(&[]);
        }
    }
}

/// Reports one frame; true when it is the end marker `+MQTTDISC: OK`.
fn report(frame: &Frame<'_>) -> bool {
    if let Frame::Line(bytes) = frame {
        if let Line::Text(_) = Line::parse(bytes) {
            host_write(b"text line\n");
        }
    }
    match Urc::from_frame(frame) {
        Some(Urc::Publish(p)) => {
            host_write(b"publish ");
            host_write(p.topic.as_bytes());
            host_write(b" ");
            host_write(p.payload);
            host_write(b"\n");
        }
        Some(Urc::MessageTooLarge { topic, .. }) => {
            host_write(b"too large ");
            host_write(topic.as_bytes());
            host_write(b"\n");
        }
        Some(Urc::Disconnected) => {
            host_write(b"disconnected\n");
            return true;
        }
        Some(Urc::Unknown(line)) => {
            host_write(b"unknown ");
            host_write(line);
            host_write(b"\n");
        }
        Some(_) => host_write(b"urc\n"),
        None => match frame {
            Frame::Ok => host_write(b"ok\n"),
            Frame::Malformed(_) => host_write(b"malformed\n"),
            _ => host_write(b"other\n"),
        },
    }
    false
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    extern "C" {
        /// Deliberately undefined: referencing it fails the link.
        fn ml302_panic_path_is_reachable() -> !;
    }
    // SAFETY: never called if the program links.
    unsafe { ml302_panic_path_is_reachable() }
}
