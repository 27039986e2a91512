//! The module's serial output stage: one thread that paces bytes at a baud rate,
//! optionally splits them into random bursts, and hands them to the transport.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::rng::Rng;

/// A message to the output thread.
pub(crate) enum OutMsg {
    /// Bytes to send, in order.
    Data(Vec<u8>),
    /// Wake up and look at the sink's deadlines.
    Poke,
    /// Finish.
    Stop,
}

/// Where the output thread writes.
pub(crate) trait Sink: Send {
    /// Writes all bytes (or drops them if nobody listens). Must give up when `stop`
    /// becomes true.
    fn write_all(&mut self, data: &[u8], stop: &AtomicBool) -> io::Result<()>;
    /// Called after each wake-up: time-outs of waiting readers, if any.
    fn tick(&mut self) {}
    /// The next instant `tick` has something to do.
    fn next_deadline(&self) -> Option<Instant> {
        None
    }
    /// Called once when the thread ends.
    fn close(&mut self) {}
}

pub(crate) struct Pacer {
    pub baud: Option<u32>,
    pub bursts: Option<Rng>,
}

/// Runs the output thread until `Stop` (or every sender is gone).
pub(crate) fn run(
    rx: Receiver<OutMsg>,
    mut sink: Box<dyn Sink>,
    mut pacer: Pacer,
    stop: Arc<AtomicBool>,
) {
    let mut line_free = Instant::now();
    loop {
        let wait = sink
            .next_deadline()
            .map(|d| d.saturating_duration_since(Instant::now()))
            .unwrap_or(Duration::from_secs(1))
            .min(Duration::from_secs(1));
        match rx.recv_timeout(wait) {
            Ok(OutMsg::Data(data)) => {
                write_paced(&mut *sink, &data, &mut pacer, &mut line_free, &stop);
            }
            Ok(OutMsg::Poke) | Err(RecvTimeoutError::Timeout) => {}
            Ok(OutMsg::Stop) | Err(RecvTimeoutError::Disconnected) => break,
        }
        sink.tick();
        if stop.load(Ordering::Relaxed) {
            break;
        }
    }
    sink.close();
}

fn write_paced(
    sink: &mut dyn Sink,
    data: &[u8],
    pacer: &mut Pacer,
    line_free: &mut Instant,
    stop: &AtomicBool,
) {
    let mut rest = data;
    while !rest.is_empty() {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        let (n, gap) = match pacer.bursts.as_mut() {
            Some(rng) => {
                let n = 1 + rng.below(32) as usize;
                let gap = Duration::from_micros(rng.below(2_000));
                (n.min(rest.len()), gap)
            }
            None => (rest.len(), Duration::ZERO),
        };
        let (chunk, tail) = rest.split_at(n);
        rest = tail;
        // Pacing: a byte takes 10 bit times; the line is busy until `line_free`.
        if let Some(baud) = pacer.baud {
            let now = Instant::now();
            if *line_free < now {
                *line_free = now;
            }
            // write byte by byte groups of up to 16 bytes so a reader sees a steady stream
            for piece in chunk.chunks(16) {
                sleep_until(*line_free, stop);
                if sink.write_all(piece, stop).is_err() {
                    return;
                }
                let nanos = piece.len() as u64 * 10 * 1_000_000_000 / u64::from(baud);
                *line_free += Duration::from_nanos(nanos);
            }
        } else if sink.write_all(chunk, stop).is_err() {
            return;
        }
        if !gap.is_zero() && !rest.is_empty() {
            sleep_until(Instant::now() + gap, stop);
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
