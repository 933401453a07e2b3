#!/usr/bin/env python3
"""Sends the RFC 4475 torture messages to a SIP server over UDP and TCP, and counts what it answers.

    python3 Interop/rfc4475.py SIP_PORT FIXTURES_DIR

What each message must get, decided per file (RFC 4475 §3, RFC 3261):
- a response (`SIP/2.0 ...` start line: bcast, noreason, unreason, bigcode, scalarlg) is never answered: a
  redirect server has no client transaction it could match (RFC 3261 §18.1.2);
- an ACK is never answered (RFC 3261 §17.2.1) (there is none in RFC 4475, but the rule stands);
- every request in valid/ gets a final answer on both transports, except inv2543 over TCP: it carries no
  Content-Length, which RFC 3261 §20.14 requires on a stream, so a TCP server cannot tell where it ends;
- a request in invalid/ may go unanswered (garbage that does not parse cannot be answered), but an answer, if
  any, must refuse it (400 and up).

UDP answers go where RFC 3261 §18.2.2 sends them: to the source address at the top Via's port (5060 when the
Via names none; quotbal's Via names 5050; mpart01's asks for rport, so back to the source port): the messages
are sent from 127.0.0.1:5060, with a second socket on 5050. Those two ports must be free. A UDP answer counts
for the message whose Call-ID it carries.

Prints one line per message and transport (the statuses received) and a summary; exits 1 if any message got
fewer answers than it must, or an answer it must not.
"""
import pathlib
import re
import select
import socket
import sys
import time

ANSWER_TIMEOUT = 3.0  # seconds to wait for an answer a message must get
SILENCE_WAIT = 0.5  # seconds to listen for an answer a message may or must not get
GRACE = 0.1  # seconds to keep listening after a first answer (dblreq's second request, over TCP)
TCP_NO_ANSWER = {
    "valid/inv2543.dat": "no Content-Length, which RFC 3261 §20.14 requires on TCP",
}
CALL_ID = re.compile(rb"^(?:call-id|i)[ \t]*:[ \t]*(.*?)[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)
STATUS = re.compile(rb"^SIP/2\.0 ([0-9]{3}) ", re.MULTILINE)


def expectation(name: str, data: bytes, transport: str) -> str:
    """`must` (at least one final answer), `may` (any answer must refuse) or `never`."""
    start = data.split(b"\r\n", 1)[0]
    if start.startswith(b"SIP/"):
        return "never"
    if start.split(b" ", 1)[0] == b"ACK":
        return "never"
    if name.startswith("invalid/"):
        return "may"
    if transport == "tcp" and name in TCP_NO_ANSWER:
        return "may"
    return "must"


def call_id(message: bytes) -> bytes | None:
    match = CALL_ID.search(message)
    return match.group(1) if match else None


def statuses(data: bytes) -> list[int]:
    return [int(code) for code in STATUS.findall(data)]


def main() -> int:
    port, root = int(sys.argv[1]), pathlib.Path(sys.argv[2])
    files = sorted(root.glob("*/*.dat"))
    if not files:
        print(f"no torture messages under {root}")
        return 1
    listeners = []
    for listen_port in (5060, 5050):
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            udp.bind(("127.0.0.1", listen_port))
        except OSError as error:
            print(f"cannot listen for UDP answers on 127.0.0.1:{listen_port}: {error}")
            return 1
        listeners.append(udp)
    sender = listeners[0]
    problems = []
    counts = {"sent": 0, "must": 0, "answered": 0, "answers": 0, "unattributed": 0}
    for path in files:
        name = str(path.relative_to(root))
        data = path.read_bytes()
        wanted = call_id(data)
        expected = {transport: expectation(name, data, transport) for transport in ("udp", "tcp")}
        # Late answers to an earlier message are not this one's.
        while select.select(listeners, [], [], 0)[0]:
            for udp in select.select(listeners, [], [], 0)[0]:
                udp.recv(65_536)
                counts["unattributed"] += 1
        tcp = socket.create_connection(("127.0.0.1", port), timeout=5)
        tcp.setblocking(False)
        sender.sendto(data, ("127.0.0.1", port))
        tcp.sendall(data)
        counts["sent"] += 2
        received = {"udp": [], "tcp": []}
        stream = b""
        tcp_open = True
        started = time.monotonic()
        first_answer = {}
        while True:
            now = time.monotonic()
            done = True
            for transport in ("udp", "tcp"):
                if transport in first_answer:
                    done &= now >= first_answer[transport] + GRACE
                elif expected[transport] == "must":
                    done &= now >= started + ANSWER_TIMEOUT
                else:
                    done &= now >= started + SILENCE_WAIT
            if done:
                break
            readable, _, _ = select.select(listeners + ([tcp] if tcp_open else []), [], [], 0.02)
            for sock in readable:
                if sock is tcp:
                    chunk = tcp.recv(65_536)
                    if not chunk:
                        tcp_open = False
                        continue
                    stream += chunk
                    codes = statuses(stream)
                    received["tcp"] = codes
                    if any(code >= 200 for code in codes):
                        first_answer.setdefault("tcp", time.monotonic())
                else:
                    answer = sock.recv(65_536)
                    if wanted is not None and call_id(answer) != wanted:
                        counts["unattributed"] += 1
                        continue
                    received["udp"] += statuses(answer)
                    if any(code >= 200 for code in received["udp"]):
                        first_answer.setdefault("udp", time.monotonic())
        tcp.close()
        for transport in ("udp", "tcp"):
            codes = received[transport]
            finals = [code for code in codes if code >= 200]
            counts["answers"] += len(finals)
            verdict = "ok"
            if expected[transport] == "must":
                counts["must"] += 1
                if finals:
                    counts["answered"] += 1
                else:
                    verdict = "NOT ANSWERED"
            elif expected[transport] == "never" and codes:
                verdict = "ANSWERED A RESPONSE"
            elif expected[transport] == "may" and any(code < 400 for code in finals):
                verdict = "ACCEPTED AN INVALID MESSAGE"
            if verdict != "ok":
                problems.append(f"{name} over {transport.upper()}: {verdict} (got {codes or 'nothing'})")
            note = f"  ({TCP_NO_ANSWER[name]})" if transport == "tcp" and name in TCP_NO_ANSWER else ""
            print(f"{verdict:4} {name:24} {transport.upper()} {expected[transport]:5} {codes or '-'}{note}")
    print(
        f"RFC 4475: sent {counts['sent']} messages ({len(files)} over UDP and over TCP); "
        f"{counts['answered']} of the {counts['must']} that must be answered were; "
        f"{counts['answers']} final answers in all; {counts['unattributed']} unattributed UDP answers"
    )
    for problem in problems:
        print("  " + problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
