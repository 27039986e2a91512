//! The module's serial output: framing of lines, the echo of what it reads, URCs
//! held back while a command runs, the `AT+CMEE` error format, and the byte-level
//! output faults ([`Fault::DropByte`](crate::Fault::DropByte),
//! [`Fault::CorruptByte`](crate::Fault::CorruptByte), garbage).
//!
//! Everything the module prints goes through [`SerialOut`], in order, to the
//! output thread.

use std::sync::mpsc::Sender;

use crate::config::{Spelling, Target};
use crate::output::OutMsg;
use crate::rng::Rng;

/// What a piece of output is, for byte faults and for holding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Solicited: information line, ACK line, prompt or final result.
    Response,
    /// An unsolicited line (for `+MQTTPUBLISH`, its header).
    Urc,
    /// The payload bytes of a `+MQTTPUBLISH`.
    Payload,
    /// Bytes no fault touches.
    Raw,
}

/// `text` between CR LF pairs, as every line of the module is printed.
pub(super) fn framed(text: &str) -> Vec<u8> {
    let mut v = Vec::with_capacity(text.len() + 4);
    v.extend_from_slice(b"\r\n");
    v.extend_from_slice(text.as_bytes());
    v.extend_from_slice(b"\r\n");
    v
}

/// The module's side of the serial line, output direction.
pub(super) struct SerialOut {
    out: Sender<OutMsg>,
    rng: Rng,
    spelling: Spelling,
    /// `AT+CMEE`: 0 plain `ERROR`, 1 `+CME ERROR: <n>`.
    pub cmee: u8,
    /// Echoed input not yet sent (sent before any other output).
    echo_buf: Vec<u8>,
    /// URCs held while a command runs.
    held: Vec<(Kind, Vec<u8>)>,
    /// Pending byte faults: the output kind, and drop (`true`) or corrupt.
    byte_faults: Vec<(Target, bool)>,
}

impl SerialOut {
    /// Output to `out`, faults drawn from `seed`.
    pub fn new(out: Sender<OutMsg>, seed: u64, spelling: Spelling, cmee: u8) -> SerialOut {
        SerialOut {
            out,
            rng: Rng::new(seed),
            spelling,
            cmee,
            echo_buf: Vec::new(),
            held: Vec::new(),
            byte_faults: Vec::new(),
        }
    }

    /// After a reboot: nothing echoed or held, `AT+CMEE` back to `cmee`. Byte faults
    /// already injected stay armed.
    pub fn reset(&mut self, cmee: u8) {
        self.cmee = cmee;
        self.echo_buf.clear();
        self.held.clear();
    }

