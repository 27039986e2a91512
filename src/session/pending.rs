//! The command in flight: what completes it, and what it yields.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use heapless::String;

use crate::error::{CmeError, Error};
use crate::types::QoS;

use crate::line::Line;

use super::types::{LinkState, Published, Subscribed};
use super::{Core, Op};

/// What a finished command yields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Outcome {
    /// The command succeeded and yields nothing.
    Done,
    /// `AT+MQTTCFG?` answered; see [`super::Session::reported_config`]
    /// (`None` there: no client configured).
    Config,
    /// `AT+MQTTSTAT?` answered with this raw value.
    State(u8),
    /// `AT+MQTTSUB=` succeeded.
    Subscribed(Subscribed),
    /// `AT+MQTTSUB?` answered; see [`super::Session::listed_subscriptions`].
    SubscriptionList,
    /// `AT+MQTTUNSUB=` succeeded with this packet id.
    Unsubscribed(u16),
    /// `AT+MQTTPUB=` completed with every acknowledgement its QoS needs.
    Published(Published),
    /// `AT+MQTTPING?` answered.
    PingEcho(bool),
    /// `AT+MQTTREC?` answered.
    Reconnect {
        /// Automatic reconnection enabled.
        enabled: bool,
        /// Attempts made so far.
        attempts: u16,
    },
    /// `AT+MQTTTO?` answered with this many seconds.
    AckTimeout(u16),
    /// A command begun with [`super::Session::begin_raw`],
    /// [`super::Session::begin_command`] or [`super::Session::begin_atat`]
    /// ended in `OK`; its information lines are in
    /// [`super::Session::raw_answer`].
    Answered,
}

/// Which command is pending, with what it needs to complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub(super) enum Kind {
    Plain,
    Configure,
    QueryConfig,
    QueryState,
    QuerySubs {
        header: bool,
    },
    QueryPing,
    QueryRec,
    QueryTo,
    SetTo(u16),
    Open,
    Subscribe {
        qos: QoS,
    },
    Unsubscribe,
    Publish {
        qos: QoS,
        length_mode: bool,
    },
    Disconnect,
    Delete,
    /// `AT+MQTTCFG?` after a time-out: its `+MQTTCFG:` line (the
    /// [`ack::ANSWER`]) is the marker before which every result belongs to
    /// the command that timed out.
    Resync,
    /// Any command line: its information lines are kept as its answer.
    Raw,
}

impl Kind {
    pub(super) fn of(op: &Op<'_>) -> Kind {
        match op {
            Op::At | Op::EchoOff | Op::NumericErrors => Kind::Plain,
            Op::SetReconnect(_) | Op::SetPingEcho(_) => Kind::Plain,
            Op::Configure(_) => Kind::Configure,
            Op::QueryConfig => Kind::QueryConfig,
            Op::SetAckTimeout(s) => Kind::SetTo(*s),
            Op::QueryAckTimeout => Kind::QueryTo,
            Op::QueryReconnect => Kind::QueryRec,
            Op::QueryPingEcho => Kind::QueryPing,
            Op::Open(_) => Kind::Open,
            Op::QueryState => Kind::QueryState,
            Op::Subscribe(_, qos) => Kind::Subscribe { qos: *qos },
            Op::QuerySubscriptions => Kind::QuerySubs { header: false },
            Op::Unsubscribe(_) => Kind::Unsubscribe,
            Op::Publish { qos, .. } => Kind::Publish {
                qos: *qos,
                length_mode: false,
            },
            Op::Disconnect => Kind::Disconnect,
            Op::Delete => Kind::Delete,
        }
    }
}

/// The final result line, as far as it arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Final {
    Ok,
    Error,
    Cme(u16),
}

/// Progress of the `>` exchange of a length-mode publish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Prompt {
    NotNeeded,
    Waiting,
    Ready,
    Sent,
}

/// Bits of [`Pending::acks`]: the answer lines a command claimed.
pub(super) mod ack {
    /// The answer line of a query (`+MQTTCFG:`, `+MQTTSTAT:`, …); a repeated
    /// one replaces the first.
    pub(in crate::session) const ANSWER: u8 = 1;
    /// `+MQTTOPEN:`, `+MQTTSUBACK:`, `+MQTTUNSUBACK:` or `+MQTTPUBACK:`.
    pub(in crate::session) const ACK: u8 = 2;
    /// `+MQTTPUBREC:`.
    pub(in crate::session) const PUBREC: u8 = 4;
    /// `+MQTTPUBCOMP:`.
    pub(in crate::session) const PUBCOMP: u8 = 8;
}

