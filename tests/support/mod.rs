//! An in-memory scripted modem: a test double implementing the embedded-io
//! traits (blocking and async) that answers from a script, on a simulated clock.
#![allow(dead_code)]

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::convert::Infallible;
use std::rc::Rc;

use ml302::{Clock, NetworkConfig};

/// Simulated milliseconds shared by the modem, the clock and the delay.
#[derive(Clone, Default)]
pub struct SimTime(Rc<Cell<u64>>);

impl SimTime {
    pub fn now(&self) -> u64 {
        self.0.get()
    }
    pub fn advance(&self, ms: u64) {
        self.0.set(self.0.get() + ms);
    }
}

impl Clock for SimTime {
    fn now_ms(&mut self) -> u64 {
        self.now()
    }
    fn idle(&mut self) {
        self.advance(1);
    }
}

impl embedded_hal_async::delay::DelayNs for SimTime {
    async fn delay_ns(&mut self, ns: u32) {
        self.advance(u64::from(ns / 1_000_000).max(1));
    }
}

/// One exchange: when `expect` has been written, `reply` is sent after `delay_ms`.
pub struct Step {
    pub expect: Vec<u8>,
    pub reply: Vec<u8>,
    pub delay_ms: u64,
}

#[derive(Default)]
struct Inner {
    steps: VecDeque<Step>,
    written: Vec<u8>,
    out: VecDeque<(u64, u8)>,
    log: Vec<Vec<u8>>,
    one_byte: bool,
    mismatch: Option<String>,
}

/// The scripted modem. Clone it to keep a handle for assertions.
#[derive(Clone)]
pub struct Modem {
    inner: Rc<RefCell<Inner>>,
    pub time: SimTime,
}

impl Modem {
    pub fn new(time: SimTime) -> Self {
        Self {
            inner: Rc::default(),
            time,
        }
    }

    /// Hands out one byte per read.
    pub fn one_byte_reads(self) -> Self {
        self.inner.borrow_mut().one_byte = true;
        self
    }

    /// Expects the command line `cmd` (CR LF added) and answers `reply`.
    pub fn on(self, cmd: &str, reply: &[u8]) -> Self {
        self.on_delayed(cmd, reply, 0)
    }

    /// As [`Modem::on`], answering after `delay_ms`.
    pub fn on_delayed(self, cmd: &str, reply: &[u8], delay_ms: u64) -> Self {
        let mut expect = cmd.as_bytes().to_vec();
        expect.extend_from_slice(b"\r\n");
        self.on_bytes(&expect, reply, delay_ms)
    }

    /// Expects exactly these raw bytes (a length-mode payload) and answers `reply`.
    pub fn on_bytes(self, expect: &[u8], reply: &[u8], delay_ms: u64) -> Self {
        self.inner.borrow_mut().steps.push_back(Step {
            expect: expect.to_vec(),
            reply: reply.to_vec(),
            delay_ms,
        });
        self
    }

    /// Sends `bytes` now, unprompted (URCs).
    pub fn push(&self, bytes: &[u8]) {
        let now = self.time.now();
        let mut i = self.inner.borrow_mut();
        i.out.extend(bytes.iter().map(|b| (now, *b)));
    }

    /// Everything the client wrote, as separate writes grouped per step.
    pub fn log(&self) -> Vec<Vec<u8>> {
        self.inner.borrow().log.clone()
    }

    /// Bytes the client wrote that no step consumed yet.
    pub fn unconsumed(&self) -> Vec<u8> {
        self.inner.borrow().written.clone()
    }

    /// Panics unless every step ran and nothing unexpected was written.
    pub fn assert_done(&self) {
        let i = self.inner.borrow();
        if let Some(m) = &i.mismatch {
            panic!("{m}");
        }
        assert!(
            i.steps.is_empty(),
            "script not finished: next expected {:?}",
            i.steps
                .front()
                .map(|s| String::from_utf8_lossy(&s.expect).into_owned())
        );
        assert!(
            i.written.is_empty(),
            "unexpected bytes written: {:?}",
            String::from_utf8_lossy(&i.written)
        );
    }

    fn write_bytes(&self, buf: &[u8]) -> usize {
        let now = self.time.now();
        let mut i = self.inner.borrow_mut();
        i.written.extend_from_slice(buf);
        while let Some(step) = i.steps.front() {
            let n = step.expect.len();
            if i.written.len() < n {
                if !step.expect.starts_with(&i.written) && i.mismatch.is_none() {
                    i.mismatch = Some(format!(
                        "expected {:?}, got {:?}",
                        String::from_utf8_lossy(&step.expect),
                        String::from_utf8_lossy(&i.written)
                    ));
                }
                break;
            }
            if i.written[..n] != step.expect[..] {
                if i.mismatch.is_none() {
                    i.mismatch = Some(format!(
                        "expected {:?}, got {:?}",
                        String::from_utf8_lossy(&step.expect),
                        String::from_utf8_lossy(&i.written)
                    ));
                }
                break;
            }
            let step = i.steps.pop_front().expect("front exists");
            let line: Vec<u8> = i.written.drain(..n).collect();
            i.log.push(line);
            let at = now + step.delay_ms;
            i.out.extend(step.reply.iter().map(|b| (at, *b)));
        }
        buf.len()
    }

