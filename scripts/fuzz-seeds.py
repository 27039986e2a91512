#!/usr/bin/env python3
"""Regenerate the seed corpora of the fuzz targets: fuzz/corpus/<target>/.

usage: scripts/fuzz-seeds.py [--clean] [--transcripts PATH] [--out DIR]

Sources, all in the repository:
  * the spec's test vectors as the repository's transcript tests carry them
    (tests/*.rs, sim/tests/*.rs): every b"..." wire literal, every string literal
    that is an AT command line, and each test's `exchange(line, answer)` calls in
    order (a conversation);
  * two benchmark streams from the repository's generator (the make-stream binary
    of testkit/, run through cargo; mixes a and b, 0.01 MiB), cut into pieces;
  * the reproducers committed under fuzz/seeds/<target>/.
With --transcripts PATH, a copy of the spec's transcripts.md adds its vectors too:
every b"..." wire literal, every RX-lines block (framed as the modem frames lines),
every TX line and each vector's TX/RX conversation.

The input formats are those of the targets (fuzz/fuzz_targets/*.rs and the
Reader of fuzz/src/lib.rs). Seeds are added to what the corpus directories hold
(the inputs earlier runs found); --clean empties them first. They are git-ignored.
"""
import argparse
import glob
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGETS = ["digest", "line", "responses", "session", "encode", "sim_at", "client", "atat_digest"]


# --------------------------------------------------------------------------------
# Reading the transcripts

def unescape_rust(body):
    """Decodes the inside of a Rust byte-string literal."""
    out = bytearray()
    i = 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out += c.encode()
            i += 1
            continue
        n = body[i + 1]
        if n == "x":
            out.append(int(body[i + 2:i + 4], 16))
            i += 4
            continue
        out += {"r": b"\r", "n": b"\n", "t": b"\t", "0": b"\0", "\\": b"\\",
                '"': b'"', "'": b"'"}[n]
        i += 2
    return bytes(out)


LITERAL = re.compile(r'b"((?:[^"\\]|\\.)*)"')


def read_transcripts(path):
    """Returns (wire literals, RX-lines blocks as wire bytes, TX lines, events).

    events: per vector section, the ordered list of ("tx", line) and ("rx", bytes)
    (an RX is the first literal after a TX, else its RX-lines block).
    """
    text = open(path, encoding="utf-8").read()
    literals = [unescape_rust(m.group(1)) for m in LITERAL.finditer(text)]
    rx_blocks, tx_lines, sections = [], [], []
    lines = text.split("\n")
    events = None
    i = 0
    pending = None  # "tx" or "rx" for the next code block
    while i < len(lines):
        line = lines[i]
        if line.startswith("### ") or line.startswith("**T-"):
            events = []
            sections.append(events)
        stripped = line.strip()
        if stripped == "TX":
            pending = "tx"
        elif stripped.startswith("RX lines"):
            pending = "rx"
        elif stripped.startswith("```") and pending:
            i += 1
            block = []
            while i < len(lines) and not lines[i].strip().startswith("```"):
                block.append(lines[i])
                i += 1
            if pending == "tx":
                for b in block:
                    if b.startswith("AT"):
                        tx_lines.append(b.encode())
                        if events is not None:
                            events.append(("tx", b.encode()))
            else:
                wire = b"".join(b"\r\n" + b.encode() + b"\r\n" for b in block)
                rx_blocks.append(wire)
                if events is not None:
                    events.append(("rx-lines", wire))
            pending = None
        else:
            for m in re.finditer(r"TX `(AT[^`]*)`", line):
                tx_lines.append(m.group(1).encode())
                if events is not None:
                    events.append(("tx", m.group(1).encode()))
            for m in LITERAL.finditer(line):
                if events is not None:
                    events.append(("rx", unescape_rust(m.group(1))))
        i += 1
    # One answer per command: the first literal after a TX, else its RX-lines block.
    flows = []
    for ev in sections:
        flow = []
        k = 0
        while k < len(ev):
            kind, val = ev[k]
            if kind == "tx":
                answer = None
                j = k + 1
                while j < len(ev) and ev[j][0] != "tx":
                    if ev[j][0] == "rx" and answer is None:
                        answer = ev[j][1]
                    j += 1
                if answer is None:
                    blocks = [v for (kk, v) in ev[k + 1:j] if kk == "rx-lines"]
                    answer = blocks[0] if blocks else b"\r\nOK\r\n"
                flow.append((val, answer))
                k = j
            else:
                k += 1
        if flow:
            flows.append(flow)
    return literals, rx_blocks, tx_lines, flows


