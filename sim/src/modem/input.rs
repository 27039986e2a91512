//! The module's serial input: bytes become command lines (with echo, backspace,
//! the line limit and the CR LF rule), or, in length mode, the payload announced by
//! `AT+MQTTPUB`.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::client::PubCmd;
use super::serial::SerialOut;

const CR: u8 = b'\r';
const LF: u8 = b'\n';

/// What the input is collecting.
pub(super) enum Mode {
    /// Command lines.
    Command,
    /// Length mode: waiting for the LF of the command's CR LF before the prompt.
    PromptWait {
        cmd: PubCmd,
        len: usize,
        until: Instant,
    },
    /// Length mode: collecting the announced bytes.
    Payload {
        cmd: PubCmd,
        need: usize,
        got: Vec<u8>,
        deadline: Instant,
    },
}

/// One thing the input has for the module.
pub(super) enum Step {
    /// A command line, without its terminator.
    Line(Vec<u8>),
    /// A line longer than the limit (what was kept of it).
    TooLong(Vec<u8>),
    /// Length mode: time to print the `>` prompt.
    Prompt,
    /// Length mode: the whole payload.
    Payload(PubCmd, Vec<u8>),
}

/// A length-mode timer that ran out.
pub(super) enum Expiry {
    /// The LF did not come: print the prompt anyway.
    Prompt,
    /// The payload did not come; the input is back in command mode.
    PayloadTimeout,
}

/// The module's side of the serial line, input direction.
pub(super) struct Input {
    /// `ATE`: echo what is read.
    pub echo: bool,
    /// The last command byte was a CR (a LF right after it is swallowed).
    pub last_cr: bool,
    max_line: usize,
    inbuf: VecDeque<u8>,
    line: Vec<u8>,
    line_too_long: bool,
    mode: Mode,
}

impl Input {
    /// Empty input; lines up to `max_line` bytes with CR LF.
    pub fn new(echo: bool, max_line: usize) -> Input {
        Input {
            echo,
            last_cr: false,
            max_line,
            inbuf: VecDeque::new(),
            line: Vec::new(),
            line_too_long: false,
            mode: Mode::Command,
        }
    }

    /// After a reboot: nothing buffered, command mode, echo as at power-up.
    pub fn reset(&mut self, echo: bool) {
        *self = Input::new(echo, self.max_line);
    }

    /// Queues bytes from the serial line.
    pub fn push(&mut self, bytes: Vec<u8>) {
        self.inbuf.extend(bytes);
    }

    /// How many bytes wait (a progress marker for the module loop).
    pub fn buffered(&self) -> usize {
        self.inbuf.len()
    }

    /// Whether the input collects command lines (not length-mode data).
    pub fn in_command_mode(&self) -> bool {
        matches!(self.mode, Mode::Command)
    }

    /// Length mode: the payload for `cmd` is `len` bytes. Returns whether the prompt
    /// is due now; otherwise it waits `lf_grace` for the LF of a CR LF.
    pub fn await_prompt(&mut self, cmd: PubCmd, len: usize, lf_grace: Duration) -> bool {
        let now = Instant::now();
        if self.last_cr {
            self.mode = Mode::PromptWait {
                cmd,
                len,
                until: now + lf_grace,
            };
            false
        } else {
            self.mode = Mode::PromptWait {
                cmd,
                len,
                until: now,
            };
            true
        }
    }

    /// Moves from waiting for the prompt to collecting the payload; `false` if the
    /// input was not waiting for the prompt.
    pub fn start_payload(&mut self, timeout: Duration) -> bool {
        let Mode::PromptWait { cmd, len, .. } = std::mem::replace(&mut self.mode, Mode::Command)
        else {
            return false;
        };
        self.last_cr = false;
        self.mode = Mode::Payload {
            cmd,
            need: len,
            got: Vec::with_capacity(len),
            deadline: Instant::now() + timeout,
        };
        true
    }

    /// The next length-mode deadline.
    pub fn deadline(&self) -> Option<Instant> {
        match &self.mode {
            Mode::Command => None,
            Mode::PromptWait { until, .. } => Some(*until),
            Mode::Payload { deadline, .. } => Some(*deadline),
        }
    }

    /// A length-mode timer due at `now`, if any.
    pub fn expire(&mut self, now: Instant) -> Option<Expiry> {
        match &self.mode {
            Mode::PromptWait { until, .. } if now >= *until => Some(Expiry::Prompt),
            Mode::Payload { deadline, .. } if now >= *deadline => {
                self.mode = Mode::Command;
                Some(Expiry::PayloadTimeout)
            }
            _ => None,
        }
    }