impl Kind {
    /// The answer lines ([`ack`] bits) the command needs besides its final
    /// result.
    fn needs(self) -> u8 {
        match self {
            Kind::QueryConfig
            | Kind::Resync
            | Kind::QueryState
            | Kind::QueryPing
            | Kind::QueryTo
            | Kind::QueryRec => ack::ANSWER,
            Kind::Open
            | Kind::Subscribe { .. }
            | Kind::Unsubscribe
            | Kind::Publish {
                qos: QoS::AtLeastOnce,
                ..
            } => ack::ACK,
            Kind::Publish {
                qos: QoS::ExactlyOnce,
                ..
            } => ack::PUBREC | ack::PUBCOMP,
            _ => 0,
        }
    }
}

/// The command in flight.
#[derive(Debug, Clone)]
pub(super) struct Pending {
    pub(super) kind: Kind,
    pub(super) deadline_ms: u64,
    pub(super) written: bool,
    pub(super) prompt: Prompt,
    pub(super) final_: Option<Final>,
    /// The answer lines the command needs besides its final result
    /// ([`ack`] bits, from [`Kind::needs`]).
    needs: u8,
    /// The answer lines claimed so far ([`ack`] bits).
    pub(super) acks: u8,
    /// The 16-bit field of the answer line the outcome is read from: a packet
    /// id, the `+MQTTTO:` seconds or the `+MQTTREC:` attempts.
    value: u16,
    /// Its byte field: the SUBACK code, the OPEN or REC flag, the
    /// `+MQTTSTAT:` or `+MQTTPING:` value.
    code: u8,
    /// The module restarted while the command was pending: it ends with
    /// [`Error::Restarted`].
    pub(super) aborted: bool,
}

impl Pending {
    pub(super) fn new(kind: Kind, deadline_ms: u64) -> Self {
        let prompt = match kind {
            Kind::Publish {
                length_mode: true, ..
            } => Prompt::Waiting,
            _ => Prompt::NotNeeded,
        };
        Self {
            kind,
            deadline_ms,
            written: false,
            prompt,
            final_: None,
            needs: kind.needs(),
            acks: 0,
            value: 0,
            code: 0,
            aborted: false,
        }
    }

    /// Takes `line` when it is an answer or acknowledgement line the command
    /// waits for; `false` when it is not the command's (an acknowledgement
    /// counts once: a second one is a late answer of another command).
    pub(super) fn claim(&mut self, line: &Line<'_>) -> bool {
        let (bit, value, code) = match (self.kind, *line) {
            (Kind::QueryState, Line::Stat(v)) | (Kind::QueryPing, Line::PingEcho(v)) => {
                (ack::ANSWER, 0, v)
            }
            (Kind::QueryTo, Line::To(v)) => (ack::ANSWER, v, 0),
            (Kind::QueryRec, Line::Reconnect { enabled, attempts }) => {
                (ack::ANSWER, attempts, u8::from(enabled))
            }
            (Kind::Open, Line::Open(ok)) => (ack::ACK, 0, u8::from(ok)),
            (
                Kind::Subscribe { .. },
                Line::SubAck {
                    packet_id, code, ..
                },
            ) => (ack::ACK, packet_id, code),
            (Kind::Unsubscribe, Line::UnsubAck { packet_id, .. })
            | (Kind::Publish { .. }, Line::PubAck { packet_id, .. }) => (ack::ACK, packet_id, 0),
            (Kind::Publish { .. }, Line::PubRec { packet_id, .. }) => (ack::PUBREC, packet_id, 0),
            (Kind::Publish { .. }, Line::PubComp { packet_id, .. }) => (ack::PUBCOMP, packet_id, 0),
            _ => return false,
        };
        if bit != ack::ANSWER && self.acks & bit != 0 {
            return false;
        }
        self.acks |= bit;
        // The outcome is read from the line the command needs last (a QoS 2
        // publish reports the packet id of its `+MQTTPUBCOMP:`).
        if bit != ack::PUBREC && self.needs & bit != 0 {
            self.value = value;
            self.code = code;
        }
        true
    }