# Rust string and byte-string literals, comments and char literals, in source order
# (comments and chars are matched only so that a quote inside them is skipped).
RUST_TOKEN = re.compile(
    r'//[^\n]*'
    r'|(?P<braw>br(?P<bh>#*)"(?P<bbody>.*?)"(?P=bh))'
    r'|b"(?P<bstr>(?:[^"\\]|\\.)*)"'
    r'|(?P<raw>r(?P<h>#*)"(?P<rbody>.*?)"(?P=h))'
    r'|"(?P<str>(?:[^"\\]|\\.)*)"'
    r"|'(?:\\.|[^\\'])'",
    re.S)
EXCHANGE = re.compile(r'\bexchange\(\s*$')


def unescape_rust_str(body):
    """Decodes the inside of a Rust (byte-)string literal, `\\u{..}` and line
    continuations included."""
    body = re.sub(r'\\\n\s*', '', body)
    body = re.sub(r'\\u\{([0-9a-fA-F]+)\}', lambda m: chr(int(m.group(1), 16)), body)
    out = bytearray()
    i = 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out += c.encode()
            i += 1
            continue
        n = body[i + 1]
        if n == "x":
            out.append(int(body[i + 2:i + 4], 16))
            i += 4
            continue
        out += {"r": b"\r", "n": b"\n", "t": b"\t", "0": b"\0", "\\": b"\\",
                '"': b'"', "'": b"'"}.get(n, b"\\" + n.encode())
        i += 2
    return bytes(out)


def rust_literals(text):
    """(kind, bytes, start, end) of each string literal: kind "b" or "s"."""
    out = []
    for m in RUST_TOKEN.finditer(text):
        if m.group("braw") is not None:
            out.append(("b", m.group("bbody").encode(), m.start(), m.end()))
        elif m.group("bstr") is not None:
            out.append(("b", unescape_rust_str(m.group("bstr")), m.start(), m.end()))
        elif m.group("raw") is not None:
            out.append(("s", m.group("rbody").encode(), m.start(), m.end()))
        elif m.group("str") is not None:
            out.append(("s", unescape_rust_str(m.group("str")), m.start(), m.end()))
    return out


def read_repo_vectors(root):
    """Returns (wire literals, TX lines, conversations) from the transcript tests.

    A conversation is one test function's `exchange("AT…", answer)` calls in
    order, and each of those calls on its own; an answer that is not a
    byte-string literal (a constant, a variable) is taken as OK.
    """
    paths = sorted(glob.glob(os.path.join(root, "tests", "**", "*.rs"), recursive=True)
                   + glob.glob(os.path.join(root, "sim", "tests", "**", "*.rs"), recursive=True))
    literals, tx_lines, flows = [], [], []
    for path in paths:
        if "transcript" not in os.path.basename(path):
            continue
        text = open(path, encoding="utf-8").read()
        lits = rust_literals(text)
        for kind, val, _, _ in lits:
            if kind == "b" and val:
                literals.append(val)
            elif kind == "s" and val.startswith(b"AT"):
                # tx("…") and exchange("…") lines; a CR LF is added where needed.
                tx_lines.append(val.rstrip(b"\r\n"))
        # Conversations: split at each `fn`, pair exchange(tx, answer) calls.
        starts = [m.start() for m in re.finditer(r"\nfn ", text)] + [len(text)]
        for lo, hi in zip(starts, starts[1:]):
            flow = []
            in_fn = [l for l in lits if lo <= l[2] < hi]
            for k, (kind, val, at, end) in enumerate(in_fn):
                if kind != "s" or not val.startswith(b"AT"):
                    continue
                if not EXCHANGE.search(text[max(lo, at - 40):at]):
                    continue
                answer = b"\r\nOK\r\n"
                if k + 1 < len(in_fn):
                    nk, nv, nat, _ = in_fn[k + 1]
                    if nk == "b" and re.fullmatch(r"\s*,\s*", text[end:nat]):
                        answer = nv
                flow.append((val, answer))
            if flow:
                flows.append(flow)
    # Each exchange also on its own (one command after connecting), once.
    singles = dict.fromkeys((pair,) for flow in flows for pair in flow)
    flows += [list(pair) for pair in singles]
    return literals, tx_lines, flows


