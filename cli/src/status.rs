//! `ml302 status`: what the modem says about its MQTT client and its network,
//! without changing anything (only queries are sent: no start-up clean-up, no
//! bring-up, no connect).

use std::time::Instant;

use clap::Args;

use crate::error::{CliError, CliResult};
use crate::modem::{debug_sink, Modem, ModemClient};
use crate::net::{registration_name, signal_text};
use crate::opts::DeviceOpts;

/// Arguments of `ml302 status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The serial device.
    #[command(flatten)]
    pub device: DeviceOpts,
}

/// One line of a state report: a label and what the modem said (or why it
/// could not say).
pub type Item = (&'static str, Result<String, ml302::Error>);

/// The configuration as the module reports it; the module masks the password
/// and so does this text.
fn config_text(cfg: Option<&ml302::ReportedConfig<'_>>) -> String {
    match cfg {
        None => "no MQTT client configured".to_owned(),
        Some(c) => format!(
            "host {} port {} id \"{}\" keep-alive {} s user \"{}\" password *** clean-session {} version \"{}\" encrypt {}",
            c.host,
            c.port,
            c.client_id,
            c.keep_alive,
            c.user,
            u8::from(c.clean_session),
            c.version,
            u8::from(c.encrypt)
        ),
    }
}

/// Queries the modem for its state: configuration (`AT+MQTTCFG?`), connection
/// state (`AT+MQTTSTAT?`), subscriptions (`AT+MQTTSUB?`), automatic reconnection
/// and its attempt count (`AT+MQTTREC?`) and ping echo (`AT+MQTTPING?`).
///
/// The link state is the one the client tracks when `tracked` (the client ran the
/// session itself); otherwise it is read from the configuration and
/// `AT+MQTTSTAT?`, since a client that only queried has nothing to track.
pub fn state_report(client: &mut ModemClient, tracked: bool) -> Vec<Item> {
    let config = client
        .reported_config()
        .map(|c| (c.is_some(), config_text(c.as_ref())));
    let modem_state = client.modem_state();
    let subs = client.list_subscriptions().map(|list| {
        let list: Vec<String> = list
            .map(|e| match e.qos {
                Some(q) => format!("{} (QoS {})", e.topic, q.as_u8()),
                None => e.topic.to_string(),
            })
            .collect();
        if list.is_empty() {
            "none".to_owned()
        } else {
            list.join(", ")
        }
    });
    let rec = client.auto_reconnect().map(|(on, n)| {
        format!(
            "{}, {n} reconnect attempt{} so far (AT+MQTTREC?)",
            if on { "on" } else { "off" },
            if n == 1 { "" } else { "s" }
        )
    });
    let ping = client
        .ping_echo()
        .map(|on| if on { "shown" } else { "hidden" }.to_owned());
    let link = if tracked {
        Ok(format!("{:?} (tracked by the client)", client.link_state()))
    } else {
        Ok(derived_link_state(&config, &modem_state))
    };
    vec![
        ("link state", link),
        (
            "modem state",
            modem_state.map(|s| format!("{s:?} (AT+MQTTSTAT?)")),
        ),
        ("configuration", config.map(|(_, text)| text)),
        ("subscriptions", subs),
        ("auto-reconnect", rec),
        ("ping answers", ping),
    ]
}

/// The link state as the modem's answers show it.
fn derived_link_state(
    config: &Result<(bool, String), ml302::Error>,
    state: &Result<ml302::ModemState, ml302::Error>,
) -> String {
    use ml302::{LinkState as L, ModemState as M};
    let link = match (config, state) {
        (Ok((false, _)), _) => Some(L::NoClient),
        (_, Ok(M::Connected)) => Some(L::Connected),
        (_, Ok(M::SocketConnecting | M::SocketConnected | M::ConnectSent)) => Some(L::Opening),
        (Ok((true, _)), Ok(M::NotConnected)) => Some(L::Idle),
        _ => None,
    };
    match link {
        Some(l) => format!("{l:?} (from AT+MQTTCFG? and AT+MQTTSTAT?)"),
        None => "unknown".to_owned(),
    }
}

/// The network section (`network_status`): whether the link is up, the
/// registration (`AT+CEREG?`), the signal (`AT+CSQ`), the state of PDP
/// context 1 (`AT+CGACT?`) and its address (`AT+CGPADDR=1`).
pub fn network_report(client: &mut ModemClient) -> Vec<Item> {
    match client.network_status() {
        Ok(s) => {
            let address = if s.address.is_assigned() {
                s.address.address.to_string()
            } else {
                "none".to_owned()
            };
            vec![
                (
                    "state",
                    Ok(if s.is_up() { "up" } else { "down" }.to_owned()),
                ),
                (
                    "registration",
                    Ok(format!(
                        "{} (AT+CEREG?)",
                        registration_name(s.registration.status)
                    )),
                ),
                ("signal", Ok(format!("{} (AT+CSQ)", signal_text(s.signal)))),
                (
                    "PDP context",
                    Ok(format!(
                        "{} (AT+CGACT?)",
                        if s.pdp_active { "active" } else { "inactive" }
                    )),
                ),
                ("address", Ok(format!("{address} (AT+CGPADDR=1)"))),
            ]
        }
        Err(e) => vec![("state", Err(e))],
    }
}

/// Prints the network section under its heading.
pub fn print_network(items: &[Item], indent: &str) {
    say!("{indent}network:");
    print_report(items, &format!("{indent}  "));
}

/// Prints a report, one `label: value` line each.
pub fn print_report(items: &[Item], indent: &str) {
    for (label, value) in items {
        let value = match value {
            Ok(v) => v.clone(),
            Err(e) => format!("unavailable ({e})"),
        };
        say!("{indent}{:<15} {value}", format!("{label}:"));
    }
}

/// Runs `ml302 status`.
pub fn run(args: &StatusArgs, debug: bool) -> CliResult {
    let path = args.device.require()?;
    let mut modem = Modem::open(path, args.device.baud, debug_sink(debug), Instant::now())?;
    // The first query doubles as "is a modem there?".
    if let Err(ml302::Error::Timeout) = modem.client.reported_config() {
        return Err(CliError::timeout(format!(
            "{path}: the modem does not answer (is it powered, and at this baud rate?)"
        )));
    }
    let items = state_report(&mut modem.client, false);
    let network = network_report(&mut modem.client);
    say!("{:<15} {path} at {} baud", "device:", args.device.baud);
    print_report(&items, "");
    print_network(&network, "");
    // A serial port that failed while querying is a device error.
    for (_, value) in items.iter().chain(&network) {
        if let Err(e @ (ml302::Error::Io(_) | ml302::Error::PortClosed)) = value {
            return Err(modem.err(e.clone(), "status"));
        }
    }
    Ok(())
}
