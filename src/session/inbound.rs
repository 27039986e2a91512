//! Frames from the digester: which belong to the pending command, which are
//! unsolicited (spec §3.10), and what they change.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use heapless::String;

use crate::digest::{Frame, Publish};
use crate::error::CmeError;
use crate::line::{parse_sub_entry, Line};
use crate::types::{QoS, TimeoutKind};
use crate::urc::Urc;

use super::inbox::Entry;
use super::pending::{ack, Final, Kind, Prompt};
use super::types::{Event, LineText, LinkState};
use super::Core;

/// Copies `s` into the empty bounded string `out`, truncating at a
/// character boundary.
fn put_bounded<const N: usize>(out: &mut String<N>, s: &str) {
    let mut end = s.len().min(N);
    while !s.is_char_boundary(end) {
        end = end.saturating_sub(1);
    }
    // Fits: at most `N` bytes, cut at a character boundary.
    let _ = out.push_str(s.get(..end).unwrap_or_default());
}

fn is_echo(line: &[u8]) -> bool {
    matches!(line, [b'A' | b'a', b'T' | b't', ..])
}

impl<const TOPIC: usize, const PAYLOAD: usize, const QUEUE: usize, const SUBS: usize>
    Core<TOPIC, PAYLOAD, QUEUE, SUBS>
{
    /// Handles one frame; returns whether the digester must recognise a `>`
    /// prompt next.
    pub(super) fn on_frame(&mut self, frame: Frame<'_>) -> bool {
        match frame {
            Frame::Ok => self.on_final(Final::Ok),
            Frame::Error => self.on_final(Final::Error),
            // Some codes concern packets the broker sent: never a command's result.
            Frame::Cme(n) => match Urc::from_cme(CmeError::from_code(n)) {
                Some(urc) => self.unsolicited(urc),
                None => self.on_final(Final::Cme(n)),
            },
            Frame::Prompt => {
                if let Some(p) = self.pending.as_mut() {
                    if p.prompt == Prompt::Waiting {
                        p.prompt = Prompt::Ready;
                    }
                }
            }
            Frame::Publish(m) => self.on_message(&m),
            Frame::MessageTooLarge { topic, len } => self.on_too_large(topic, len),
            Frame::Malformed(e) => {
                self.stats.framing_errors = self.stats.framing_errors.saturating_add(1);
                self.push_event(Event::Framing(e));
            }
            Frame::Line(bytes) => self.on_line(bytes),
        }
        self.pending.as_ref().is_some_and(|p| p.waits_for_prompt())
    }

    fn on_final(&mut self, f: Final) {
        let Some(p) = self.pending.as_mut() else {
            self.stray();
            return;
        };
        if !p.written {
            self.stray();
            return;
        }
        match p.kind {
            // Results before the marker belong to the command that timed out.
            Kind::Resync if p.acks & ack::ANSWER == 0 => {
                self.stats.stray_lines = self.stats.stray_lines.saturating_add(1);
                return;
            }
            // `OK` before the prompt of a length-mode publish cannot be ours: the
            // command cannot succeed before its payload was sent. A late answer.
            _ if p.prompt == Prompt::Waiting && f == Final::Ok => {
                self.stray();
                return;
            }
            // A length-mode publish refused before its prompt: the payload must
            // not be sent (the prompt never comes).
            _ if p.prompt == Prompt::Waiting => p.prompt = Prompt::NotNeeded,
            _ => {}
        }
        if p.final_.is_some() {
            self.stray();
            return;
        }
        p.final_ = Some(f);
    }

    #[inline(never)]
    fn stray(&mut self) {
        self.stats.stray_lines = self.stats.stray_lines.saturating_add(1);
        debug!("result line that belongs to no pending command");
    }

    /// A message whose payload the framer wrote into the next free inbox slot:
    /// the slot's entry is filled in and queued.
    fn on_message(&mut self, m: &Publish<'_>) {
        self.push_incoming(
            m.topic,
            Entry {
                topic: String::new(),
                len: m.payload.len(),
                too_large: false,
                qos: m.qos,
                retained: m.retained,
                dup: m.dup,
                packet_id: m.packet_id,
            },
        );
    }

    /// A message whose payload was not kept: too large for a payload buffer
    /// (reported in the inbox), or the inbox was full when it began (counted as
    /// dropped, like any message the inbox refuses).
    fn on_too_large(&mut self, topic: &str, len: usize) {
        if len <= PAYLOAD {
            self.drop_incoming();
            return;
        }
        self.stats.messages_too_large = self.stats.messages_too_large.saturating_add(1);
        self.push_incoming(
            topic,
            Entry {
                topic: String::new(),
                len,
                too_large: true,
                qos: QoS::AtMostOnce,
                retained: false,
                dup: false,
                packet_id: 0,
            },
        );
    }

    /// Queues an incoming entry, its topic (`entry`'s is empty) copied
    /// straight into the inbox slot. When the inbox is full the newest is
    /// refused, counted, and reported as [`Event::MessagesDropped`] (coalesced).
    /// Always inlined: the entry each caller builds is then written into the
    /// slot field by field (an out-of-line call would copy all of it, empty
    /// topic buffer included).
    #[inline(always)]
    fn push_incoming(&mut self, topic: &str, entry: Entry<TOPIC>) {
        match self.inbox.push(entry) {
            Ok(queued) => put_bounded(&mut queued.topic, topic),
            Err(_) => self.drop_incoming(),
        }
    }

    /// Counts and reports a message the inbox could not take.
    fn drop_incoming(&mut self) {
        self.stats.messages_dropped = self.stats.messages_dropped.saturating_add(1);
        warn!("inbox full: message dropped");
        if let Some(Event::MessagesDropped(n)) = self.events.back_mut() {
            *n = n.saturating_add(1);
            return;
        }
        self.push_event(Event::MessagesDropped(1));
    }

    /// Reports a line nobody expected as [`Event::UnknownLine`].
    #[inline(never)]
    fn unknown_line(&mut self, line: &[u8]) {
        self.push_event(Event::UnknownLine(LineText::new(line)));
    }

    pub(super) fn push_event(&mut self, e: Event) {
        if self.events.push_back(e).is_err() {
            self.stats.events_dropped = self.stats.events_dropped.saturating_add(1);
            self.unreported_events_dropped = self.unreported_events_dropped.saturating_add(1);
        }
    }

    fn pending_kind(&self) -> Option<Kind> {
        self.pending.as_ref().filter(|p| p.written).map(|p| p.kind)
    }

    fn on_line(&mut self, bytes: &[u8]) {
        let kind = self.pending_kind();
        let line = Line::parse(bytes);
        // Any command's answer: every information line but the echo and the
        // unsolicited ones, of which a line named after the command is not one.
        if let Some(Kind::Raw) = kind {
            match Urc::from_line(&line) {
                _ if is_echo(bytes) => {}
                Some(urc) if !self.names_pending_command(bytes) => self.unsolicited(urc),
                _ => self.keep_answer(bytes),
            }
            return;
        }
        // Entries of the AT+MQTTSUB? list are raw topic lines (spec §3.10 last row);
        // network and boot lines are events even there, and a line no topic
        // filter can be (`+CSQ: …`) is an unknown line.
        if let (Some(Kind::QuerySubs { header: true }), Line::Text(text)) = (kind, line) {
            if let Some(urc) = Urc::from_line(&line) {
                self.unsolicited(urc);
            } else if parse_sub_entry(text).is_some() {
                self.keep_answer(text);
            } else {
                self.unknown_line(text);
            }
            return;
        }
        let Some(p) = self.pending.as_mut().filter(|p| p.written) else {
            self.unclaimed(line);
            return;
        };
        // A length-mode publish collects no acknowledgement before its payload went
        // out: such lines are late answers of an earlier command.
        if p.prompt == Prompt::Waiting
            && matches!(
                line,
                Line::PubAck { .. } | Line::PubRec { .. } | Line::PubComp { .. }
            )
        {
            self.stray();
            return;
        }
        match (p.kind, line) {
            (Kind::QueryConfig | Kind::Resync, Line::Cfg(_) | Line::CfgNoClient) => {
                p.acks |= ack::ANSWER;
                if let Line::Cfg(_) = line {
                    // Kept (after the command in `tx`) for `reported_config`.
                    self.keep_answer(bytes);
                }
            }
            (Kind::QuerySubs { .. }, Line::SubListHeader) => {
                p.kind = Kind::QuerySubs { header: true };
            }
            (Kind::Disconnect, Line::Disc) => {}
            (_, Line::Text(t)) if is_echo(t) => {}
            // No pending command claims a `+CEREG:`, `+CGREG:` or `+CPIN:` line
            // (the session has no such query), so each is an event. A query of
            // them, once the session carries one, claims its line here, before
            // `Urc::from_line` is asked: the module prints the same line as
            // answer and as report.
            _ => {
                if !p.claim(&line) {
                    self.unclaimed(line);
                }
            }
        }
    }

    /// A line no pending command claims (spec §3.10): what [`Urc::from_line`]
    /// makes of it, or a late answer.
    fn unclaimed(&mut self, line: Line<'_>) {
        match (Urc::from_line(&line), line) {
            (Some(urc), _) => self.unsolicited(urc),
            (None, Line::Text(t)) if is_echo(t) => {}
            // Text nobody expected (another command's answer, another modem's
            // line): the caller sees it.
            (None, Line::Text(t)) => self.unknown_line(t),
            // An answer shape of an MQTT command: a late answer.
            (None, _) => self.stray(),
        }
    }

    /// An unsolicited frame or line.
    fn unsolicited(&mut self, urc: Urc<'_>) {
        let event = match urc {
            Urc::AckTimeout(kind) => {
                if kind == TimeoutKind::Ping {
                    self.lost_pings = self.lost_pings.saturating_add(1);
                    // Three lost pings: the module declares the link dead (§5.4).
                    if self.lost_pings >= 3 && self.link == LinkState::Connected {
                        self.link = LinkState::Reconnecting;
                    }
                }
                Event::AckTimeout(kind)
            }
            Urc::ReconnectAttempt(n) => {
                self.stats.reconnect_attempts = self.stats.reconnect_attempts.saturating_add(1);
                if self.link != LinkState::NoClient {
                    self.link = LinkState::Reconnecting;
                }
                Event::ReconnectAttempt(n)
            }
            Urc::Reopened(true) => {
                self.connected();
                Event::Reconnected
            }
            Urc::Reopened(false) => Event::ReconnectRefused,
            Urc::Disconnected => {
                if self.link != LinkState::NoClient {
                    self.link = LinkState::Idle;
                }
                self.resubscribe_from = None;
                Event::Disconnected
            }
            Urc::PingResp => {
                self.lost_pings = 0;
                Event::PingResp
            }
            Urc::PubRel { packet_id, .. } => Event::PubRel { packet_id },
            Urc::Unknown(b) => return self.unknown_line(b),
            Urc::Registration(r) => Event::Registration(r),
            Urc::Pdp(e) => Event::Pdp(e),
            Urc::Sim(s) => Event::Sim(s),
            Urc::BadIncomingPublish => Event::ModemError(CmeError::BadIncomingPublish),
            Urc::BadIncomingPubRel => Event::ModemError(CmeError::BadIncomingPubRel),
            // The module lost its MQTT client and every setting (NETWORK.md §4).
            Urc::Restarted => return self.restarted(),
            // Messages are length-framed by the digester and reach `on_frame`
            // as such; a line never decodes into one.
            Urc::Publish(_) => return self.stray(),
            Urc::MessageTooLarge { topic, len } => return self.on_too_large(topic, len),
        };
        self.push_event(event);
    }
}