    /// The space after `+XXX:` in the spelling that has one (`" "` or `""`).
    pub fn sp(&self) -> &'static str {
        match self.spelling {
            Spelling::Manual => " ",
            Spelling::Chapter3 => "",
        }
    }

    /// The configured spelling.
    pub fn spelling(&self) -> Spelling {
        self.spelling
    }

    /// Echoes one input byte.
    pub fn echo(&mut self, b: u8) {
        self.echo_buf.push(b);
    }

    /// Sends the echoed bytes.
    pub fn flush_echo(&mut self) {
        if !self.echo_buf.is_empty() {
            let bytes = std::mem::take(&mut self.echo_buf);
            let _ = self.out.send(OutMsg::Data(bytes));
        }
    }

    /// Arms a byte fault for the next output of kind `target`.
    pub fn byte_fault(&mut self, target: Target, drop: bool) {
        self.byte_faults.push((target, drop));
    }

    /// Sends `n` random bytes now.
    pub fn garbage(&mut self, n: usize) {
        let bytes: Vec<u8> = (0..n).map(|_| self.rng.below(256) as u8).collect();
        self.emit(Kind::Raw, bytes);
    }

    /// Sends `bytes` (after the pending echo), applying an armed byte fault.
    pub fn emit(&mut self, kind: Kind, mut bytes: Vec<u8>) {
        self.flush_echo();
        if !bytes.is_empty() {
            let target = match kind {
                Kind::Response => Some(Target::Response),
                Kind::Urc => Some(Target::Urc),
                Kind::Payload => Some(Target::Payload),
                Kind::Raw => None,
            };
            if let Some(t) = target {
                if let Some(pos) = self.byte_faults.iter().position(|(ft, _)| *ft == t) {
                    let (_, drop) = self.byte_faults.remove(pos);
                    let at = self.rng.below(bytes.len() as u64) as usize;
                    if drop {
                        bytes.remove(at);
                    } else if let Some(b) = bytes.get_mut(at) {
                        *b ^= 1 + self.rng.below(255) as u8;
                    }
                }
            }
        }
        let _ = self.out.send(OutMsg::Data(bytes));
    }

    /// A solicited line.
    pub fn resp(&mut self, text: &str) {
        self.emit(Kind::Response, framed(text));
    }

    /// An unsolicited line printed now, never held.
    pub fn urc_now(&mut self, text: &str) {
        self.emit(Kind::Urc, framed(text));
    }

    /// `OK`.
    pub fn ok(&mut self) {
        self.resp("OK");
    }

    /// `ERROR`.
    pub fn plain_error(&mut self) {
        self.resp("ERROR");
    }

    /// `+CME ERROR: <code>` after `AT+CMEE=1`, else `ERROR`.
    pub fn cme(&mut self, code: u16) {
        if self.cmee >= 1 {
            self.resp(&format!("+CME ERROR: {code}"));
        } else {
            self.plain_error();
        }
    }

    /// An information line followed by `OK`.
    pub fn info(&mut self, text: &str) {
        self.resp(text);
        self.ok();
    }

    /// Prints `parts` now, or keeps them for [`SerialOut::flush_held`] if `hold`.
    pub fn urc_parts(&mut self, hold: bool, parts: Vec<(Kind, Vec<u8>)>) {
        if hold {
            self.held.extend(parts);
        } else {
            for (k, b) in parts {
                self.emit(k, b);
            }
        }
    }

    /// Whether URCs are waiting.
    pub fn has_held(&self) -> bool {
        !self.held.is_empty()
    }

    /// Prints the held URCs.
    pub fn flush_held(&mut self) {
        for (k, b) in std::mem::take(&mut self.held) {
            self.emit(k, b);
        }
    }

    /// Tells the output thread to finish.
    pub fn stop(&mut self) {
        self.flush_echo();
        let _ = self.out.send(OutMsg::Stop);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(rx: &std::sync::mpsc::Receiver<OutMsg>) -> Vec<u8> {
        let mut all = Vec::new();
        while let Ok(OutMsg::Data(d)) = rx.try_recv() {
            all.extend(d);
        }
        all
    }

    #[test]
    fn echo_goes_out_before_a_line_and_held_urcs_wait() {
        let (tx, rx) = std::sync::mpsc::channel();
        let mut s = SerialOut::new(tx, 1, Spelling::Manual, 0);
        s.echo(b'A');
        s.urc_parts(true, vec![(Kind::Urc, framed("+U"))]);
        s.ok();
        assert_eq!(drain(&rx), b"A\r\nOK\r\n");
        assert!(s.has_held());
        s.flush_held();
        assert_eq!(drain(&rx), b"\r\n+U\r\n");
    }

    #[test]
    fn cme_follows_cmee() {
        let (tx, rx) = std::sync::mpsc::channel();
        let mut s = SerialOut::new(tx, 1, Spelling::Chapter3, 0);
        s.cme(601);
        assert_eq!(drain(&rx), b"\r\nERROR\r\n");
        s.cmee = 1;
        s.cme(601);
        assert_eq!(drain(&rx), b"\r\n+CME ERROR: 601\r\n");
        assert_eq!(s.sp(), "");
    }

    #[test]
    fn a_drop_fault_takes_one_byte_of_the_next_output_of_its_kind() {
        let (tx, rx) = std::sync::mpsc::channel();
        let mut s = SerialOut::new(tx, 7, Spelling::Manual, 0);
        s.byte_fault(Target::Urc, true);
        s.resp("OK");
        assert_eq!(drain(&rx), b"\r\nOK\r\n", "a response is not a URC");
        s.urc_now("+MQTTREC:0");
        assert_eq!(drain(&rx).len(), b"\r\n+MQTTREC:0\r\n".len() - 1);
        s.urc_now("+MQTTREC:0");
        assert_eq!(drain(&rx), b"\r\n+MQTTREC:0\r\n", "one byte, once");
    }
}
