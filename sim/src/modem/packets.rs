//! Packets from the broker: the CONNACK, the ACKs that complete the running
//! command (`+MQTTSUBACK`, `+MQTTPUBACK`, …), incoming PUBLISH (`+MQTTPUBLISH`, with
//! the QoS 1/2 handshakes) and ping responses.

use rumqttc::mqttbytes::v4::{
    ConnAck, Packet, PubAck, PubComp, PubRec, PubRel, Publish, SubAck, SubscribeReasonCode,
};
use rumqttc::mqttbytes::QoS;

use crate::config::Spelling;

use super::link::Phase;
use super::module::{Module, Pending, PubStage};
use super::serial::Kind;
use super::session::Fail;

impl Module {
    /// Handles a packet of the current link; `released` for a delayed ACK whose
    /// delay is over (ACK faults apply only once).
    pub(super) fn packet(&mut self, p: Packet, released: bool) {
        let p = if released {
            p
        } else {
            match self
                .faults
                .intercept(p, self.uplink.gen(), self.cfg.broker_round_trip)
            {
                Some(p) => p,
                None => return,
            }
        };
        match p {
            Packet::ConnAck(ack) => self.connack(ack),
            Packet::SubAck(s) => self.suback(s),
            Packet::UnsubAck(u) => {
                if let Some(Pending::Unsub { id, topic, .. }) = self.pending.clone() {
                    if u.pkid == id {
                        self.client.subs.retain(|(t, _)| *t != topic);
                        self.ack_line(&format!("+MQTTUNSUBACK:{id},\"{topic}\""));
                    }
                }
            }
            Packet::PubAck(PubAck { pkid }) if self.publish_waits(PubStage::Ack, pkid) => {
                self.ack_line(&format!("+MQTTPUBACK:0,{pkid}"));
            }
            Packet::PubRec(PubRec { pkid }) if self.publish_waits(PubStage::Rec, pkid) => {
                let line = format!("+MQTTPUBREC:0,{pkid}");
                if self.ok_sent {
                    self.out.urc_now(&line);
                } else {
                    self.out.resp(&line);
                }
                self.out.flush_held();
                self.pending = Some(Pending::Pub {
                    id: pkid,
                    stage: PubStage::Comp,
                    deadline: self.ack_deadline(),
                });
                self.send(Packet::PubRel(PubRel::new(pkid)));
            }
            Packet::PubComp(PubComp { pkid }) if self.publish_waits(PubStage::Comp, pkid) => {
                self.ack_line(&format!("+MQTTPUBCOMP:0,{pkid}"));
            }
            Packet::Publish(p) => self.incoming(p),
            Packet::PubRel(PubRel { pkid }) => {
                self.send(Packet::PubComp(PubComp::new(pkid)));
                self.client.qos2_in.remove(&pkid);
                let line = format!("+MQTTPUBREL:{}0,{pkid}", self.out.sp());
                self.urc(&line);
            }
            Packet::PingResp => {
                if let Some(l) = self.uplink.current_mut() {
                    l.ping_out = false;
                    l.lost_pings = 0;
                }
                if self.client.ping_echo {
                    let line = match self.out.spelling() {
                        Spelling::Manual => "+MQTTPINGRSP: OK",
                        Spelling::Chapter3 => "+MQTTPINGRESP:OK",
                    };
                    self.urc(line);
                }
            }
            _ => {}
        }
    }

    /// Whether the running command is a publish waiting for `stage` of packet `pkid`.
    fn publish_waits(&self, stage: PubStage, pkid: u16) -> bool {
        matches!(self.pending, Some(Pending::Pub { id, stage: s, .. }) if s == stage && id == pkid)
    }

    fn suback(&mut self, s: SubAck) {
        let Some(Pending::Sub { id, topic, .. }) = self.pending.clone() else {
            return;
        };
        if s.pkid != id {
            return;
        }
        match s.return_codes.first() {
            Some(SubscribeReasonCode::Success(q)) => {
                let q = *q as u8;
                self.client.subs.push((topic.clone(), q));
                self.ack_line(&format!("+MQTTSUBACK:{id},{q},{topic}"));
            }
            _ => {
                let line = format!("+MQTTSUBACK:{id},128,{topic}");
                if self.ok_sent {
                    self.ack_line(&line);
                } else {
                    self.out.resp(&line);
                    self.finish_err(605);
                }
            }
        }
    }

    fn connack(&mut self, ack: ConnAck) {
        let Some(link) = self.uplink.current_mut() else {
            return;
        };
        if !matches!(link.phase, Phase::AwaitConnAck(_)) {
            return;
        }
        use rumqttc::mqttbytes::v4::ConnectReturnCode as C;
        match ack.code {
            C::Success => {
                link.phase = Phase::Up;
                link.ping_out = false;
                link.lost_pings = 0;
                let purpose = link.purpose;
                let clean = self.client.cfg.as_ref().is_none_or(|c| c.clean);
                if clean || !ack.session_present {
                    self.client.subs.clear();
                }
                self.client.qos2_in.clear();
                self.session_up(purpose);
            }
            C::BadClientId | C::BadUserNamePassword => self.link_failed(Fail::Refused(614)),
            _ => self.link_failed(Fail::Refused(603)),
        }
    }

    fn incoming(&mut self, p: Publish) {
        let qos = p.qos as u8;
        match p.qos {
            QoS::AtMostOnce => {}
            QoS::AtLeastOnce => self.send(Packet::PubAck(PubAck::new(p.pkid))),
            QoS::ExactlyOnce => {
                self.send(Packet::PubRec(PubRec::new(p.pkid)));
                if !self.client.qos2_in.insert(p.pkid) && p.dup {
                    return; // a resent QoS 2 message: delivered once only
                }
            }
        }
        if p.payload.len() > usize::from(u16::MAX) {
            // the module cannot print it (spec §3.9)
            return self.urc("+CME ERROR: 609");
        }
        let sp = self.out.sp();
        let topic = match self.out.spelling() {
            Spelling::Manual => format!("\"{}\"", p.topic),
            Spelling::Chapter3 => p.topic.clone(),
        };
        let sep = if self.cfg.quirks.payload_own_line {
            "\r\n"
        } else {
            ","
        };
        let header = format!(
            "\r\n+MQTTPUBLISH:{sp}{},{qos},{},{},{topic},{}{sep}",
            u8::from(p.dup),
            u8::from(p.retain),
            p.pkid,
            p.payload.len()
        );
        self.urc_parts(vec![
            (Kind::Urc, header.into_bytes()),
            (Kind::Payload, p.payload.to_vec()),
            (Kind::Raw, b"\r\n".to_vec()),
        ]);
    }
}