def split_params(s):
    """Splits AT parameters: quoted strings (with \\" escapes) or bare values."""
    out, i = [], 0
    while i <= len(s):
        if i < len(s) and s[i:i + 1] == b'"':
            i += 1
            v = bytearray()
            while i < len(s) and s[i:i + 1] != b'"':
                if s[i:i + 2] == b'\\"':
                    v += b'"'
                    i += 2
                else:
                    v += s[i:i + 1]
                    i += 1
            out.append(("q", bytes(v)))
            i += 2  # quote and comma
        else:
            j = s.find(b",", i)
            j = len(s) if j < 0 else j
            out.append(("n", s[i:j]))
            i = j + 1
        if i >= len(s):
            break
    return out


def parse_tx(line):
    """(name, form, params) of an AT line: form is 'exec', 'query' or 'set'."""
    if not line.startswith(b"AT+"):
        return (line.decode(errors="replace"), "basic", [])
    rest = line[3:]
    if rest.endswith(b"?"):
        return (rest[:-1].decode(), "query", [])
    if b"=" in rest:
        name, params = rest.split(b"=", 1)
        return (name.decode(), "set", split_params(params))
    return (rest.decode(), "exec", [])


# --------------------------------------------------------------------------------
# Writing the Reader format (fuzz/src/lib.rs)

def u8(v):
    return bytes([v & 0xFF])


def u16(v):
    return (v & 0xFFFF).to_bytes(2, "little")


def u32(v):
    return (v & 0xFFFFFFFF).to_bytes(4, "little")


def blob(b):
    b = b[:0xFFFF]
    return (u8(len(b)) if len(b) < 255 else b"\xff" + u16(len(b))) + b


def text(b, sanitize=False):
    return u8(1 if sanitize else 0) + blob(b)


def num(p):
    try:
        return int(p[1])
    except ValueError:
        return 0


def q(p):
    return p[1] if p[0] == "q" else p[1]


UNIT = {("AT", "basic"): 0, ("ATE0", "basic"): 1, ("CMEE", "set"): 2,
        ("MQTTCFG", "query"): 3, ("MQTTSTAT", "query"): 4, ("MQTTSUB", "query"): 5,
        ("MQTTDISC", "exec"): 6, ("MQTTDEL", "exec"): 7, ("MQTTPING", "query"): 8,
        ("MQTTREC", "query"): 9, ("MQTTTO", "query"): 10}


def encode_seeds(line, payload=None):
    """Inputs of the encode target that should produce `line` (and variants)."""
    name, form, ps = parse_tx(line)
    big = u16(0xFFFF)
    out = []
    if (name, form) in UNIT:
        out.append(u8(11) + big + u8(UNIT[(name, form)]))
    elif name == "MQTTCFG" and form == "set" and len(ps) in (7, 9):
        sel = 0 if len(ps) == 9 else 1
        body = (text(q(ps[0])) + u16(num(ps[1])) + text(q(ps[2])) + u16(num(ps[3]))
                + text(q(ps[4])) + text(q(ps[5])) + u8(num(ps[6])))
        if len(ps) == 9:
            body += text(q(ps[7])) + u8(num(ps[8]))
        out.append(u8(sel) + big + body)
    elif name == "MQTTOPEN" and len(ps) == 7:
        out.append(u8(2) + big + u8(num(ps[0])) + u8(num(ps[1])) + u8(num(ps[2]))
                   + text(q(ps[5])) + text(q(ps[6])) + u8(num(ps[4])) + u8(num(ps[3])))
    elif name == "MQTTSUB" and form == "set" and len(ps) == 2:
        out.append(u8(3) + big + text(q(ps[0])) + u8(num(ps[1])))
    elif name == "MQTTUNSUB" and len(ps) == 1:
        out.append(u8(4) + big + text(q(ps[0])))
    elif name == "MQTTPUB" and len(ps) == 5:
        topic, qos, retain = q(ps[0]), num(ps[1]), num(ps[2])
        if ps[4][0] == "q":
            msg = ps[4][1]
            out.append(u8(5) + big + text(topic) + blob(msg) + u8(qos) + u8(retain) + u16(0))
            out.append(u8(6) + big + text(topic) + text(msg) + u8(qos) + u8(retain))
        else:
            n = num(ps[4])
            data = payload if payload is not None else b"\x00" * n
            out.append(u8(5) + big + text(topic) + blob(data) + u8(qos) + u8(retain) + u16(0))
            out.append(u8(7) + big + text(topic) + u16(n) + u16(0) + u8(qos) + u8(retain))
    elif name == "MQTTTO" and form == "set":
        out.append(u8(8) + big + u16(num(ps[0])))
    elif name == "MQTTPING" and form == "set":
        out.append(u8(9) + big + u8(num(ps[0])))
    elif name == "MQTTREC" and form == "set":
        out.append(u8(10) + big + u8(num(ps[0])))
    # The same with a buffer one byte too small and one just big enough.
    extra = []
    for s in out:
        n = len(line) + 2
        extra.append(s[:1] + u16(n - 1) + s[3:])
        extra.append(s[:1] + u16(n) + s[3:])
    return out + extra


