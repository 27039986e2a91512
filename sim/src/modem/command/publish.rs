//! `AT+MQTTPUB`: a quoted message, or length mode (`>` prompt, then exactly the
//! announced bytes), published at QoS 0, 1 or 2.

use rumqttc::mqttbytes::v4::{Packet, Publish};

use crate::at::{self, Param};

use super::super::client::{PubCmd, State};
use super::super::module::{Module, Pending, PubStage};
use super::super::serial::Kind;
use super::params::{flag, qos, string_max, to_qos};

/// The length-mode buffer of the module: 2048 bytes including the MQTT header (§1.3).
const LENGTH_MODE_BUFFER: usize = 2048;

/// The message of `AT+MQTTPUB`: given (`Ok`), or its length in length mode (`Err`).
type Body = Result<Vec<u8>, usize>;

fn parse_pub(p: &[Param]) -> Option<(PubCmd, Body)> {
    if p.len() != 5 {
        return None;
    }
    let topic = string_max(p.first()?, 512).filter(|t| at::valid_topic_name(t))?;
    let q = qos(p.get(1)?)?;
    let retain = flag(p.get(2)?)?;
    let dup = flag(p.get(3)?)?;
    let m = p.get(4)?;
    let body = if m.quoted {
        if m.raw_len > 1024 {
            return None;
        }
        Ok(m.value.clone())
    } else {
        let n = m.number()? as usize;
        let max = LENGTH_MODE_BUFFER.saturating_sub(7 + topic.len());
        if n == 0 || n > max {
            return None;
        }
        Err(n)
    };
    Some((
        PubCmd {
            topic,
            qos: q,
            retain,
            dup,
        },
        body,
    ))
}

impl Module {
    pub(super) fn pub_cmd(&mut self, p: &[Param]) {
        let Some((cmd, body)) = parse_pub(p) else {
            return self.out.cme(601);
        };
        if !self.connected_or() {
            return;
        }
        match body {
            Ok(payload) => self.publish(cmd, payload),
            Err(len) => {
                if self.input.await_prompt(cmd, len, self.cfg.lf_grace) {
                    self.prompt();
                }
            }
        }
    }

    /// Length mode: prints the `>` prompt and starts collecting the payload.
    pub(in crate::modem) fn prompt(&mut self) {
        if self.input.start_payload(self.cfg.payload_timeout) {
            self.out.emit(Kind::Response, b"\r\n> ".to_vec());
        }
    }

    /// Publishes `payload` as `cmd` says; QoS 1 and 2 block until their ACKs.
    pub(in crate::modem) fn publish(&mut self, cmd: PubCmd, payload: Vec<u8>) {
        if self.client.state != State::Connected {
            self.out.flush_held();
            self.connected_or();
            return;
        }
        let id = self.client.take_id();
        let mut publish = Publish::new(cmd.topic, to_qos(cmd.qos), payload);
        publish.retain = cmd.retain;
        if cmd.qos > 0 {
            publish.pkid = id;
            publish.dup = cmd.dup;
        }
        match cmd.qos {
            0 => {
                self.send(Packet::Publish(publish));
                self.finish_ok();
            }
            q => {
                self.pending = Some(Pending::Pub {
                    id,
                    stage: if q == 1 { PubStage::Ack } else { PubStage::Rec },
                    deadline: self.ack_deadline(),
                });
                self.early_ok();
                self.send(Packet::Publish(publish));
            }
        }
    }
}
