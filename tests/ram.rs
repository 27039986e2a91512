//! The RAM each default costs, as the README documents it (static, no heap).

use ml302::blocking::Client;
use ml302::session::Session;
use ml302::Digester;

struct Port;
impl embedded_io::ErrorType for Port {
    type Error = core::convert::Infallible;
}
struct Clk;
impl ml302::Clock for Clk {
    fn now_ms(&mut self) -> u64 {
        0
    }
}

#[test]
fn ram_of_the_default_buffers() {
    let digester = core::mem::size_of::<Digester>();
    let session = core::mem::size_of::<Session>();
    let client = core::mem::size_of::<Client<Port, Clk>>();
    let small = core::mem::size_of::<Client<Port, Clk, 512, 1024, 1, 2>>();
    println!(
        "RAM digester={digester} session={session} client={client} client<512,1024,1,2>={small}"
    );
    // The figures the README quotes; a change of layout must update them.
    assert!(digester <= 2 * 1024 + 128, "{digester}");
    assert!(client <= 10 * 1024 + 512, "{client}");
    // The footprint client: at most 5,788 B on a Cortex-M (issue 16's goal,
    // `scripts/footprint.sh`); a 64-bit host adds a few words.
    assert!(small <= 5_800, "{small}");
}

#[test]
fn ram_of_the_default_outbox() {
    let outbox = core::mem::size_of::<ml302::outbox::Outbox>();
    println!("RAM outbox<8,128,256>={outbox}");
    // Eight messages of up to 128 + 256 bytes, with their reports: the figure
    // the README quotes (about N × (TOPIC + PAYLOAD + 40)).
    assert!(outbox <= 8 * (128 + 256 + 48) + 256, "{outbox}");
}

#[test]
fn ram_of_the_default_split_state() {
    use ml302::split::{NoopRawMutex, State};
    let session = core::mem::size_of::<Session>();
    let state = core::mem::size_of::<State<NoopRawMutex>>();
    let message = core::mem::size_of::<ml302::Incoming<512, 1024>>();
    println!("RAM split::State<default>={state} (session={session}, message={message})");
    // The session, two messages in the channel, four events, the two byte
    // pipes (128 + 64) and the synchronisation: the figure the README quotes.
    assert!(state <= session + 2 * message + 768, "{state}");
}
