//! The board alone (UART0 interrupt ring, SysTick, semihosting exit), without the
//! driver: `scripts/footprint.sh` subtracts its sizes from `footprint`'s to
//! show what the client itself costs.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use embedded_io::{Read, Write};
use ml302::Clock;

#[entry]
fn main() -> ! {
    let Some(mut uart) = board::init() else {
        board::exit(false)
    };
    let mut clock = board::time::SysTickClock::new();
    let _ = uart.write_all(b"AT\r\n");
    let mut buf = [0u8; 64];
    let until = clock.now_ms() + 1_000;
    while clock.now_ms() < until {
        let Ok(n) = uart.read(&mut buf);
        if n > 0 {
            board::exit(true);
        }
        clock.idle();
    }
    board::exit(false)
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    board::exit(false)
}
