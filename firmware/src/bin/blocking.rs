//! The reference session through `ml302::blocking::Client` on the LM3S6965.
//!
//! Bytes from the modem reach the client through the UART0 RX interrupt and a
//! lock-free ring; time-outs come from SysTick; the client idles with `wfi`.
//! Each step is reported through semihosting; QEMU exits with 0 on success.
#![no_std]
#![no_main]

use board::script::{finish, BlockingClient, Failure, Slot};
use board::time::SysTickClock;
use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;

static CLIENT: Slot<BlockingClient> = Slot::new();

board::session!([] [] BlockingClient, "ml302-fw-blocking");

#[entry]
fn main() -> ! {
    hprintln!("boot blocking");
    let Some(uart) = board::init() else {
        finish(Err(Failure::Check("init")))
    };
    let Some(client) = CLIENT.init(|| BlockingClient::new(uart, SysTickClock::new())) else {
        finish(Err(Failure::Check("client storage")))
    };
    finish(session(client))
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    hprintln!("result FAIL panic {}", info);
    board::exit(false)
}