    /// Whether a byte is due now.
    pub fn ready(&self) -> bool {
        let now = self.time.now();
        self.inner
            .borrow()
            .out
            .front()
            .is_some_and(|&(at, _)| at <= now)
    }

    /// Whether bytes are scheduled, due now or later.
    pub fn pending(&self) -> bool {
        !self.inner.borrow().out.is_empty()
    }

    /// Reads what is due now without letting time pass (0 when nothing is).
    pub fn take_due(&self, buf: &mut [u8]) -> usize {
        let now = self.time.now();
        let mut i = self.inner.borrow_mut();
        let max = if i.one_byte { 1 } else { buf.len() };
        let mut n = 0;
        while n < max {
            match i.out.front() {
                Some(&(at, b)) if at <= now => {
                    buf[n] = b;
                    n += 1;
                    i.out.pop_front();
                }
                _ => break,
            }
        }
        n
    }

    /// What the async face reads: what is due, and when nothing is, time
    /// passes by a millisecond and the answer is 0.
    fn read_bytes(&self, buf: &mut [u8]) -> usize {
        let n = self.take_due(buf);
        if n == 0 {
            // Time passes while the line is quiet.
            self.time.advance(1);
        }
        n
    }
}

impl embedded_io::ErrorType for Modem {
    type Error = Infallible;
}

impl embedded_io::Read for Modem {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        Ok(self.read_bytes(buf))
    }
}

impl embedded_io::ReadReady for Modem {
    /// Whether a byte is due now (time does not pass: the client's clock idles).
    fn read_ready(&mut self) -> Result<bool, Infallible> {
        Ok(self.ready())
    }
}

impl embedded_io::Write for Modem {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        Ok(self.write_bytes(buf))
    }
    fn flush(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}

impl embedded_io_async::Read for Modem {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        Ok(self.read_bytes(buf))
    }
}

impl embedded_io_async::Write for Modem {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        Ok(self.write_bytes(buf))
    }
    async fn flush(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}

/// `\r\n<line>\r\n` for each line.
pub fn lines(ls: &[&str]) -> Vec<u8> {
    let mut v = Vec::new();
    for l in ls {
        v.extend_from_slice(b"\r\n");
        v.extend_from_slice(l.as_bytes());
        v.extend_from_slice(b"\r\n");
    }
    v
}

// ------------------------------------------------------------ network scripts

/// Network steps of a few simulated seconds: the scripted bring-up and
/// recovery tests. Short step times, so that time-outs come in a few simulated seconds: polls
/// at 0, ~1 s and ~2 s, then the step runs out at 2.5 s.
pub fn quick_network(apn: Option<&str>) -> NetworkConfig<'_> {
    NetworkConfig {
        apn,
        sync_ms: 2_500,
        sim_ms: 2_500,
        radio_ms: 2_500,
        registration_ms: 2_500,
        pdp_ms: 2_500,
        address_ms: 2_500,
        command_ms: 500,
        poll_interval_ms: 1_000,
    }
}

pub fn ok() -> Vec<u8> {
    lines(&["OK"])
}

pub fn answer(line: &str) -> Vec<u8> {
    lines(&[line, "OK"])
}

/// Sync, echo off, numeric errors.
pub fn synced(m: Modem) -> Modem {
    m.on("AT", &ok()).on("ATE0", &ok()).on("AT+CMEE=1", &ok())
}

/// Up to the PDP mode: SIM ready, radio on.
pub fn sim_and_radio(m: Modem) -> Modem {
    synced(m)
        .on("AT+CPIN?", &answer("+CPIN: READY"))
        .on("AT+CFUN?", &answer("+CFUN: 1"))
}

/// From the context's activity on: active, address, identity, signal.
pub fn link_and_identity(m: Modem) -> Modem {
    m.on("AT+CGACT?", &answer("+CGACT: 1,1"))
        .on("AT+CGPADDR=1", &answer("+CGPADDR: 1,\"10.64.0.2\""))
        .on("AT+CGSN=1", &answer("+CGSN: 869597030000009"))
        .on("AT+ICCID", &answer("+ICCID: 89860012345678901234"))
        .on("AT+CIMI", &answer("460041234567890"))
        .on("AT+CSQ", &answer("+CSQ: 20,99"))
}

pub fn automatic_up(m: Modem) -> Modem {
    link_and_identity(
        sim_and_radio(m)
            .on("AT+VERCTRL?", &answer("+VERCTRL: 0,1"))
            .on("AT+CEREG?", &answer("+CEREG: 0,1")),
    )
}
