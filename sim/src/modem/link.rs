//! The module's end of its TCP (or TLS) link to the broker: at most one link at a time,
//! numbered so that events of a dropped one are ignored, with its thread
//! (`crate::mqtt`), its write half and the timing of the keep-alive.

use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rumqttc::mqttbytes::v4::Packet;

use crate::event::CoreEvent;
use crate::mqtt::{self, LinkShared, LinkTarget};
use crate::tls::{TlsTarget, Wire};

/// How far a link got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    /// TCP connect in progress.
    Connecting,
    /// CONNECT sent; the CONNACK is due by then.
    AwaitConnAck(Instant),
    /// The session is up.
    Up,
}

/// Why a link was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Purpose {
    /// `AT+MQTTOPEN`.
    Open,
    /// An automatic reconnect attempt.
    Reconnect,
}

/// One TCP link and its session timing.
pub(super) struct Link {
    pub gen: u64,
    shared: Arc<LinkShared>,
    thread: Option<JoinHandle<()>>,
    stream: Option<Wire>,
    pub phase: Phase,
    pub purpose: Purpose,
    /// When the module last sent a packet (the keep-alive counts from it).
    pub last_sent: Instant,
    /// A PINGREQ is unanswered.
    pub ping_out: bool,
    /// Pings lost in a row.
    pub lost_pings: u8,
}

/// The slot for the current link.
#[derive(Default)]
pub(super) struct Uplink {
    link: Option<Link>,
    /// A write failed; the module treats it as a closed link at its next step.
    broken: bool,
    gen: u64,
}

impl Uplink {
    /// The current link.
    pub fn current(&self) -> Option<&Link> {
        self.link.as_ref()
    }

    /// The current link, to change its timing.
    pub fn current_mut(&mut self) -> Option<&mut Link> {
        self.link.as_mut()
    }

    /// The phase of the current link.
    pub fn phase(&self) -> Option<Phase> {
        self.link.as_ref().map(|l| l.phase)
    }

    /// Whether events numbered `gen` belong to the current link.
    pub fn is_current(&self, gen: u64) -> bool {
        self.link.as_ref().is_some_and(|l| l.gen == gen)
    }

    /// The number of the newest link (current or dropped).
    pub fn gen(&self) -> u64 {
        self.gen
    }

    /// Whether a write failed since the last call (and clears it).
    pub fn take_broken(&mut self) -> bool {
        std::mem::take(&mut self.broken)
    }

    /// Drops any current link and starts a new one to `target` (over TLS with
    /// `tls`); its events arrive on
    /// `tx` as [`CoreEvent::Link`]. Returns `false` if there is no route (`None`: no
    /// PDP context) or its thread could not start: the link is then current, without
    /// thread, for the caller to fail it.
    pub fn start(
        &mut self,
        target: Option<LinkTarget>,
        tls: Option<TlsTarget>,
        purpose: Purpose,
        connect_limit: Duration,
        tx: Sender<CoreEvent>,
    ) -> bool {
        self.drop_link(false);
        self.gen += 1;
        let gen = self.gen;
        let shared = Arc::new(LinkShared::default());
        let thread = target.and_then(|target| {
            mqtt::spawn(target, tls, connect_limit, shared.clone(), move |ev| {
                let _ = tx.send(CoreEvent::Link(gen, ev));
            })
            .ok()
        });
        let started = thread.is_some();
        self.link = Some(Link {
            gen,
            shared,
            thread,
            stream: None,
            phase: Phase::Connecting,
            purpose,
            last_sent: Instant::now(),
            ping_out: false,
            lost_pings: 0,
        });
        started
    }

    /// The link is up: keep the write half, wait for the CONNACK until `deadline`.
    pub fn attach(&mut self, stream: Wire, deadline: Instant) {
        let _ = stream.set_write_timeout(Some(Duration::from_secs(20)));
        if let Some(l) = self.link.as_mut() {
            l.stream = Some(stream);
            l.phase = Phase::AwaitConnAck(deadline);
        }
    }

    /// Closes the link (with DISCONNECT first if `graceful` and the session is up)
    /// and joins its thread.
    pub fn drop_link(&mut self, graceful: bool) {
        if let Some(mut link) = self.link.take() {
            if graceful && link.phase == Phase::Up {
                if let Some(s) = link.stream.as_mut() {
                    let _ = mqtt::write_packet(s, &Packet::Disconnect);
                }
            }
            if let Some(s) = link.stream.take() {
                s.shutdown();
            }
            link.shared.stop();
            if let Some(t) = link.thread.take() {
                let _ = t.join();
            }
        }
        self.broken = false;
    }

    /// Writes a packet on the current link, if it has a stream; a failed write
    /// marks the link broken.
    pub fn send(&mut self, p: &Packet) {
        let Some(link) = self.link.as_mut() else {
            return;
        };
        let Some(stream) = link.stream.as_mut() else {
            return;
        };
        if mqtt::write_packet(stream, p).is_err() {
            self.broken = true;
        } else {
            link.last_sent = Instant::now();
        }
    }
}
