//! The module's serial input stage when the line is paced: bytes the host wrote
//! reach the module no faster than the baud rate allows (10 bits per byte), as
//! they would over a real UART, whatever speed the transport (a PTY, a socket)
//! delivered them at.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::event::CoreEvent;

/// Bytes handed to the module at a time: small enough that the module sees a
/// steady stream, large enough not to wake for every byte.
const PIECE: usize = 16;

/// How long one byte takes on the line at `baud` (start bit, 8 data bits, stop bit).
pub(crate) fn byte_time(bytes: usize, baud: u32) -> Duration {
    Duration::from_nanos(bytes as u64 * 10 * 1_000_000_000 / u64::from(baud.max(1)))
}

/// Runs the input pacer until `stop` (or every sender is gone): line bytes from
/// `rx` go on to `tx` when the last of them would have arrived at `baud`; other
/// events pass straight through.
pub(crate) fn run(
    rx: Receiver<CoreEvent>,
    tx: Sender<CoreEvent>,
    baud: u32,
    stop: Arc<AtomicBool>,
) {
    // When the line has finished carrying what it was given so far.
    let mut line_free = Instant::now();
    loop {
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(CoreEvent::Input(data)) => {
                let now = Instant::now();
                if line_free < now {
                    line_free = now;
                }
                for piece in data.chunks(PIECE) {
                    line_free += byte_time(piece.len(), baud);
                    sleep_until(line_free, &stop);
                    if stop.load(Ordering::Relaxed)
                        || tx.send(CoreEvent::Input(piece.to_vec())).is_err()
                    {
                        return;
                    }
                }
            }
            Ok(other) => {
                if tx.send(other).is_err() {
                    return;
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        if stop.load(Ordering::Relaxed) {
            return;
        }
    }
}

fn sleep_until(t: Instant, stop: &AtomicBool) {
    loop {
        let now = Instant::now();
        if now >= t || stop.load(Ordering::Relaxed) {
            return;
        }
        std::thread::sleep((t - now).min(Duration::from_millis(50)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn bytes_reach_the_module_no_faster_than_the_baud_rate() {
        assert_eq!(byte_time(1, 115_200), Duration::from_nanos(86_805));
        let (in_tx, in_rx) = mpsc::channel();
        let (out_tx, out_rx) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let s = stop.clone();
        // 9600 baud: 96 bytes take 100 ms.
        let t = std::thread::spawn(move || run(in_rx, out_tx, 9600, s));
        let start = Instant::now();
        in_tx.send(CoreEvent::Input(vec![b'x'; 96])).unwrap();
        let mut got = 0;
        while got < 96 {
            match out_rx.recv_timeout(Duration::from_secs(5)) {
                Ok(CoreEvent::Input(d)) => got += d.len(),
                _ => panic!("input lost"),
            }
        }
        assert!(start.elapsed() >= Duration::from_millis(100));
        stop.store(true, Ordering::Relaxed);
        t.join().unwrap();
    }
}
