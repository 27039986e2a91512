//! The MQTT session over the broker link: opening it (TCP, CONNECT), its
//! failures, the keep-alive, the loss of the connection and the automatic
//! reconnect procedure (spec §5.4, §5.6). Packets from the broker are in
//! `packets.rs`.

use std::time::Instant;

use rumqttc::mqttbytes::v4::{Connect, Login, Packet};
use rumqttc::mqttbytes::Protocol;

use crate::config::BrokerMode;
use crate::mqtt::{LinkEvent, LinkTarget};
use crate::tls::{TlsTarget, Wire};

use super::client::{Reconnect, State};
use super::link::{Phase, Purpose};
use super::module::{Module, Pending};

/// Attempts of one automatic reconnect procedure (spec §5.6).
const RECONNECT_ATTEMPTS: u8 = 3;
/// Unanswered pings before the link is declared dead (spec §5.4).
const MAX_LOST_PINGS: u8 = 3;

/// Why a link attempt failed.
#[derive(Debug, Clone, Copy)]
pub(super) enum Fail {
    /// No TCP connection.
    Connect,
    /// TCP up, but the TLS handshake failed.
    Handshake,
    /// Closed by the peer, a failed write, or a fault.
    Closed,
    /// No CONNACK in time.
    Timeout,
    /// CONNACK refused; the `+CME ERROR` code to give.
    Refused(u16),
}

impl Module {
    /// Opens a new link to the broker the configuration routes to.
    pub(super) fn start_link(&mut self, purpose: Purpose) {
        let encrypt = self.client.cfg.as_ref().is_some_and(|c| c.encrypt);
        // in-process, `<encrypt>`=1 goes to the broker's TLS listener if it has one
        let in_process = match self.broker_tls_addr {
            Some(tls) if encrypt => Some(tls),
            _ => self.broker_addr,
        };
        let route = match (&self.cfg.broker, in_process, &self.client.cfg) {
            (BrokerMode::Fixed(a), _, _) => LinkTarget::Addr(*a),
            (BrokerMode::InProcess, Some(a), _) => LinkTarget::Addr(a),
            (_, _, Some(c)) => LinkTarget::Host(c.host.clone(), c.port),
            (_, _, None) => LinkTarget::Host(String::new(), 0),
        };
        // without a PDP context there is no route: the socket fails at once
        let target = self.net.pdp_up().then_some(route);
        // `<encrypt>`=1: TLS, checking the certificate against the configured host
        let tls = self
            .client
            .cfg
            .as_ref()
            .filter(|c| c.encrypt)
            .map(|c| TlsTarget {
                config: self.tls.clone(),
                host: c.host.clone(),
            });
        let limit = self.sec(20);
        if !self
            .uplink
            .start(target, tls, purpose, limit, self.tx.clone())
        {
            self.link_failed(Fail::Connect);
        }
    }

    /// The PDP context went down: the MQTT link drops with it (a session that was
    /// up goes into the reconnect procedure, an `AT+MQTTOPEN` fails).
    pub(super) fn pdp_lost(&mut self) {
        if self.uplink.current().is_some() {
            self.link_failed(Fail::Closed);
        }
    }

    /// Writes a packet on the link (if it is connected).
    pub(super) fn send(&mut self, p: Packet) {
        self.uplink.send(&p);
    }

    /// An event of link `gen`; events of a dropped link are ignored.
    pub(super) fn link_event(&mut self, gen: u64, ev: LinkEvent) {
        if !self.uplink.is_current(gen) {
            if let LinkEvent::Connected(s) = ev {
                s.shutdown();
            }
            return;
        }
        match ev {
            LinkEvent::Connected(stream) => self.link_up(stream),
            LinkEvent::ConnectFailed => self.link_failed(Fail::Connect),
            LinkEvent::HandshakeFailed => self.link_failed(Fail::Handshake),
            LinkEvent::Closed => {
                // What the broker sent before closing comes first (a refused
                // CONNACK held for the round trip is still a refusal).
                for p in self.faults.take_held(gen) {
                    if self.uplink.is_current(gen) {
                        self.packet(p, true);
                    }
                }
                if self.uplink.is_current(gen) {
                    self.link_failed(Fail::Closed);
                }
            }
            LinkEvent::Packet(p) => self.packet(p, false),
        }
    }

    fn link_up(&mut self, stream: Wire) {
        let Some(client) = self.client.cfg.clone() else {
            return self.link_failed(Fail::Connect);
        };
        let open = self.client.open.clone().unwrap_or_default();
        let deadline = self.ack_deadline();
        self.uplink.attach(stream, deadline);
        let login = open.user.then(|| Login {
            username: client.user.clone(),
            password: if open.pass {
                client.pass.clone()
            } else {
                String::new()
            },
        });
        let connect = Connect {
            protocol: Protocol::V4,
            keep_alive: client.keep_alive,
            client_id: client.id.clone(),
            clean_session: client.clean,
            last_will: open.will,
            login,
        };
        self.send(Packet::Connect(connect));
    }

