//! The state of the module's MQTT client as the AT commands see it: the
//! configuration of `AT+MQTTCFG`, the connection state, subscriptions, the packet-id
//! counter and the settings of `AT+MQTTPING`, `AT+MQTTREC` and `AT+MQTTTO`.

use std::collections::HashSet;
use std::time::Instant;

use rumqttc::mqttbytes::v4::LastWill;

use super::link::Phase;

/// The client's state (spec §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum State {
    /// No `AT+MQTTCFG` yet (or after `AT+MQTTDEL`).
    NoClient,
    /// Configured, not connected.
    Idle,
    /// Connected to the broker.
    Connected,
    /// The link dropped; automatic reconnection runs.
    Reconnecting,
}

/// The parameters of `AT+MQTTCFG`.
#[derive(Debug, Clone)]
pub(super) struct ClientCfg {
    pub host: String,
    pub port: u16,
    pub id: String,
    pub keep_alive: u16,
    pub user: String,
    pub pass: String,
    pub clean: bool,
    pub version: String,
    pub encrypt: bool,
}

/// What `AT+MQTTOPEN` asked for: whether to send user name and password, the will.
#[derive(Debug, Clone, Default)]
pub(super) struct OpenParams {
    pub user: bool,
    pub pass: bool,
    pub will: Option<LastWill>,
}

/// One `AT+MQTTPUB`, without its payload.
#[derive(Debug, Clone)]
pub(super) struct PubCmd {
    pub topic: String,
    pub qos: u8,
    pub retain: bool,
    pub dup: bool,
}

/// An automatic reconnect procedure in progress (spec §5.6).
#[derive(Debug, Clone)]
pub(super) struct Reconnect {
    /// Attempts made so far.
    pub attempt: u8,
    /// When the next attempt starts (`None` while one runs).
    pub next_at: Option<Instant>,
}

/// The MQTT client of the module; [`Client::default`] is its state at power-up.
#[derive(Debug, Clone)]
pub(super) struct Client {
    pub cfg: Option<ClientCfg>,
    pub state: State,
    /// Connected at least once since `AT+MQTTCFG` (for the M5311 numbering).
    pub was_connected: bool,
    /// Subscribed filters and their granted QoS.
    pub subs: Vec<(String, u8)>,
    next_id: u16,
    /// `AT+MQTTPING`: print ping responses.
    pub ping_echo: bool,
    /// `AT+MQTTREC`: reconnect automatically.
    pub rec_enabled: bool,
    /// Reconnect attempts since the last `AT+MQTTOPEN`.
    pub rec_count: u32,
    /// `AT+MQTTTO`: ACK time-out in module seconds.
    pub ack_to: u32,
    pub open: Option<OpenParams>,
    pub reconnect: Option<Reconnect>,
    /// Ids of incoming QoS 2 messages not yet released.
    pub qos2_in: HashSet<u16>,
}

impl Default for Client {
    fn default() -> Self {
        Client {
            cfg: None,
            state: State::NoClient,
            was_connected: false,
            subs: Vec::new(),
            next_id: 1,
            ping_echo: false,
            rec_enabled: true,
            rec_count: 0,
            ack_to: 10,
            open: None,
            reconnect: None,
            qos2_in: HashSet::new(),
        }
    }
}

impl Client {
    /// A new `AT+MQTTCFG`: the OpenCPU library resets the counter, the time-out and
    /// PING echo with it (spec §2.1).
    pub fn configure(&mut self, cfg: ClientCfg) {
        self.cfg = Some(cfg);
        self.state = State::Idle;
        self.was_connected = false;
        self.subs.clear();
        self.next_id = 1;
        self.ack_to = 10;
        self.ping_echo = false;
        self.rec_count = 0;
    }

    /// The keep-alive of the configuration in seconds (0: none).
    pub fn keep_alive(&self) -> u16 {
        self.cfg.as_ref().map_or(0, |c| c.keep_alive)
    }

    /// The next packet id: one counter for SUBSCRIBE, UNSUBSCRIBE and PUBLISH,
    /// 65535 → 1.
    pub fn take_id(&mut self) -> u16 {
        let id = self.next_id;
        self.next_id = if id == u16::MAX { 1 } else { id + 1 };
        id
    }

    /// The `AT+MQTTSTAT?` value, given the phase of the current link.
    pub fn stat(&self, phase: Option<Phase>, m5311: bool) -> u8 {
        if m5311 {
            match self.state {
                State::NoClient => 0,
                State::Idle if self.was_connected => 2,
                State::Idle => 1,
                State::Connected => 5,
                State::Reconnecting => 4,
            }
        } else {
            match (self.state, phase) {
                (State::Connected, _) => 1,
                (State::Reconnecting, Some(Phase::Connecting)) => 2,
                (State::Reconnecting, Some(Phase::AwaitConnAck(_))) => 4,
                _ => 0,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packet_id_counter_wraps_from_65535_to_1() {
        let mut c = Client::default();
        assert_eq!(c.take_id(), 1, "starts at 1");
        assert_eq!(c.take_id(), 2);
        c.next_id = 65534;
        assert_eq!(c.take_id(), 65534);
        assert_eq!(c.take_id(), 65535);
        assert_eq!(c.take_id(), 1, "0 is never used");
    }

    #[test]
    fn stat_numbering_manual_and_m5311() {
        let mut c = Client::default();
        for (state, was, manual, m5311) in [
            (State::NoClient, false, 0, 0),
            (State::Idle, false, 0, 1),
            (State::Idle, true, 0, 2),
            (State::Connected, true, 1, 5),
            (State::Reconnecting, true, 0, 4),
        ] {
            c.state = state;
            c.was_connected = was;
            assert_eq!(
                (c.stat(None, false), c.stat(None, true)),
                (manual, m5311),
                "{state:?}"
            );
        }
        c.state = State::Reconnecting;
        assert_eq!(c.stat(Some(Phase::Connecting), false), 2);
        assert_eq!(c.stat(Some(Phase::AwaitConnAck(Instant::now())), false), 4);
    }

    #[test]
    fn a_new_configuration_resets_the_counter_and_settings() {
        let mut c = Client::default();
        c.take_id();
        c.ack_to = 60;
        c.ping_echo = true;
        c.subs.push(("a".into(), 1));
        c.configure(ClientCfg {
            host: "h".into(),
            port: 1,
            id: String::new(),
            keep_alive: 0,
            user: String::new(),
            pass: String::new(),
            clean: true,
            version: String::new(),
            encrypt: false,
        });
        assert_eq!((c.take_id(), c.ack_to, c.ping_echo), (1, 10, false));
        assert!(c.subs.is_empty() && c.state == State::Idle);
    }
}
