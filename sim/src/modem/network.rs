//! The module's view of the cellular network: SIM, registration, signal and the
//! packet-data attach. The MQTT chapter assumes the data link is up; this is where
//! the network layer of `NETWORK.md` (SIM states, registration delays, PDP
//! contexts, `+CEREG`/`+CGEV` URCs) lives.

/// The network as the module sees it. [`Network::default`] is a ready SIM,
/// registered on the home network with full signal, attached.
#[derive(Debug, Clone)]
pub(super) struct Network {
    /// `AT+CEREG=<n>`: URC mode.
    pub cereg_n: u8,
    /// Registration status (`<stat>` of `+CEREG`).
    pub stat: u8,
    /// `+CSQ` rssi.
    pub rssi: u8,
    /// `+CSQ` ber.
    pub ber: u8,
    /// Packet-domain attach (`+CGATT`).
    pub attached: bool,
}

impl Default for Network {
    fn default() -> Self {
        Network {
            cereg_n: 0,
            stat: 1,
            rssi: 31,
            ber: 99,
            attached: true,
        }
    }
}
