//! `AT+MQTTOPEN`, `AT+MQTTDISC` and `AT+MQTTSTAT?`.

use rumqttc::mqttbytes::v4::LastWill;

use crate::at::{self, Param};

use super::super::client::{OpenParams, State};
use super::super::link::Purpose;
use super::super::module::{Module, Pending};
use super::params::{flag, qos, string_max, to_qos};

/// The parameters of `AT+MQTTOPEN=`: user flag, password flag, will flag, will
/// retain, will QoS, will topic, will message.
type OpenArgs = (bool, bool, bool, bool, u8, String, Vec<u8>);

fn parse_open(p: &[Param]) -> Option<OpenArgs> {
    if p.len() != 7 {
        return None;
    }
    let user = flag(p.first()?)?;
    let pass = flag(p.get(1)?)?;
    let will = flag(p.get(2)?)?;
    let retain = flag(p.get(3)?)?;
    let qos = qos(p.get(4)?)?;
    let topic = string_max(p.get(5)?, 512)?;
    let msg = p.get(6)?;
    if !msg.quoted || msg.raw_len > 512 {
        return None;
    }
    Some((user, pass, will, retain, qos, topic, msg.value.clone()))
}

impl Module {
    pub(super) fn open_cmd(&mut self, p: &[Param]) {
        let Some((user, pass, will, retain, qos_v, topic, msg)) = parse_open(p) else {
            return self.out.cme(601);
        };
        let Some(client) = self.client.cfg.clone() else {
            return self.out.cme(601);
        };
        match self.client.state {
            State::Connected | State::Reconnecting => return self.out.cme(602),
            State::NoClient => return self.out.cme(601),
            State::Idle => {}
        }
        let consistent = (!user || !client.user.is_empty())
            && (!pass || (user && !client.pass.is_empty()))
            && if will {
                at::valid_topic_name(&topic)
            } else {
                !retain && qos_v == 0 && topic.is_empty() && msg.is_empty()
            };
        if !consistent {
            return self.out.cme(601);
        }
        if !self.net.pdp_up() {
            // no data link (NETWORK.md, first paragraph)
            return self.out.cme(600);
        }
        self.client.open = Some(OpenParams {
            user,
            pass,
            will: will.then(|| LastWill::new(topic, msg, to_qos(qos_v), retain)),
        });
        self.client.rec_count = 0;
        self.pending = Some(Pending::Open);
        self.early_ok();
        self.start_link(Purpose::Open);
    }

    pub(super) fn disc_cmd(&mut self) {
        match self.client.state {
            State::Connected | State::Reconnecting => {
                self.uplink.drop_link(true);
                self.client.reconnect = None;
                self.client.state = State::Idle;
                self.client.was_connected = true;
                self.client.subs.clear();
                let line = format!("+MQTTDISC:{}OK", self.out.sp());
                self.out.info(&line);
            }
            State::Idle | State::NoClient => self.out.plain_error(),
        }
    }

    pub(super) fn stat_query(&mut self) {
        let s = self
            .client
            .stat(self.uplink.phase(), self.cfg.quirks.m5311_stat);
        let line = format!("+MQTTSTAT:{}{s}", self.out.sp());
        self.out.info(&line);
    }

    /// Whether the client is connected; if not, answers 617 (reconnecting) or 600.
    pub(super) fn connected_or(&mut self) -> bool {
        match self.client.state {
            State::Connected => true,
            State::Reconnecting => {
                self.out.cme(617);
                false
            }
            State::NoClient | State::Idle => {
                self.out.cme(600);
                false
            }
        }
    }
}
