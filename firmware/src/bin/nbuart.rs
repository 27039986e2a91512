//! The reference session through `ml302::blocking::Client` over a UART that
//! speaks only the nb-based serial traits of `embedded-hal-nb`.
//!
//! The board's UART0 (RX interrupt and ring, as in `blocking`) is wrapped as
//! `board::uart::NbUart` — one byte per call, `WouldBlock` when there is none —
//! and turned back into a port by `ml302::nb::NbSerial`. The client idles
//! through `ml302::clock::DelayIdle` with an `embedded_hal::delay::DelayNs`
//! (`board::time::SysTickSleep`) instead of the clock's own `wfi`. Each step is
//! reported through semihosting; QEMU exits with 0 on success.
#![no_std]
#![no_main]

use board::script::{finish, Failure, NbClient, Slot};
use board::time::{SysTickClock, SysTickSleep};
use board::uart::NbUart;
use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use ml302::clock::DelayIdle;
use ml302::nb::NbSerial;

/// How long the client sleeps between looks at an empty receive ring (µs;
/// `SysTickSleep` rounds it up to the next millisecond tick). The 1 KiB ring
/// holds about 90 ms of input at 115 200 baud.
const IDLE_US: u32 = 500;

static CLIENT: Slot<NbClient> = Slot::new();

board::session!([] [] NbClient, "ml302-fw-nbuart");

#[entry]
fn main() -> ! {
    hprintln!("boot nbuart");
    let Some(uart) = board::init() else {
        finish(Err(Failure::Check("init")))
    };
    let port = NbSerial::new(NbUart::new(uart));
    let clock = DelayIdle::new(SysTickClock::new(), SysTickSleep, IDLE_US);
    let Some(client) = CLIENT.init(|| NbClient::new(port, clock)) else {
        finish(Err(Failure::Check("client storage")))
    };
    finish(session(client))
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    hprintln!("result FAIL panic {}", info);
    board::exit(false)
}