    /// The link failed: ends `AT+MQTTOPEN`, counts a reconnect attempt, or starts
    /// the reconnect procedure if the session was up.
    pub(super) fn link_failed(&mut self, why: Fail) {
        let Some(link) = self.uplink.current() else {
            return;
        };
        let (phase, purpose) = (link.phase, link.purpose);
        self.uplink.drop_link(false);
        if phase == Phase::Up {
            return self.connection_lost();
        }
        match purpose {
            Purpose::Open => {
                self.client.state = State::Idle;
                if self.ok_sent {
                    self.out.flush_held();
                    self.out.urc_now("+MQTTOPEN:FAIL");
                    self.ok_sent = false;
                    self.pending = None;
                } else {
                    let code = match why {
                        Fail::Refused(c) => {
                            self.out.resp("+MQTTOPEN:FAIL");
                            c
                        }
                        Fail::Timeout => 604,
                        // A failed TLS handshake is a failed connection to the
                        // broker (603), not a socket that could not be created
                        // (613): the socket was up, the broker's side refused.
                        Fail::Connect | Fail::Handshake | Fail::Closed => 603,
                    };
                    self.finish_err(code);
                }
            }
            Purpose::Reconnect => {
                if matches!(why, Fail::Refused(_)) {
                    self.urc("+MQTTOPEN:FAIL");
                }
                self.reconnect_failed();
            }
        }
    }

    fn connection_lost(&mut self) {
        if matches!(
            self.pending,
            Some(Pending::Sub { .. } | Pending::Unsub { .. } | Pending::Pub { .. })
        ) {
            self.finish_err(617);
        }
        self.client.was_connected = true;
        if self.client.rec_enabled {
            self.client.state = State::Reconnecting;
            self.client.reconnect = Some(Reconnect {
                attempt: 0,
                next_at: Some(Instant::now()),
            });
        } else {
            self.disconnected_urc();
        }
    }

    /// The client gave up: idle, no subscriptions, `+MQTTDISC: OK`.
    fn disconnected_urc(&mut self) {
        self.client.state = State::Idle;
        self.client.subs.clear();
        let line = format!("+MQTTDISC:{}OK", self.out.sp());
        self.urc(&line);
    }

    fn reconnect_attempt(&mut self) {
        let Some(r) = self.client.reconnect.as_mut() else {
            return;
        };
        let n = r.attempt;
        r.next_at = None;
        self.client.rec_count += 1;
        self.urc(&format!("+MQTTREC:{n}"));
        self.start_link(Purpose::Reconnect);
    }

    fn reconnect_failed(&mut self) {
        let Some(r) = self.client.reconnect.as_mut() else {
            return;
        };
        r.attempt += 1;
        if r.attempt >= RECONNECT_ATTEMPTS {
            self.client.reconnect = None;
            self.disconnected_urc();
        } else {
            r.next_at = Some(Instant::now() + self.cfg.reconnect_interval);
        }
    }

    // ------------------------------------------------------------------ timers

    fn keepalive(&self) -> Option<std::time::Duration> {
        let ka = self.client.keep_alive();
        (ka > 0).then(|| self.sec(u64::from(ka)))
    }

    /// The next instant the session has something to do.
    pub(super) fn session_deadline(&self) -> Option<Instant> {
        let link = self.uplink.current().and_then(|l| match l.phase {
            Phase::AwaitConnAck(d) => Some(d),
            Phase::Up => self.keepalive().map(|k| l.last_sent + k),
            Phase::Connecting => None,
        });
        let rec = self.client.reconnect.as_ref().and_then(|r| r.next_at);
        match (link, rec) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// CONNACK time-out, keep-alive, reconnect attempts due at `now`.
    pub(super) fn session_timers(&mut self, now: Instant) {
        let phase = self.uplink.current().map(|l| (l.phase, l.last_sent));
        match phase {
            Some((Phase::AwaitConnAck(d), _)) if now >= d => {
                self.ack_timeout_line(1);
                self.link_failed(Fail::Timeout);
            }
            Some((Phase::Up, last)) => {
                if let Some(k) = self.keepalive() {
                    if now >= last + k {
                        self.keepalive_due();
                    }
                }
            }
            _ => {}
        }
        if let Some(Reconnect {
            next_at: Some(n), ..
        }) = &self.client.reconnect
        {
            if now >= *n {
                self.reconnect_attempt();
            }
        }
    }

    fn keepalive_due(&mut self) {
        let ping_out = self.uplink.current().is_some_and(|l| l.ping_out);
        if ping_out {
            let lost = match self.uplink.current_mut() {
                Some(l) => {
                    l.lost_pings += 1;
                    l.lost_pings
                }
                None => 0,
            };
            self.ack_timeout_line(5);
            if lost >= MAX_LOST_PINGS {
                self.link_failed(Fail::Closed);
                return;
            }
        }
        self.send(Packet::PingReq);
        if let Some(l) = self.uplink.current_mut() {
            l.ping_out = true;
            // make sure the timer moves on even if the write failed
            l.last_sent = Instant::now();
        }
    }

    /// The reconnected session's `+MQTTOPEN:OK`, or the ACK line of `AT+MQTTOPEN`.
    pub(super) fn session_up(&mut self, purpose: Purpose) {
        self.client.state = State::Connected;
        self.client.was_connected = true;
        match purpose {
            Purpose::Open => self.ack_line("+MQTTOPEN:OK"),
            Purpose::Reconnect => {
                self.client.reconnect = None;
                self.urc("+MQTTOPEN:OK");
            }
        }
    }
}
