#!/usr/bin/env python3
# A wire between two lab namespaces, in user space, for kernels without sch_netem: one TAP
# device in each namespace, and this process carrying Ethernet frames between them with a
# delay, a jitter, a loss rate, or not at all (a silent cut: the carrier stays up, as when a
# switch between two routers fails, so only the hold timer can tell).
#
#   python3 wire.py NS_A IF_A NS_B IF_B [SEED]
#
# NS_* are names under /run/netns. Once both devices exist it prints {"ready": true}. Then it
# takes one JSON object a line on stdin, any of
#   {"delayMs": 100, "jitterMs": 20, "loss": 0.2, "cut": false}
# (keys left out keep their value) and answers each with {"ok": true, "stats": {...}}.
# Frames keep their order in each direction (a jittered frame waits for the one before it), as
# netem does unless told to reorder. Closing stdin ends the process, and the devices with it.
import ctypes
import fcntl
import heapq
import json
import os
import random
import select
import struct
import sys
import time

CLONE_NEWNET = 0x40000000
TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
MAX_FRAME = 65536

libc = ctypes.CDLL(None, use_errno=True)


def tap_in(ns, name):
    """A TAP device named `name`, created inside network namespace `ns`."""
    ns_fd = os.open(f'/run/netns/{ns}', os.O_RDONLY)
    try:
        if libc.setns(ns_fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f'setns({ns}): {os.strerror(err)}')
    finally:
        os.close(ns_fd)
    fd = os.open('/dev/net/tun', os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack('16sH', name.encode(), IFF_TAP | IFF_NO_PI))
    return fd


def main():
    ns_a, if_a, ns_b, if_b = sys.argv[1:5]
    rng = random.Random(int(sys.argv[5]) if len(sys.argv) > 5 else 1)
    a = tap_in(ns_a, if_a)
    b = tap_in(ns_b, if_b)
    peer = {a: b, b: a}
    settings = {'delayMs': 0.0, 'jitterMs': 0.0, 'loss': 0.0, 'cut': False}
    stats = {'forwarded': 0, 'dropped': 0, 'cutDropped': 0, 'writeErrors': 0}
    queue = []  # (due, seq, out_fd, frame)
    last_due = {a: 0.0, b: 0.0}
    seq = 0
    print(json.dumps({'ready': True}), flush=True)

    poller = select.poll()
    for fd in (a, b, sys.stdin.fileno()):
        poller.register(fd, select.POLLIN)
    stdin_buffer = b''
    while True:
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, out, frame = heapq.heappop(queue)
            try:
                os.write(out, frame)
                stats['forwarded'] += 1
            except OSError:
                stats['writeErrors'] += 1  # the other side is down: the frame is lost
        timeout_ms = max(0, int((queue[0][0] - now) * 1000)) if queue else 1000
        for fd, _ in poller.poll(timeout_ms):
            if fd == sys.stdin.fileno():
                chunk = os.read(fd, 65536)
                if not chunk:
                    return
                stdin_buffer += chunk
                while b'\n' in stdin_buffer:
                    line, stdin_buffer = stdin_buffer.split(b'\n', 1)
                    if line.strip():
                        settings.update(json.loads(line))
                        print(json.dumps({'ok': True, 'stats': stats, 'settings': settings}), flush=True)
                continue
            while True:
                try:
                    frame = os.read(fd, MAX_FRAME)
                except BlockingIOError:
                    break
                if settings['cut']:
                    stats['cutDropped'] += 1
                    continue
                if settings['loss'] > 0 and rng.random() < settings['loss']:
                    stats['dropped'] += 1
                    continue
                out = peer[fd]
                delay = settings['delayMs'] + rng.uniform(-settings['jitterMs'], settings['jitterMs'])
                due = max(time.monotonic() + max(0.0, delay) / 1000, last_due[out])
                last_due[out] = due
                seq += 1
                heapq.heappush(queue, (due, seq, out, frame))


if __name__ == '__main__':
    main()
