//! A logging adapter for the serial port: it passes every byte through and, when
//! asked to, prints the AT exchange as a timed transcript.
//!
//! Bytes written by the host are shown line by line (`>`); the raw payload of a
//! length-mode `AT+MQTTPUB` is recognised from the command's announced length and
//! shown escaped on its own line. Bytes from the modem are cut into frames with
//! the driver's own [`Digester`], so a `+MQTTPUBLISH` whose payload holds CR LF is
//! still one transcript line (`<`). Everything shown goes through
//! [`ml302::command::redact`]: the password of `AT+MQTTCFG=` is masked, control
//! characters and bytes that are not UTF-8 are escaped (`\r`, `\n`, `\x00`).
//!
//! ```text
//! [  12.3 ms] > AT+MQTTSUB="ml302/demo/#",1
//! [  14.0 ms] < +MQTTSUBACK:3,1,ml302/demo/#
//! [  14.1 ms] < OK
//! ```

use std::io::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use ml302::command::redact;
use ml302::digest::{Digester, Frame};

/// Longest frame shown whole; longer ones are cut with a note of their size.
const SHOW_MAX: usize = 512;

/// Byte counters of a [`Tap`], readable while the client owns the port.
#[derive(Debug, Default)]
pub struct Counters {
    /// Bytes written to the modem.
    pub tx: AtomicU64,
    /// Bytes read from the modem.
    pub rx: AtomicU64,
}

/// Where a transcript goes.
pub type Sink = Box<dyn std::io::Write + Send>;

/// The port wrapper (see the module docs).
pub struct Tap<P> {
    inner: P,
    counters: Arc<Counters>,
    log: Option<Transcript>,
}

impl<P> Tap<P> {
    /// Wraps `inner`; with a sink, every exchanged line is printed there with its
    /// time since `start`.
    pub fn new(inner: P, sink: Option<Sink>, start: Instant) -> Self {
        Self {
            inner,
            counters: Arc::default(),
            log: sink.map(|out| Transcript::new(out, start)),
        }
    }

    /// The byte counters (shared, so they can be read while a client owns the tap).
    pub fn counters(&self) -> Arc<Counters> {
        Arc::clone(&self.counters)
    }
}

impl<P: embedded_io::ErrorType> embedded_io::ErrorType for Tap<P> {
    type Error = P::Error;
}

impl<P: embedded_io::Read> embedded_io::Read for Tap<P> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        let n = self.inner.read(buf)?;
        let got = buf.get(..n).unwrap_or_default();
        self.counters.rx.fetch_add(n as u64, Ordering::Relaxed);
        if let Some(log) = &mut self.log {
            log.received(got);
        }
        Ok(n)
    }
}

impl<P: embedded_io::ReadReady> embedded_io::ReadReady for Tap<P> {
    fn read_ready(&mut self) -> Result<bool, Self::Error> {
        self.inner.read_ready()
    }
}

impl<P: embedded_io::Write> embedded_io::Write for Tap<P> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        let n = self.inner.write(buf)?;
        let sent = buf.get(..n).unwrap_or_default();
        self.counters.tx.fetch_add(n as u64, Ordering::Relaxed);
        if let Some(log) = &mut self.log {
            log.sent(sent);
        }
        Ok(n)
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        self.inner.flush()
    }
}

/// The transcript state: partial lines in both directions.
struct Transcript {
    out: Sink,
    start: Instant,
    tx_line: Vec<u8>,
    tx_payload_left: usize,
    tx_payload: Vec<u8>,
    rx: Cutter,
}

impl Transcript {
    fn new(out: Sink, start: Instant) -> Self {
        Self {
            out,
            start,
            tx_line: Vec::new(),
            tx_payload_left: 0,
            tx_payload: Vec::new(),
            rx: Cutter::new(),
        }
    }

    fn emit(&mut self, dir: char, text: &str) {
        let ms = self.start.elapsed().as_secs_f64() * 1000.0;
        // A closed stdout must not break the exchange with the modem.
        let _ = writeln!(self.out, "[{ms:>6.1} ms] {dir} {text}");
        let _ = self.out.flush();
    }

