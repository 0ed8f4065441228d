#!/usr/bin/env python3
"""Passive BGP peer that records every message a real router sends.

It accepts one TCP connection on port 179, sends a hand-built OPEN (RFC 4271
4.2) and KEEPALIVEs, announces nothing but its End-of-RIB markers (RFC 4724
2), and records the router's messages cut by the header length field. Once
the router's End-of-RIB for every negotiated family has arrived (or the
deadline passes) it optionally asks for a ROUTE-REFRESH (RFC 2918 / 7313),
optionally hands control to the capture script through a ready file so the
script can make the router send its own messages (a ROUTE-REFRESH, a
shutdown NOTIFICATION) or goes quiet so the router's hold timer expires, then
sends a Cease NOTIFICATION unless the router closed the session, and writes
the fixture.

Standard library only, and deliberately independent of the project's codec:
these bytes are the codec's test vectors, so they must not come from it.
"""

import argparse
import ipaddress
import json
import os
import socket
import sys
import time

# Message types (RFC 4271 4.1, RFC 2918 3).
OPEN, UPDATE, NOTIFICATION, KEEPALIVE, ROUTE_REFRESH = 1, 2, 3, 4, 5
MESSAGE_NAMES = {1: "OPEN", 2: "UPDATE", 3: "NOTIFICATION", 4: "KEEPALIVE", 5: "ROUTE-REFRESH"}
HEADER_LENGTH = 19
MARKER = b"\xff" * 16

# Capability codes (IANA "Capability Codes").
CAP_MULTIPROTOCOL = 1  # RFC 4760
CAP_ROUTE_REFRESH = 2  # RFC 2918
CAP_EXTENDED_MESSAGE = 6  # RFC 8654
CAP_GRACEFUL_RESTART = 64  # RFC 4724
CAP_FOUR_OCTET_AS = 65  # RFC 6793
CAP_ENHANCED_ROUTE_REFRESH = 70  # RFC 7313
CAP_ROUTE_REFRESH_OLD = 128  # pre-standard Cisco code, still sent by some

OPTIONAL_PARAMETER_CAPABILITIES = 2  # RFC 5492 4
ATTR_MP_UNREACH_NLRI = 15  # RFC 4760 4
ATTR_FLAG_EXTENDED_LENGTH = 0x10
AS_TRANS = 23456  # RFC 6793 9
IPV4_UNICAST = (1, 1)
IPV6_UNICAST = (2, 1)
FAMILY_NAMES = {IPV4_UNICAST: "ipv4-unicast", IPV6_UNICAST: "ipv6-unicast"}

# NOTIFICATION Cease, Administrative Shutdown (RFC 4486 3).
CEASE, CEASE_ADMINISTRATIVE_SHUTDOWN = 6, 2
# ROUTE-REFRESH message subtypes (RFC 7313 3.2).
REFRESH_REQUEST, REFRESH_BORR, REFRESH_EORR = 0, 1, 2

REFRESH_QUIET_SECONDS = 2.0  # no EoRR to wait for: consider the refresh done after this silence
REFRESH_MAX_SECONDS = 10.0


def log(event, **fields):
    """One line per event, structured fields."""
    text = " ".join(f"{key}={value}" for key, value in fields.items())
    print(f"recorder: {event} {text}".rstrip(), file=sys.stderr, flush=True)


def message(message_type, body=b""):
    length = HEADER_LENGTH + len(body)
    return MARKER + length.to_bytes(2, "big") + bytes([message_type]) + body


def capability(code, value=b""):
    return bytes([code, len(value)]) + value


