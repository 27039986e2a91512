//! The reference session through `ml302::asynch::Client` on the LM3S6965.
//!
//! The UART's async `read` awaits a waker that the RX interrupt wakes; the delay
//! is woken by SysTick; `board::exec::block_on` polls the one future and sleeps
//! with `wfi` in between (no allocator, no executor crate).
#![no_std]
#![no_main]

use board::script::{finish, AsyncClient, Failure, Slot};
use board::time::{SysTickClock, SysTickDelay};
use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;

static CLIENT: Slot<AsyncClient> = Slot::new();

board::session!([async] [.await] AsyncClient, "ml302-fw-asynch");

#[entry]
fn main() -> ! {
    hprintln!("boot asynch");
    let Some(uart) = board::init() else {
        finish(Err(Failure::Check("init")))
    };
    let Some(client) = CLIENT.init(|| AsyncClient::new(uart, SysTickClock::new(), SysTickDelay))
    else {
        finish(Err(Failure::Check("client storage")))
    };
    finish(board::exec::block_on(session(client)))
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    hprintln!("result FAIL panic {}", info);
    board::exit(false)
}