    fn sent(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            if self.tx_payload_left > 0 {
                let take = self.tx_payload_left.min(bytes.len());
                let (payload, rest) = bytes.split_at(take);
                self.tx_payload.extend_from_slice(payload);
                self.tx_payload_left -= take;
                bytes = rest;
                if self.tx_payload_left == 0 {
                    let payload = std::mem::take(&mut self.tx_payload);
                    let text = format!("[{} payload bytes] {}", payload.len(), shown(&payload));
                    self.emit('>', &text);
                }
                continue;
            }
            let end = bytes.iter().position(|&b| b == b'\n').map(|i| i + 1);
            let (part, rest) = bytes.split_at(end.unwrap_or(bytes.len()));
            self.tx_line.extend_from_slice(part);
            bytes = rest;
            if end.is_some() {
                let line = std::mem::take(&mut self.tx_line);
                let line = trim_line_end(&line);
                if let Some(len) = length_mode_len(line) {
                    self.tx_payload_left = len;
                    self.rx.expect_prompt();
                }
                let text = shown(line);
                self.emit('>', &text);
            }
        }
    }

    fn received(&mut self, bytes: &[u8]) {
        let mut texts = Vec::new();
        self.rx.feed(bytes, |_, text| texts.push(text));
        for text in texts {
            if !text.is_empty() {
                self.emit('<', &text);
            }
        }
    }
}

impl Drop for Transcript {
    fn drop(&mut self) {
        let tx = std::mem::take(&mut self.tx_line);
        if !trim_line_end(&tx).is_empty() {
            let text = format!("{} (unterminated)", shown(trim_line_end(&tx)));
            self.emit('>', &text);
        }
        let rx = std::mem::take(&mut self.rx.raw);
        let rx = trim_line_end(trim_line_start(&rx));
        if !rx.is_empty() {
            let text = format!("{} (incomplete)", shown(rx));
            self.emit('<', &text);
        }
    }
}

/// Cuts the modem's output into frames with the driver's digester and keeps the
/// raw bytes of each, so it can be shown as the modem printed it.
pub struct Cutter {
    digester: Box<Digester<1024, 65535>>,
    raw: Vec<u8>,
    after_prompt: bool,
}

impl Cutter {
    /// A cutter at the start of a stream.
    pub fn new() -> Self {
        Self {
            digester: Box::new(Digester::new()),
            raw: Vec::new(),
            after_prompt: false,
        }
    }

    /// Tells the digester that a `>` prompt is due (after a length-mode
    /// `AT+MQTTPUB=`).
    pub fn expect_prompt(&mut self) {
        self.digester.expect_prompt(true);
    }