# Session opcodes (fuzz_targets/session.rs).
BEGIN, POLL, RECV, CANNED, WRITTEN, PAYLOAD, RESYNC, RESUB, RESET, DRAIN, DRIVE, JUMP, DEADLINE = range(13)


def session_op(line, payload=None):
    """BEGIN operand bytes for a TX line, or None."""
    name, form, ps = parse_tx(line)
    simple = {("AT", "basic"): 0, ("ATE0", "basic"): 1, ("CMEE", "set"): 2,
              ("MQTTCFG", "query"): 4, ("MQTTTO", "query"): 6, ("MQTTREC", "query"): 8,
              ("MQTTPING", "query"): 10, ("MQTTSTAT", "query"): 12, ("MQTTSUB", "query"): 14,
              ("MQTTDISC", "exec"): 17, ("MQTTDEL", "exec"): 18}
    if (name, form) in simple:
        return u8(simple[(name, form)])
    if name == "MQTTCFG" and len(ps) in (7, 9):
        version = q(ps[7]) if len(ps) == 9 else b""
        encrypt = num(ps[8]) if len(ps) == 9 else 0
        flags = (num(ps[6]) & 1) | (encrypt << 1) | 4
        return (u8(3) + text(q(ps[0])) + u16(num(ps[1])) + text(q(ps[2])) + u16(num(ps[3]))
                + text(q(ps[4])) + text(q(ps[5])) + u8(flags) + text(version) + u16(10))
    if name == "MQTTTO" and form == "set":
        return u8(5) + u16(num(ps[0]))
    if name == "MQTTREC" and form == "set":
        return u8(7) + u8(num(ps[0]))
    if name == "MQTTPING" and form == "set":
        return u8(9) + u8(num(ps[0]))
    if name == "MQTTOPEN" and len(ps) == 7:
        if num(ps[2]):
            return u8(11) + u8(1) + text(q(ps[5])) + text(q(ps[6])) + u8(num(ps[4])) + u8(num(ps[3]))
        return u8(11) + u8(0)
    if name == "MQTTSUB" and form == "set" and len(ps) == 2:
        return u8(13) + text(q(ps[0])) + u8(num(ps[1]))
    if name == "MQTTUNSUB" and len(ps) == 1:
        return u8(15) + text(q(ps[0]))
    if name == "MQTTPUB" and len(ps) == 5:
        if ps[4][0] == "q":
            data = ps[4][1]
        else:
            data = payload if payload is not None else b"\x00" * num(ps[4])
        return u8(16) + text(q(ps[0])) + blob(data) + u8(num(ps[1])) + u8(num(ps[2]))
    return None


def command(op, answer, prompt_payload=False):
    """Script: begin, write, (prompt and payload,) the modem's answer, poll, drain."""
    s = u8(BEGIN) + op + u8(DRIVE) + u8(0)
    if prompt_payload:
        s += u8(RECV) + blob(b"\r\n> ") + u8(DRIVE) + u8(1)
    for cut in (answer,):
        s += u8(RECV) + blob(cut)
    return s + u8(POLL) + u16(1) + u8(DRIVE) + u8(4) + u8(DRAIN)


CONNECT = (command(session_op(b'AT+MQTTCFG="h",1883,"i",60,"u","p",1,"",0'), b"\r\nOK\r\n")
           + command(session_op(b'AT+MQTTOPEN=1,1,0,0,0,"",""'), b"\r\n+MQTTOPEN:OK\r\n\r\nOK\r\n"))