    /// Consumes buffered bytes (echoing them to `out`) until there is a [`Step`];
    /// `None` when more input is needed.
    pub fn next(&mut self, out: &mut SerialOut) -> Option<Step> {
        loop {
            match &mut self.mode {
                Mode::Command => {
                    let b = self.inbuf.pop_front()?;
                    if let Some(step) = self.command_byte(b, out) {
                        return Some(step);
                    }
                }
                Mode::PromptWait { .. } => {
                    if self.inbuf.front()? == &LF {
                        self.inbuf.pop_front();
                    }
                    return Some(Step::Prompt);
                }
                Mode::Payload { need, got, .. } => {
                    if self.inbuf.is_empty() {
                        return None;
                    }
                    let take = need.saturating_sub(got.len()).min(self.inbuf.len());
                    got.extend(self.inbuf.drain(..take));
                    if got.len() < *need {
                        return None;
                    }
                    let Mode::Payload { cmd, got, .. } =
                        std::mem::replace(&mut self.mode, Mode::Command)
                    else {
                        return None;
                    };
                    return Some(Step::Payload(cmd, got));
                }
            }
        }
    }

    fn command_byte(&mut self, b: u8, out: &mut SerialOut) -> Option<Step> {
        if self.last_cr && b == LF {
            self.last_cr = false;
            return None;
        }
        self.last_cr = false;
        if self.echo {
            out.echo(b);
        }
        match b {
            CR | LF => {
                self.last_cr = b == CR;
                let line = std::mem::take(&mut self.line);
                let too_long = std::mem::replace(&mut self.line_too_long, false);
                if too_long {
                    Some(Step::TooLong(line))
                } else if line.iter().all(|c| *c == b' ' || *c == b'\t') {
                    None
                } else {
                    Some(Step::Line(line))
                }
            }
            0x08 | 0x7f => {
                self.line.pop();
                None
            }
            _ => {
                // the line's content plus CR LF must fit `max_line`
                if self.line.len() + 1 + 2 > self.max_line {
                    self.line_too_long = true;
                } else {
                    self.line.push(b);
                }
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Spelling;
    use crate::output::OutMsg;

    fn lines(input: &mut Input, out: &mut SerialOut) -> Vec<String> {
        let mut v = Vec::new();
        while let Some(step) = input.next(out) {
            match step {
                Step::Line(l) => v.push(String::from_utf8_lossy(&l).into_owned()),
                Step::TooLong(l) => v.push(format!("too long {}", l.len())),
                Step::Prompt | Step::Payload(..) => v.push("length mode".into()),
            }
        }
        v
    }

    #[test]
    fn lines_backspace_crlf_and_the_limit() {
        let (tx, rx) = std::sync::mpsc::channel();
        let mut out = SerialOut::new(tx, 1, Spelling::Manual, 0);
        let mut input = Input::new(true, 10);
        input.push(b"ATX\x08\r\n  \r\nAT+ABCDEFGH\rAT\n".to_vec());
        assert_eq!(
            lines(&mut input, &mut out),
            ["AT", "too long 8", "AT"],
            "backspace, a blank line, a long line (8 bytes kept: 10 with CR LF), LF alone"
        );
        out.flush_echo();
        let Ok(OutMsg::Data(echo)) = rx.try_recv() else {
            panic!("no echo");
        };
        assert_eq!(
            echo, b"ATX\x08\r  \rAT+ABCDEFGH\rAT\n",
            "the LF after CR is not echoed"
        );
    }

    #[test]
    fn length_mode_collects_exactly_the_announced_bytes() {
        let (tx, _rx) = std::sync::mpsc::channel();
        let mut out = SerialOut::new(tx, 1, Spelling::Manual, 0);
        let mut input = Input::new(false, 1024);
        input.last_cr = true;
        let cmd = PubCmd {
            topic: "t".into(),
            qos: 0,
            retain: false,
            dup: false,
        };
        assert!(!input.await_prompt(cmd, 3, Duration::from_secs(1)));
        assert!(input.next(&mut out).is_none(), "waits for the LF");
        input.push(b"\nab".to_vec());
        assert!(matches!(input.next(&mut out), Some(Step::Prompt)));
        assert!(input.start_payload(Duration::from_secs(1)));
        assert!(input.next(&mut out).is_none(), "two of three bytes");
        input.push(b"cAT\r".to_vec());
        match input.next(&mut out) {
            Some(Step::Payload(cmd, got)) => {
                assert_eq!((cmd.topic.as_str(), &got[..]), ("t", &b"abc"[..]))
            }
            _ => panic!("no payload"),
        }
        assert!(matches!(input.next(&mut out), Some(Step::Line(l)) if l == b"AT"));
    }
}
