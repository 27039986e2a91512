//! `AT+MQTTSUB` (set and query) and `AT+MQTTUNSUB`.

use rumqttc::mqttbytes::v4::{Packet, Subscribe, SubscribeFilter, Unsubscribe};

use crate::at::{self, Param};

use super::super::module::{Module, Pending};
use super::params::{qos, string_max, to_qos};

impl Module {
    pub(super) fn sub_cmd(&mut self, p: &[Param]) {
        let parsed = (|| {
            if p.len() != 2 {
                return None;
            }
            let topic = string_max(p.first()?, 512).filter(|t| at::valid_filter(t))?;
            let q = qos(p.get(1)?)?;
            Some((topic, q))
        })();
        let Some((topic, q)) = parsed else {
            return self.out.cme(601);
        };
        if !self.connected_or() {
            return;
        }
        if self.client.subs.iter().any(|(t, _)| *t == topic) {
            return self.out.cme(606);
        }
        let id = self.client.take_id();
        let packet = Packet::Subscribe(Subscribe {
            pkid: id,
            filters: vec![SubscribeFilter::new(topic.clone(), to_qos(q))],
        });
        self.pending = Some(Pending::Sub {
            id,
            topic,
            deadline: self.ack_deadline(),
        });
        self.early_ok();
        self.send(packet);
    }

    pub(super) fn sub_query(&mut self) {
        self.out.resp("+MQTTSUB:");
        for (t, _) in self.client.subs.clone() {
            self.out.resp(&t);
        }
        self.out.ok();
    }

    pub(super) fn unsub_cmd(&mut self, p: &[Param]) {
        let parsed = (|| {
            if p.len() != 1 {
                return None;
            }
            string_max(p.first()?, 512).filter(|t| !t.is_empty())
        })();
        let Some(topic) = parsed else {
            return self.out.cme(601);
        };
        if !self.connected_or() {
            return;
        }
        if !self.client.subs.iter().any(|(t, _)| *t == topic) {
            return self.out.cme(621);
        }
        let id = self.client.take_id();
        let packet = Packet::Unsubscribe(Unsubscribe {
            pkid: id,
            topics: vec![topic.clone()],
        });
        self.pending = Some(Pending::Unsub {
            id,
            topic,
            deadline: self.ack_deadline(),
        });
        self.early_ok();
        self.send(packet);
    }
}
