//! Board support for the ml302 reference firmware: the LM3S6965 (Cortex-M3)
//! that QEMU's `lm3s6965evb` machine emulates.
//!
//! * [`uart`]: UART0 with an RX interrupt that fills a lock-free SPSC ring; the
//!   port implements `embedded_io` (`read` sleeps until the ring holds a byte,
//!   `read_ready` says whether it does), `embedded_io_async` (`read` awaits a
//!   waker the interrupt wakes), and, as [`uart::NbUart`], the nb-based serial
//!   traits of `embedded-hal-nb`.
//! * [`time`]: a 1 kHz SysTick that drives an [`ml302::Clock`], an
//!   [`embedded_hal_async::delay::DelayNs`] and a blocking
//!   [`embedded_hal::delay::DelayNs`] that sleeps with `wfi`.
//! * [`exec`]: a no-alloc, single-future executor that sleeps with `wfi`.
//! * [`stack`]: the measured stack high-water mark (cortex-m-rt paints the stack
//!   at reset).
//!
//! Nothing here formats text or can panic; binaries that report through
//! semihosting do their formatting themselves.
#![no_std]
#![deny(missing_docs)]

pub mod exec;
pub mod script;
pub mod stack;
pub mod time;
pub mod uart;

use cortex_m_rt::{exception, ExceptionFrame};
use cortex_m_semihosting::{debug, hio};

/// The CPU clock. QEMU's LM3S6965 model runs the core (and SysTick's processor
/// clock source) at 12.5 MHz after reset; the real part runs from its 12 MHz
/// internal oscillator until the PLL is set up.
pub const SYSCLK_HZ: u32 = 12_500_000;

/// Brings the board up: UART0 with its RX interrupt, and the 1 ms SysTick.
/// Returns the port; call once (later calls return `None`).
pub fn init() -> Option<uart::Uart> {
    let uart = uart::Uart::take()?;
    time::start();
    Some(uart)
}

/// Writes raw text to the host through semihosting (no formatting, no panic
/// path).
pub fn host_write(bytes: &[u8]) {
    if let Ok(mut out) = hio::hstdout() {
        let _ = out.write_all(bytes);
    }
}

/// Ends the program: QEMU exits with status 0 (`ok`) or 1.
pub fn exit(ok: bool) -> ! {
    debug::exit(if ok {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    // Only reached without a semihosting host (a real board without a debugger).
    loop {
        cortex_m::asm::wfi();
    }
}

#[exception]
unsafe fn HardFault(_frame: &ExceptionFrame) -> ! {
    host_write(b"result FAIL hardfault\n");
    exit(false)
}

#[exception]
unsafe fn DefaultHandler(_irqn: i16) {
    host_write(b"result FAIL unexpected interrupt\n");
    exit(false)
}