def build_open(local_as, router_id, hold_time, four_octet_as, extended_message):
    """Our OPEN, every capability in one optional parameter (RFC 5492)."""
    capabilities = [
        capability(CAP_MULTIPROTOCOL, bytes([0, 1, 0, 1])),  # AFI 1, reserved, SAFI 1
        capability(CAP_MULTIPROTOCOL, bytes([0, 2, 0, 1])),  # AFI 2, reserved, SAFI 1
        capability(CAP_ROUTE_REFRESH),
        capability(CAP_ENHANCED_ROUTE_REFRESH),
    ]
    if four_octet_as:
        capabilities.append(capability(CAP_FOUR_OCTET_AS, local_as.to_bytes(4, "big")))
    # Restart flags 0, restart time 120 s, then AFI/SAFI/flags per family (RFC 4724 3).
    graceful_restart = (120).to_bytes(2, "big") + bytes([0, 1, 1, 0, 0, 2, 1, 0])
    capabilities.append(capability(CAP_GRACEFUL_RESTART, graceful_restart))
    if extended_message:
        capabilities.append(capability(CAP_EXTENDED_MESSAGE))
    parameter_value = b"".join(capabilities)
    optional_parameters = bytes([OPTIONAL_PARAMETER_CAPABILITIES, len(parameter_value)]) + parameter_value
    my_as = local_as if local_as <= 0xFFFF else AS_TRANS
    body = (
        bytes([4])  # version
        + my_as.to_bytes(2, "big")
        + hold_time.to_bytes(2, "big")
        + ipaddress.IPv4Address(router_id).packed
        + bytes([len(optional_parameters)])
        + optional_parameters
    )
    return message(OPEN, body)


def end_of_rib(family):
    """RFC 4724 2: an empty UPDATE for IPv4 unicast, an empty MP_UNREACH_NLRI otherwise."""
    if family == IPV4_UNICAST:
        return message(UPDATE, bytes(4))
    afi, safi = family
    attribute = bytes([0x80, ATTR_MP_UNREACH_NLRI, 3]) + afi.to_bytes(2, "big") + bytes([safi])
    return message(UPDATE, bytes(2) + len(attribute).to_bytes(2, "big") + attribute)


def route_refresh(family, subtype=REFRESH_REQUEST):
    afi, safi = family
    return message(ROUTE_REFRESH, afi.to_bytes(2, "big") + bytes([subtype, safi]))


def parse_open_capabilities(body):
    """Capability codes and values from an OPEN body, whatever the parameter packing."""
    capabilities = []
    parameters_length = body[9]
    position, end = 10, 10 + parameters_length
    while position + 2 <= end:
        parameter_type, parameter_length = body[position], body[position + 1]
        value = body[position + 2 : position + 2 + parameter_length]
        position += 2 + parameter_length
        if parameter_type != OPTIONAL_PARAMETER_CAPABILITIES:
            continue
        offset = 0
        while offset + 2 <= len(value):
            code, length = value[offset], value[offset + 1]
            capabilities.append((code, value[offset + 2 : offset + 2 + length]))
            offset += 2 + length
    return capabilities


def end_of_rib_family(body):
    """The family an UPDATE body marks the End-of-RIB of, or None."""
    if len(body) == 4 and body == bytes(4):
        return IPV4_UNICAST
    withdrawn_length = int.from_bytes(body[0:2], "big")
    if withdrawn_length != 0 or len(body) < 4:
        return None
    attributes_length = int.from_bytes(body[2:4], "big")
    attributes = body[4 : 4 + attributes_length]
    if len(body) != 4 + attributes_length or len(attributes) < 3:
        return None
    flags, code = attributes[0], attributes[1]
    if flags & ATTR_FLAG_EXTENDED_LENGTH:
        length, value = int.from_bytes(attributes[2:4], "big"), attributes[4:]
    else:
        length, value = attributes[2], attributes[3:]
    if code != ATTR_MP_UNREACH_NLRI or length != 3 or len(value) != 3:
        return None
    return (int.from_bytes(value[0:2], "big"), value[2])