# --------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--transcripts", help="a copy of the spec's transcripts.md (optional)")
    ap.add_argument("--out", default=os.path.join(ROOT, "fuzz", "corpus"))
    ap.add_argument("--clean", action="store_true", help="empty the corpus directories first")
    args = ap.parse_args()

    seeds = {t: set() for t in TARGETS}

    literals, tx_lines, flows = read_repo_vectors(ROOT)
    rx_blocks = []
    if args.transcripts:
        more_literals, rx_blocks, more_tx, more_flows = read_transcripts(args.transcripts)
        literals += more_literals
        tx_lines += more_tx
        flows += more_flows
    # Each TX line once, in first-seen order.
    tx_lines = list(dict.fromkeys(tx_lines))

    streams = []
    with tempfile.TemporaryDirectory() as tmp:
        for mix in ("a", "b"):
            out = os.path.join(tmp, mix)
            made = subprocess.run(
                ["cargo", "run", "--quiet", "--manifest-path", os.path.join(ROOT, "Cargo.toml"),
                 "-p", "ml302-testkit", "--bin", "make-stream", "--", mix, "0.01", out],
                stdout=subprocess.DEVNULL, check=False)
            if made.returncode != 0:
                print("fuzz-seeds: make-stream failed; stream seeds skipped", file=sys.stderr)
                streams = []
                break
            data = open(out, "rb").read()
            for k, size in enumerate((257, 700, 1500, 3000)):
                at = (k * 1111) % max(1, len(data) - size)
                streams.append(data[at:at + size])

    # The raw payload of T-31 (sent after the prompt).
    t31 = unescape_rust(r'a,\"b\"\r\nOK\r\nc\\d\x00\xffz')

    wires = literals + rx_blocks
    # digest: header (flags, prompt mask, chunk sizes) + stream.
    # (flags: bits 0-2 sizes-1, bit 3 prompt, bits 4-5 buffer sizes; prompt mask; sizes)
    headers = [b"\x00\x00\x00", b"\x00\x00\x01", b"\x13\x00\x03\x07\x01\x00",
               b"\x28\xff\x00", b"\x39\x01\x02\x05"]
    for w in wires:
        for h in headers:
            seeds["digest"].add(h + w)
    for s in streams:
        seeds["digest"].add(b"\x01\x00\x05\xc8" + s)
        seeds["digest"].add(b"\x20\x00\x00" + s)
    seeds["digest"].add(b"\x08\x00\x00" + b"\r\n> " + b"\r\n+MQTTPUBACK:0,7\r\n\r\nOK\r\n")

    # atat_digest: flags (ingress size, chunk-size count) + chunk sizes + stream.
    for w in wires:
        for h in [b"\x02\x00", b"\x00\x01", b"\x05\x03\x07", b"\x03\x00"]:
            seeds["atat_digest"].add(h + w)
    for s in streams:
        seeds["atat_digest"].add(b"\x06\x05\xc8" + s)

    # line: single lines and whole literals.
    for w in wires:
        seeds["line"].add(w)
        for l in re.split(rb"\r\n|\r|\n", w):
            if l:
                seeds["line"].add(l)
    for s in streams[:2]:
        for l in s.split(b"\r\n")[:40]:
            if l:
                seeds["line"].add(l)

    # responses: an error selector byte + a body.
    for k, w in enumerate(wires):
        seeds["responses"].add(u8(k) + w)
    for s in streams[:4]:
        seeds["responses"].add(b"\x00" + s)

    # encode and sim_at: the TX lines.
    payload_of = {}
    for line in tx_lines:
        name, form, ps = parse_tx(line)
        payload = t31 if (name == "MQTTPUB" and ps and ps[-1] == ("n", b"17")) else None
        payload_of[line] = payload
        for s in encode_seeds(line, payload):
            seeds["encode"].add(s)
        seeds["sim_at"].add(line)
        seeds["sim_at"].add(line.lower())
    for bad in (b'a"b', b"a\r\nAT+MQTTDISC", b"a,b", b"x" * 513, b"OK", b" error ", b"+CME ERROR: 1"):
        seeds["encode"].add(u8(3) + u16(0xFFFF) + text(bad) + u8(1))
        seeds["encode"].add(u8(5) + u16(0xFFFF) + text(bad) + blob(b"p") + u8(0) + u8(0) + u16(0))
    seeds["encode"].add(u8(0) + u16(0xFFFF) + text(b"h" * 129) + u16(1883) + text(b"i") + u16(60)
                        + text(b"") + text(b"") + u8(1) + text(b"") + u8(0))
    seeds["encode"].add(u8(6) + u16(0xFFFF) + text(b"t") + text(b"m" * 1025) + u8(0) + u8(0))
    for extra in (b"ATE0&W", b"ATZ", b"AT+MQTTPUB=?", b'AT+MQTTSUB="a\\"b",1', b"AT+X=,,",
                  b'AT+MQTTPUB="t",0,0,0,"\\"', b"at+mqttcfg?"):
        seeds["sim_at"].add(extra)

    # session: each transcript flow after connecting, and all of them in a row.
    everything = b""
    for flow in flows:
        script = b"\x00" + CONNECT
        for line, answer in flow:
            op = session_op(line, payload_of.get(line))
            if op is None:
                continue
            prompt = b"> " in answer or answer.startswith(b"\r\n>")
            rest = answer.split(b"> ", 1)[1] if b"> " in answer else answer
            script += command(op, rest if prompt else answer, prompt)
            everything += command(op, rest if prompt else answer, prompt)
        seeds["session"].add(script)
        seeds["session"].add(b"\x01" + script[1:])
    seeds["session"].add(b"\x00" + CONNECT + everything)
    seeds["session"].add(b"\x01" + CONNECT + everything)
    for s in streams[:3]:
        seeds["session"].add(b"\x00" + CONNECT + u8(RECV) + blob(s) + u8(DRAIN))
    # A time-out, a resynchronisation and a length-mode publish refused before its prompt.
    seeds["session"].add(b"\x00" + CONNECT + u8(BEGIN) + session_op(b"AT+MQTTSTAT?") + u8(DRIVE) + u8(0)
                         + u8(DEADLINE) + u8(RESYNC) + u8(DRIVE) + u8(0)
                         + u8(RECV) + blob(b"\r\nOK\r\n\r\n+MQTTCFG: \"h\",1,\"i\",60,\"u\",\"***\",1,\"\",0\r\n\r\nOK\r\n")
                         + u8(DRIVE) + u8(3))
    seeds["session"].add(b"\x00" + CONNECT + command(session_op(b'AT+MQTTPUB="x",1,0,0,5', b"\x00" * 5),
                                                      b"\r\n+CME ERROR: 600\r\n"))

    # client: a whole conversation (start, configure, connect, subscribe, publish
    # inline and in length mode, receive, disconnect), in chunks of 1, 7 and 64.
    ok = b"\r\nOK\r\n"
    answers = [ok, ok, ok, b"\r\nERROR\r\n", ok,                       # start
               ok, ok, ok,                                                 # configure
               b"\r\n+MQTTOPEN:OK\r\n" + ok, ok,                          # connect
               b"\r\n+MQTTSUBACK:1,1,t\r\n" + ok,                        # subscribe
               b"\r\n+MQTTPUBACK:0,2\r\n" + ok,                          # publish inline
               b"\r\n> ", b"\r\n+MQTTPUBACK:0,3\r\n" + ok
               + b"\r\n+MQTTPUBLISH:0,1,0,4,t,3,a\"b\r\n",                  # publish length mode
               b"\r\n+MQTTDISC: OK\r\n" + ok]                             # disconnect
    calls = (u8(0)
             + u8(1) + text(b"h") + text(b"i") + text(b"u") + text(b"p") + u16(1883) + u16(60)
             + u8(3) + u16(10)
             + u8(2) + u8(0)
             + u8(3) + text(b"t") + u8(1)
             + u8(5) + text(b"t") + blob(b"hi") + u8(1) + u8(0)
             + u8(5) + text(b"t") + blob(b'a"b') + u8(1) + u8(0)
             + u8(18) + u16(1000)
             + u8(19)
             + u8(6))
    for step, chunk in ((0, 1), (1, 7), (19, 0)):
        seeds["client"].add(u8(step) + u8(chunk) + u8(len(answers))
                            + b"".join(blob(a) for a in answers) + calls)
    for flow in flows:
        answers = [a for (_, a) in flow][:32]
        seeds["client"].add(u8(0) + u8(0) + u8(len(answers)) + b"".join(blob(a) for a in answers)
                            + u8(0) + u8(1) + text(b"h") + text(b"i") + text(b"") + text(b"")
                            + u16(1883) + u16(60) + u8(1) + u16(10) + u8(2) + u8(0))

    # client: the network paths: a whole automatic bring-up, then a recovery
    # whose first rung finds the context down and whose second brings it back.
    net_times = b"".join(u16(5000) for _ in range(8))
    bring_up_answers = [ok, ok, ok, b"\r\n+CPIN: READY\r\n" + ok, b"\r\n+CFUN: 1\r\n" + ok,
                        b"\r\n+VERCTRL: 0,1\r\n" + ok, b"\r\n+CEREG: 0,1\r\n" + ok,
                        b"\r\n+CGACT: 1,1\r\n" + ok, b"\r\n+CGPADDR: 1,\"10.64.0.2\"\r\n" + ok,
                        b"\r\n+CGSN: 869597030000009\r\n" + ok,
                        b"\r\n+ICCID: 89860012345678901234\r\n" + ok,
                        b"\r\n460041234567890\r\n" + ok, b"\r\n+CSQ: 20,99\r\n" + ok]
    seeds["client"].add(u8(0) + u8(0) + u8(len(bring_up_answers))
                        + b"".join(blob(a) for a in bring_up_answers)
                        + u8(21) + u8(0) + net_times + u8(22))
    recover_answers = ([ok, ok, ok, b"\r\nERROR\r\n", ok, ok, ok, ok,   # start, configure
                        b"\r\n+MQTTOPEN:OK\r\n" + ok, ok,                 # connect
                        b"\r\n+MQTTSUBACK:1,1,t\r\n" + ok,               # subscribe
                        ok, b"\r\n+CGACT: 1,0\r\n" + ok,                  # rung 1: link down
                        ok]                                                 # rung 2: AT+CGACT=1,1
                       + bring_up_answers
                       + [b"\r\nERROR\r\n", ok, ok, ok, ok,             # DISC, DEL, CFG, TO, REC
                          b"\r\n+MQTTOPEN:OK\r\n" + ok, ok,             # open, ping
                          b"\r\n+MQTTSUBACK:2,1,t\r\n" + ok])           # re-subscription
    recover_calls = (u8(0)
                     + u8(1) + text(b"h") + text(b"i") + text(b"u") + text(b"p") + u16(1883) + u16(60)
                     + u8(3) + u16(10)
                     + u8(2) + u8(0)
                     + u8(3) + text(b"t") + u8(1))
    for pin in (b"", u8(1) + u8(1) + u16(300) + u8(0)):
        tail = pin if pin else u8(0)
        seeds["client"].add(u8(0) + u8(0) + u8(min(len(recover_answers), 32))
                            + b"".join(blob(a) for a in recover_answers[:32])
                            + recover_calls
                            + u8(23) + text(b"h") + text(b"i") + u16(1883) + u8(0) + net_times
                            + u8(3) + u16(100) + u16(100) + tail)
    # session: a raw command with a boot line inside its answer, and the typed
    # network commands.
    seeds["session"].add(b"\x00" + CONNECT + u8(13) + u16(1000) + u8(0) + blob(b"+CSQ")
                         + u8(DRIVE) + u8(0) + u8(RECV) + blob(b"\r\n+CSQ: 20,99\r\n\r\nRDY\r\n")
                         + u8(DRIVE) + u8(3) + u8(DRAIN))
    for which in range(8):
        seeds["session"].add(b"\x01" + u8(14) + u16(2000) + u8(1) + u8(which)
                             + u8(DRIVE) + u8(0) + u8(CANNED) + u8(0xB0 + which) + u8(3)
                             + u8(RECV) + blob(b"\r\nOK\r\n") + u8(DRIVE) + u8(3) + u8(DRAIN))

    # Committed reproducers.
    for t in TARGETS:
        d = os.path.join(ROOT, "fuzz", "seeds", t)
        if os.path.isdir(d):
            for f in sorted(os.listdir(d)):
                seeds[t].add(open(os.path.join(d, f), "rb").read())

    total = 0
    for t in TARGETS:
        d = os.path.join(args.out, t)
        if args.clean:
            shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d, exist_ok=True)
        for s in sorted(seeds[t]):
            name = hashlib.sha1(s).hexdigest()
            with open(os.path.join(d, name), "wb") as f:
                f.write(s)
        total += len(seeds[t])
        print(f"fuzz-seeds: {t:10} {len(seeds[t]):5} seeds")
    print(f"fuzz-seeds: {total} seeds in {args.out}")


if __name__ == "__main__":
    main()