    /// Feeds bytes; `f` gets each complete frame with its text (see [`render`]).
    pub fn feed(&mut self, mut bytes: &[u8], mut f: impl FnMut(&Frame<'_>, String)) {
        while !bytes.is_empty() {
            let (used, frame) = self.digester.feed(bytes);
            let (mut taken, rest) = bytes.split_at(used.min(bytes.len()));
            bytes = rest;
            if self.after_prompt && !taken.is_empty() {
                // The digester takes the space after `>` as part of the prompt.
                self.after_prompt = false;
                taken = taken.strip_prefix(b" ").unwrap_or(taken);
            }
            self.raw.extend_from_slice(taken);
            if let Some(frame) = frame {
                self.after_prompt = matches!(frame, Frame::Prompt);
                let text = render(&frame, &self.raw);
                self.raw.clear();
                f(&frame, text);
            }
        }
    }
}

impl Default for Cutter {
    fn default() -> Self {
        Self::new()
    }
}

/// The announced length of a length-mode `AT+MQTTPUB=` line (its last
/// parameter is an unquoted number), if it is one.
pub fn length_mode_len(line: &[u8]) -> Option<usize> {
    let rest = line.strip_prefix(b"AT+MQTTPUB=")?;
    let last = rest.rsplit(|&b| b == b',').next()?;
    let last = last.trim_ascii();
    if last.is_empty() || !last.iter().all(u8::is_ascii_digit) || last.len() > 6 {
        return None;
    }
    std::str::from_utf8(last)
        .ok()?
        .parse()
        .ok()
        .filter(|&n| n > 0)
}

/// `bytes` made fit for a terminal: password masked, control and non-UTF-8 bytes
/// escaped, cut after [`SHOW_MAX`] bytes.
pub fn shown(bytes: &[u8]) -> String {
    if bytes.len() > SHOW_MAX {
        let head = bytes.get(..SHOW_MAX).unwrap_or_default();
        format!("{}… ({} bytes in all)", redact(head), bytes.len())
    } else {
        redact(bytes).to_string()
    }
}

/// The text of a frame as the modem printed it: the raw bytes consumed for it,
/// without the line ends around it, escaped.
pub fn render(frame: &Frame<'_>, raw: &[u8]) -> String {
    let raw = trim_line_start(raw);
    match frame {
        // The payload may end in CR or LF itself: strip only the terminator.
        Frame::Publish(_) | Frame::MessageTooLarge { .. } => {
            shown(raw.strip_suffix(b"\r\n").unwrap_or(raw))
        }
        Frame::Malformed(e) => format!("!! {e}: {}", shown(trim_line_end(raw))),
        _ => shown(trim_line_end(raw)),
    }
}

fn trim_line_start(mut b: &[u8]) -> &[u8] {
    while let [b'\r' | b'\n', rest @ ..] = b {
        b = rest;
    }
    b
}

fn trim_line_end(mut b: &[u8]) -> &[u8] {
    while let [rest @ .., b'\r' | b'\n'] = b {
        b = rest;
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// A sink the test can read back.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn lines(sink: &Shared) -> Vec<String> {
        String::from_utf8(sink.0.lock().unwrap().clone())
            .unwrap()
            .lines()
            .map(|l| l.split_once("] ").unwrap().1.to_owned())
            .collect()
    }

    #[test]
    fn length_mode_is_recognised_from_the_last_parameter() {
        assert_eq!(length_mode_len(b"AT+MQTTPUB=\"t\",2,0,0,27"), Some(27));
        assert_eq!(length_mode_len(b"AT+MQTTPUB=\"t\",2,0,0,\"27\""), None);
        assert_eq!(length_mode_len(b"AT+MQTTSUB=\"t\",2"), None);
    }

    #[test]
    fn transcript_masks_the_password_and_keeps_payload_frames_whole() {
        let sink = Shared::default();
        let mut t = Transcript::new(Box::new(sink.clone()), Instant::now());
        t.sent(b"AT+MQTTCFG=\"h\",1883,\"id\",60,\"u\",\"secret\",1,\"\",0\r\n");
        t.sent(b"AT+MQTTPUB=\"t\",2,0,0,6\r\n");
        t.received(b"\r\n>");
        t.sent(b"a\r\n\"\x00\xff");
        t.received(
            b" \r\n+MQTTPUBACK:0,1\r\n+MQTTPUBLISH: 0,2,0,1,\"t\",6,a\r\n\"\x00\xff\r\n\r\nOK\r\n",
        );
        drop(t);
        let got = lines(&sink);
        assert_eq!(
            got,
            [
                r#"> AT+MQTTCFG="h",1883,"id",60,"u","***",1,"",0"#,
                r#"> AT+MQTTPUB="t",2,0,0,6"#,
                "< >",
                r#"> [6 payload bytes] a\r\n"\x00\xff"#,
                "< +MQTTPUBACK:0,1",
                r#"< +MQTTPUBLISH: 0,2,0,1,"t",6,a\r\n"\x00\xff"#,
                "< OK",
            ]
        );
        assert!(!sink.0.lock().unwrap().windows(6).any(|w| w == b"secret"));
    }
}