class Recorder:
    def __init__(self, options):
        self.options = options
        self.received = []  # raw messages from the router, in order
        self.router_capabilities = []
        self.families = set()  # negotiated address families
        self.end_of_rib_seen = set()
        self.end_of_route_refresh_seen = set()
        self.established = False
        self.closed_by_router = False
        self.outcome = "timeout"

    # -- socket helpers -----------------------------------------------------

    def send(self, connection, data, what):
        connection.sendall(data)
        log("sent", message=what, length=len(data))

    def receive_until(self, connection, buffer, wake_at):
        """Read once, waiting at most until wake_at. Returns (buffer, open?)."""
        connection.settimeout(max(0.05, wake_at - time.monotonic()))
        try:
            chunk = connection.recv(65536)
        except socket.timeout:
            return buffer, True
        except ConnectionError as error:
            log("connection-error", error=error)
            return buffer, False
        if not chunk:
            return buffer, False
        return buffer + chunk, True

    # -- protocol -------------------------------------------------------------

    def handle(self, connection, data):
        length = int.from_bytes(data[16:18], "big")
        message_type, body = data[18], data[HEADER_LENGTH:]
        self.received.append(data)
        name = MESSAGE_NAMES.get(message_type, f"type-{message_type}")
        log("received", message=name, length=length)
        if message_type == OPEN:
            self.router_capabilities = parse_open_capabilities(body)
            log("router-open", asn=int.from_bytes(body[1:3], "big"),
                hold_time=int.from_bytes(body[3:5], "big"),
                capabilities=",".join(str(code) for code, _ in self.router_capabilities))
            self.families = self.negotiated_families()
            self.send(connection, message(KEEPALIVE), "KEEPALIVE")
        elif message_type == KEEPALIVE and not self.established:
            self.established = True
            log("established", families=",".join(FAMILY_NAMES[f] for f in sorted(self.families)))
            for family in sorted(self.families):
                self.send(connection, end_of_rib(family), f"End-of-RIB {FAMILY_NAMES[family]}")
        elif message_type == UPDATE:
            family = end_of_rib_family(body)
            if family is not None:
                self.end_of_rib_seen.add(family)
                log("router-end-of-rib", family=FAMILY_NAMES.get(family, family))
        elif message_type == ROUTE_REFRESH and len(body) == 4:
            family = (int.from_bytes(body[0:2], "big"), body[3])
            if body[2] == REFRESH_EORR:
                self.end_of_route_refresh_seen.add(family)
            log("router-route-refresh", subtype=body[2], family=FAMILY_NAMES.get(family, family))
        elif message_type == NOTIFICATION:
            log("router-notification", code=body[0], subcode=body[1], data=body[2:].hex())

    def router_has(self, code):
        return any(c == code for c, _ in self.router_capabilities)

    def negotiated_families(self):
        advertised = {
            (int.from_bytes(value[0:2], "big"), value[3])
            for code, value in self.router_capabilities
            if code == CAP_MULTIPROTOCOL and len(value) == 4
        }
        if not any(code == CAP_MULTIPROTOCOL for code, _ in self.router_capabilities):
            advertised = {IPV4_UNICAST}  # RFC 4760 8: no capability means IPv4 unicast only
        return advertised & {IPV4_UNICAST, IPV6_UNICAST}

    def frames(self, buffer):
        """Cut whole messages off the front of buffer by the header length field."""
        messages = []
        while len(buffer) >= HEADER_LENGTH:
            length = int.from_bytes(buffer[16:18], "big")
            if buffer[:16] != MARKER or length < HEADER_LENGTH:
                raise ValueError(f"bad header {buffer[:HEADER_LENGTH].hex()}")
            if len(buffer) < length:
                break
            messages.append(buffer[:length])
            buffer = buffer[length:]
        return messages, buffer

    def run(self, connection):
        options = self.options
        deadline = time.monotonic() + options.timeout
        self.send(connection, build_open(options.local_as, options.router_id, options.hold_time,
                                         not options.no_four_octet_as, options.extended_message), "OPEN")
        # RFC 4271 10: a third of the hold time; a hold time of 0 means no KEEPALIVEs at all.
        keepalive_interval = options.hold_time / 3 if options.hold_time else float("inf")
        next_keepalive = time.monotonic() + keepalive_interval
        phase = "initial"  # initial -> refresh -> trigger -> done
        phase_started = last_message_at = time.monotonic()
        buffer = b""
        while phase != "done":
            now = time.monotonic()
            if now >= deadline:
                log("timeout", phase=phase)
                break
            if self.established and now >= next_keepalive:
                if not (phase == "trigger" and options.silent_when_ready):
                    self.send(connection, message(KEEPALIVE), "KEEPALIVE")
                next_keepalive = now + keepalive_interval
            buffer, still_open = self.receive_until(connection, buffer, min(deadline, next_keepalive, now + 0.5))
            messages, buffer = self.frames(buffer)
            for data in messages:
                self.handle(connection, data)
                last_message_at = time.monotonic()
            if not still_open:
                self.closed_by_router = True
                self.outcome = "closed-by-router"
                log("closed-by-router", phase=phase)
                break
            now = time.monotonic()
            if phase == "initial" and self.established and self.families <= self.end_of_rib_seen:
                self.outcome = "end-of-rib"
                phase, phase_started = "refresh", now
                if options.refresh and (self.router_has(CAP_ROUTE_REFRESH) or self.router_has(CAP_ROUTE_REFRESH_OLD)):
                    for family in sorted(self.families):
                        self.send(connection, route_refresh(family), f"ROUTE-REFRESH {FAMILY_NAMES[family]}")
                else:
                    phase = "trigger"
            if phase == "refresh":
                enhanced = self.router_has(CAP_ENHANCED_ROUTE_REFRESH)
                done = (self.families <= self.end_of_route_refresh_seen) if enhanced else (
                    now - last_message_at >= REFRESH_QUIET_SECONDS)
                if done or now - phase_started >= REFRESH_MAX_SECONDS:
                    phase = "trigger"
            if phase == "trigger":
                if options.ready_file and not os.path.exists(options.ready_file):
                    with open(options.ready_file, "w") as ready:
                        ready.write("ready\n")
                    log("ready", file=options.ready_file)
                if not options.ready_file:
                    phase = "done"
        if not self.closed_by_router:
            cease = message(NOTIFICATION, bytes([CEASE, CEASE_ADMINISTRATIVE_SHUTDOWN]))
            try:
                self.send(connection, cease, "NOTIFICATION cease")
                time.sleep(0.2)
            except OSError as error:
                log("cease-not-sent", error=error)

    # -- output ---------------------------------------------------------------

    def fixture(self):
        options = self.options
        messages, keepalive_kept = [], False
        for data in self.received:
            if data[18] == KEEPALIVE:
                if keepalive_kept:
                    continue  # only the first KEEPALIVE is worth keeping
                keepalive_kept = True
            messages.append(data.hex())
        return {
            "router": options.router,
            "version": options.version,
            "scenario": options.scenario,
            "description": options.description,
            "context": {
                "fourOctetAs": (not options.no_four_octet_as) and self.router_has(CAP_FOUR_OCTET_AS),
                "extendedMessage": options.extended_message and self.router_has(CAP_EXTENDED_MESSAGE),
            },
            "messages": messages,
        }


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", required=True, help="address to accept the router on")
    parser.add_argument("--port", type=int, default=179)
    parser.add_argument("--local-as", type=int, default=65001)
    parser.add_argument("--router-id", default="192.0.2.2")
    parser.add_argument("--no-four-octet-as", action="store_true",
                        help="do not advertise the 4-octet AS capability (router must use AS_TRANS/AS4_PATH)")
    parser.add_argument("--extended-message", action="store_true", help="advertise the extended message capability")
    parser.add_argument("--refresh", action="store_true",
                        help="after the router's End-of-RIBs, send it a ROUTE-REFRESH per family")
    parser.add_argument("--ready-file", help="create this file once the session has settled, then record until "
                        "the router closes the session or the timeout")
    parser.add_argument("--silent-when-ready", action="store_true",
                        help="send no KEEPALIVE after the ready file, so the router's hold timer expires")
    parser.add_argument("--hold-time", type=int, default=90, help="hold time in our OPEN (0 or at least 3)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds from accept to giving up")
    parser.add_argument("--accept-timeout", type=float, default=30.0)
    parser.add_argument("--router", required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--scenario", required=True)
    parser.add_argument("--description", required=True)
    parser.add_argument("--output", required=True, help="fixture file to write")
    options = parser.parse_args()
    if options.hold_time in (1, 2) or not 0 <= options.hold_time <= 0xFFFF:
        parser.error("--hold-time must be 0 or 3..65535 (RFC 4271 4.2)")
    return options


def main():
    options = parse_arguments()
    family = socket.AF_INET6 if ipaddress.ip_address(options.listen).version == 6 else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((options.listen, options.port))
        listener.listen(1)
        listener.settimeout(options.accept_timeout)
        log("listening", address=options.listen, port=options.port)
        try:
            connection, peer = listener.accept()
        except socket.timeout:
            log("no-connection", seconds=options.accept_timeout)
            return 2
    log("accepted", peer=peer[0])
    recorder = Recorder(options)
    with connection:
        recorder.run(connection)
    fixture = recorder.fixture()
    with open(options.output, "w") as output:
        json.dump(fixture, output, indent=2)
        output.write("\n")
    missing = sorted(FAMILY_NAMES[f] for f in recorder.families - recorder.end_of_rib_seen)
    log("written", file=options.output, messages=len(fixture["messages"]), outcome=recorder.outcome,
        missing_end_of_rib=",".join(missing) or "none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