    /// Whether the digester must recognise a `>` prompt now.
    pub(super) fn waits_for_prompt(&self) -> bool {
        self.written && self.prompt == Prompt::Waiting
    }

    pub(super) fn prompt_ready(&self) -> bool {
        self.prompt == Prompt::Ready
    }

    pub(super) fn payload_sent(&mut self) {
        if self.prompt == Prompt::Ready {
            self.prompt = Prompt::Sent;
        }
    }
}

/// Spec §4's mapping of an error final result for the pending command.
fn error_of(f: Final) -> Error {
    match f {
        Final::Ok | Final::Error => Error::Modem,
        Final::Cme(n) => Error::Cme(CmeError::from_code(n)),
    }
}

impl<const TOPIC: usize, const PAYLOAD: usize, const QUEUE: usize, const SUBS: usize>
    Core<TOPIC, PAYLOAD, QUEUE, SUBS>
{
    /// Refuses locally what the tracked state makes certain to fail (spec §5.3).
    pub(super) fn check_state(&self, kind: Kind) -> Result<(), Error> {
        if self.pending.is_some() {
            return Err(Error::Busy);
        }
        let ok = match kind {
            Kind::Subscribe { .. } | Kind::Unsubscribe | Kind::Publish { .. } => {
                matches!(self.link, LinkState::Connected | LinkState::Reconnecting)
            }
            Kind::Open => self.link != LinkState::NoClient,
            _ => true,
        };
        if ok {
            Ok(())
        } else {
            Err(Error::InvalidState)
        }
    }

    /// Makes the line already in `tx` (`len` bytes, CR LF included) the pending
    /// command of kind [`Kind::Raw`], due within `timeout_ms`.
    pub(super) fn begin_line(&mut self, len: usize, timeout_ms: u32, now_ms: u64) {
        self.start(Kind::Raw, len, timeout_ms, now_ms);
    }

    /// Makes the `len` bytes in `tx` the pending command of `kind`, due
    /// within `timeout_ms`.
    fn start(&mut self, kind: Kind, len: usize, timeout_ms: u32, now_ms: u64) {
        self.tx_len = len.min(self.tx.len());
        self.answer_len = 0;
        self.answer_overflow = false;
        let deadline = now_ms.saturating_add(u64::from(timeout_ms));
        self.pending = Some(Pending::new(kind, deadline));
        trace!("begin {:?}", kind);
    }

    pub(super) fn begin_encoded(
        &mut self,
        op: &Op<'_>,
        kind: Kind,
        now_ms: u64,
    ) -> Result<(), Error> {
        if self.pending.is_some() {
            return Err(Error::Busy);
        }
        let e = super::encode::encode(
            op,
            self.has_user,
            self.has_password,
            self.ack_timeout_s,
            PAYLOAD,
            &mut self.tx,
        )?;
        let kind = match kind {
            Kind::Publish { qos, .. } => Kind::Publish {
                qos,
                length_mode: e.length_mode,
            },
            k => k,
        };
        self.start(kind, e.len, e.timeout_ms, now_ms);
        if let Kind::Open = kind {
            self.link = LinkState::Opening;
        }
        Ok(())
    }

    /// The pending command's result, once everything it needs has arrived.
    pub(super) fn check_complete(&mut self) -> Option<Result<Outcome, Error>> {
        let p = self.pending.as_ref()?;
        let result = if p.aborted {
            Err(Error::Restarted)
        } else {
            match p.final_? {
                Final::Ok => self.success(p)?,
                err => self.failure(p, err),
            }
        };
        let kind = p.kind;
        self.pending = None;
        self.after(kind, &result);
        Some(result)
    }

    /// The outcome of a command that ended in `OK`, or `None` while ACK lines it
    /// needs are still missing (they may follow the `OK`, spec §3.8).
    fn success(&self, p: &Pending) -> Option<Result<Outcome, Error>> {
        let needs = p.needs;
        if p.acks & needs != needs {
            // A query's answer line comes before its `OK`: it is missing.
            return (needs == ack::ANSWER).then_some(Err(Error::UnexpectedResponse));
        }
        let (value, code) = (p.value, p.code);
        Some(match p.kind {
            Kind::Plain | Kind::Configure | Kind::Delete | Kind::SetTo(_) | Kind::Disconnect => {
                Ok(Outcome::Done)
            }
            Kind::QueryConfig | Kind::Resync => Ok(Outcome::Config),
            Kind::QueryState => Ok(Outcome::State(code)),
            Kind::QueryPing => Ok(Outcome::PingEcho(code != 0)),
            Kind::QueryTo => Ok(Outcome::AckTimeout(value)),
            Kind::QueryRec => Ok(Outcome::Reconnect {
                enabled: code != 0,
                attempts: value,
            }),
            Kind::QuerySubs { .. } => Ok(Outcome::SubscriptionList),
            // Never a silently shortened answer.
            Kind::Raw if self.answer_overflow => Err(Error::Overflow),
            Kind::Raw => Ok(Outcome::Answered),
            Kind::Open if code != 0 => Ok(Outcome::Done),
            Kind::Open => Err(Error::Cme(CmeError::ConnectFailed)),
            Kind::Subscribe { .. } if code == 128 => Err(Error::SubscribeRejected),
            Kind::Subscribe { .. } => QoS::from_u8(code)
                .map(|granted| {
                    Outcome::Subscribed(Subscribed {
                        packet_id: Some(value),
                        granted,
                    })
                })
                .ok_or(Error::UnexpectedResponse),
            Kind::Unsubscribe => Ok(Outcome::Unsubscribed(value)),
            Kind::Publish { qos, length_mode } => Ok(Outcome::Published(Published {
                packet_id: (qos != QoS::AtMostOnce).then_some(value),
                length_mode,
            })),
        })
    }

    /// The outcome of a command that ended in an error (spec §4 actions).
    fn failure(&self, p: &Pending, f: Final) -> Result<Outcome, Error> {
        let error = error_of(f);
        match (p.kind, &error) {
            // Already subscribed is success (idempotent, used by re-subscription).
            (Kind::Subscribe { qos }, Error::Cme(CmeError::AlreadySubscribed)) => {
                Ok(Outcome::Subscribed(Subscribed {
                    packet_id: None,
                    granted: qos,
                }))
            }
            (Kind::Subscribe { .. }, Error::Cme(CmeError::SubscribeRejected)) => {
                Err(Error::SubscribeRejected)
            }
            // Disconnecting what is already disconnected is success (spec §2.7).
            (Kind::Disconnect, Error::Modem | Error::Cme(CmeError::Disconnected)) => {
                Ok(Outcome::Done)
            }
            // Already connected: the connection is up.
            (Kind::Open, Error::Cme(CmeError::AlreadyConnected)) => Ok(Outcome::Done),
            _ => Err(error),
        }
    }

    /// State changes that follow a finished command (spec §5.2).
    fn after(&mut self, kind: Kind, result: &Result<Outcome, Error>) {
        match result {
            Ok(_) => {
                // The module completed a command: a later restart signal is a
                // new restart.
                self.restart_quiet = false;
                match kind {
                    Kind::Configure => {
                        self.link = LinkState::Idle;
                        self.ack_timeout_s = 10;
                    }
                    Kind::SetTo(s) => self.ack_timeout_s = s,
                    Kind::Delete => self.link = LinkState::NoClient,
                    Kind::Disconnect if self.link != LinkState::NoClient => {
                        self.link = LinkState::Idle;
                    }
                    Kind::Open => self.connected(),
                    Kind::QueryConfig | Kind::Resync => {
                        if let Kind::Resync = kind {
                            self.needs_resync = false;
                        }
                        // The module has no client although we knew one: only a
                        // restart takes it away unasked (NETWORK.md §2, boot lines).
                        if self.answer_len == 0 && self.link != LinkState::NoClient {
                            self.restarted();
                        }
                    }
                    Kind::Subscribe { .. } | Kind::Unsubscribe | Kind::Publish { .. } => {
                        if self.link == LinkState::Reconnecting {
                            self.link = LinkState::Connected;
                        }
                        match kind {
                            Kind::Subscribe { qos } => self.track_subscription(Some(qos)),
                            Kind::Unsubscribe => self.track_subscription(None),
                            _ => {}
                        }
                    }
                    _ => {}
                }
            }
            Err(error) => {
                match (kind, error) {
                    (Kind::Open, _) => self.link = LinkState::Idle,
                    // `AT+MQTTSTAT?` is answered locally and fails only when no
                    // client exists (MQTT spec §2.3): the module restarted.
                    (Kind::QueryState, Error::Cme(_) | Error::Modem)
                        if self.link != LinkState::NoClient =>
                    {
                        self.restarted();
                    }
                    _ => {}
                }
                match error {
                    Error::Cme(CmeError::ConnectionLost) => self.link = LinkState::Reconnecting,
                    Error::Cme(CmeError::ReconnectFailed | CmeError::Disconnected)
                        if self.link != LinkState::NoClient =>
                    {
                        self.link = LinkState::Idle;
                    }
                    _ => {}
                }
            }
        }
        if let (Kind::Subscribe { .. }, None) = (kind, self.resubscribe_from) {
            if self.resubscribed > 0 {
                let n = core::mem::take(&mut self.resubscribed);
                self.push_event(super::types::Event::Resubscribed(n));
            }
        }
    }

    /// Records in the subscription table the pending `AT+MQTTSUB=` that
    /// succeeded with `Some(qos)`, or the `AT+MQTTUNSUB=` (`None`).
    fn track_subscription(&mut self, qos: Option<QoS>) {
        let Some(topic) = super::command_topic(&self.tx, self.tx_len) else {
            return;
        };
        match (self.subs.iter().position(|(t, _)| t == topic), qos) {
            (Some(i), Some(qos)) => {
                if let Some(entry) = self.subs.get_mut(i) {
                    entry.1 = qos;
                }
            }
            (None, Some(qos)) => {
                // `begin` refused topics longer than `TOPIC`.
                if topic.len() > TOPIC {
                    return;
                }
                // The entry is added empty and its topic written in place.
                if self.subs.push((String::new(), qos)).is_err() {
                    warn!("subscription table full: this topic will not be re-subscribed");
                } else if let Some((t, _)) = self.subs.last_mut() {
                    // Fits: checked above.
                    let _ = t.push_str(topic);
                }
            }
            (Some(mut i), None) => {
                // The later entries move up one place (the table is re-issued
                // in order) and the forgotten one, now last, is dropped.
                while let Some([entry, next, ..]) = self.subs.get_mut(i..) {
                    core::mem::swap(entry, next);
                    i = i.saturating_add(1);
                }
                self.subs.pop();
            }
            (None, None) => {}
        }
    }

    /// The broker connection is up (an open, or the module reconnected on
    /// its own): the subscription table is re-issued.
    pub(super) fn connected(&mut self) {
        self.link = LinkState::Connected;
        self.lost_pings = 0;
        if !self.subs.is_empty() {
            self.resubscribe_from = Some(0);
        }
    }

    /// The module restarted (a boot line, or no MQTT client where one was
    /// known): it lost its MQTT client, its settings and any command in
    /// flight, which ends with [`Error::Restarted`]. The host-side
    /// configuration and the subscription table stay. [`Event::Restarted`]
    /// is queued once per restart: signals before the module completes a
    /// command again belong to the same one.
    ///
    /// [`Event::Restarted`]: super::types::Event::Restarted
    pub(super) fn restarted(&mut self) {
        self.link = LinkState::NoClient;
        self.lost_pings = 0;
        self.resubscribe_from = None;
        self.resubscribed = 0;
        // A fresh module: 10 s ACK time-out, no late answer to wait for.
        self.ack_timeout_s = 10;
        self.needs_resync = false;
        self.settings_lost = true;
        if let Some(p) = self.pending.as_mut().filter(|p| p.written) {
            p.aborted = true;
            // A payload is never written to a module that forgot its header.
            p.prompt = Prompt::NotNeeded;
        }
        if !self.restart_quiet {
            self.restart_quiet = true;
            warn!("the module restarted");
            self.push_event(super::types::Event::Restarted);
        }
    }

    /// The pending command ran out of time: report it and resynchronise before
    /// the next command (its answer may still arrive).
    pub(super) fn time_out(&mut self) -> Result<Outcome, Error> {
        let kind = self.pending.as_ref().map(|p| p.kind);
        self.pending = None;
        self.needs_resync = true;
        if let Some(Kind::Open) = kind {
            self.link = LinkState::Idle;
        }
        warn!("command timed out");
        Err(Error::Timeout)
    }
}
