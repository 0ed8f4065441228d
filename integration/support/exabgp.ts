// ExaBGP 4.2 inside a lab namespace, in the foreground. ExaBGP keeps no RIB of what it
// receives: an API process of ours (a small Python script ExaBGP starts) writes every JSON event
// ExaBGP reports (session up/down, parsed UPDATEs) to a file, and the lab rebuilds each peer's
// state and Adj-RIB-In from that record. The same script forwards the lines we append to a
// commands file to ExaBGP, which is how the lab drives its API (`neighbor X teardown 2`).
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Daemon } from './daemon.js';
import { type Lab, haveProgram, waitFor } from './lab.js';

export function exabgpSkipReason(): string | undefined {
  if (!haveProgram('exabgp')) return 'ExaBGP is not installed (apt-get install exabgp)';
  return haveProgram('python3') ? undefined : 'python3 is needed for the ExaBGP API helper';
}

export function exabgpVersion(): string {
  const r = spawnSync('exabgp', ['--version'], { encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`.match(/ExaBGP\s*:\s*(\S+)/)?.[1] ?? 'unknown';
}

/** The name the config's `process` block and every neighbour's `api` block refer to. */
export const EXABGP_API_PROCESS = 'lab-recorder';

// Events in, commands out. A start marker lets the reader forget what an earlier ExaBGP process
// held; commands are read from the end of the file as it was at start, so that a restarted
// ExaBGP does not replay old ones. Exits when ExaBGP closes its stdin.
const HELPER = `#!/usr/bin/env python3
import json, os, sys, threading, time
events_path, commands_path = sys.argv[1], sys.argv[2]
events = open(events_path, 'a', buffering=1)
events.write(json.dumps({'type': 'lab-helper-start', 'time': time.time()}) + '\\n')

def forward():
    position = os.path.getsize(commands_path) if os.path.exists(commands_path) else 0
    while True:
        if os.path.exists(commands_path) and os.path.getsize(commands_path) > position:
            with open(commands_path) as f:
                f.seek(position)
                chunk = f.read()
            complete = chunk[: chunk.rfind('\\n') + 1]
            position += len(complete.encode())
            if complete:
                sys.stdout.write(complete)
                sys.stdout.flush()
        time.sleep(0.1)

threading.Thread(target=forward, daemon=True).start()
for line in sys.stdin:
    events.write(line if line.endswith('\\n') else line + '\\n')
os._exit(0)
`;

export interface ExabgpPeerView {
  established: boolean;
  /** Prefixes announced and not withdrawn since the session came up, RFC 5952 text for IPv6. */
  prefixes: Set<string>;
}

/** RFC 5952 text for an IPv6 address (WHATWG URL serialisation is the same); IPv4 unchanged. */
export function canonicalAddress(address: string): string {
  return address.includes(':') ? new URL(`http://[${address}]/`).hostname.slice(1, -1) : address;
}

function canonicalPrefix(prefix: string): string {
  const [address, length] = prefix.split('/');
  return `${canonicalAddress(address!)}/${length}`;
}

interface ExabgpEvent {
  type?: string;
  neighbor?: {
    address?: { peer?: string };
    state?: string;
    message?: { update?: { announce?: Record<string, Record<string, NlriItem[]>>; withdraw?: Record<string, NlriItem[]> } };
  };
}

/** ExaBGP 4.2 prints unicast NLRI as `{"nlri": "p"}` (or as plain strings with api.compact). */
type NlriItem = string | { nlri?: string };

function nlriText(item: NlriItem): string | undefined {
  return typeof item === 'string' ? item : item.nlri;
}

/**
 * One event line, or undefined for ExaBGP's "done" acknowledgements of our commands and for a
 * line cut short by a killed helper. ExaBGP 4.2.21 copies a NOTIFICATION's shutdown
 * communication (RFC 8203) into a `down` reason with its length octet as a raw control
 * character, which is not valid JSON: control characters become spaces first.
 */
function parseEvent(line: string): ExabgpEvent | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    // eslint-disable-next-line no-control-regex
    return JSON.parse(line.replace(/[\u0000-\u001f]/g, ' ')) as ExabgpEvent;
  } catch {
    return undefined;
  }
}

/** Replays ExaBGP's JSON events into one view per peer address. */
export function replayExabgpEvents(text: string): Map<string, ExabgpPeerView> {
  const peers = new Map<string, ExabgpPeerView>();
  const view = (address: string) => {
    const key = canonicalAddress(address);
    let v = peers.get(key);
    if (!v) peers.set(key, (v = { established: false, prefixes: new Set() }));
    return v;
  };
  for (const line of text.split('\n')) {
    const e = parseEvent(line);
    if (!e) continue;
    if (e.type === 'lab-helper-start') {
      peers.clear(); // a new ExaBGP process: nothing of the old one's sessions survives
      continue;
    }
    const peer = e.neighbor?.address?.peer;
    if (!peer) continue;
    const v = view(peer);
    if (e.type === 'state') {
      if (e.neighbor!.state === 'up') v.established = true;
      else {
        v.established = false;
        // A session that goes down takes its routes with it (no graceful restart configured).
        if (e.neighbor!.state === 'down') v.prefixes.clear();
      }
    } else if (e.type === 'update') {
      const update = e.neighbor!.message?.update;
      for (const byNextHop of Object.values(update?.announce ?? {})) {
        for (const items of Object.values(byNextHop)) for (const item of items) add(v.prefixes, nlriText(item));
      }
      for (const items of Object.values(update?.withdraw ?? {})) {
        for (const item of items) {
          const p = nlriText(item);
          if (p) v.prefixes.delete(canonicalPrefix(p));
        }
      }
    }
  }
  return peers;
}

function add(prefixes: Set<string>, p: string | undefined): void {
  if (p) prefixes.add(canonicalPrefix(p));
}

export class Exabgp {
  private readonly daemon: Daemon;
  private readonly configFile: string;
  readonly helperFile: string;
  readonly eventsFile: string;
  private readonly commandsFile: string;

  constructor(
    lab: Lab,
    readonly nsName: string,
    /** The config text, given the command line that starts our API helper. */
    config: (helperCommand: string) => string,
  ) {
    this.configFile = join(lab.dir, `exabgp-${nsName}.conf`);
    this.helperFile = join(lab.dir, `exabgp-${nsName}-api.py`);
    this.eventsFile = join(lab.dir, `exabgp-${nsName}-events.jsonl`);
    this.commandsFile = join(lab.dir, `exabgp-${nsName}-commands.txt`);
    this.daemon = new Daemon(lab, nsName, join(lab.dir, `exabgp-${nsName}.log`));
    writeFileSync(this.helperFile, HELPER, { mode: 0o755 });
    writeFileSync(this.configFile, config(`${this.helperFile} ${this.eventsFile} ${this.commandsFile}`));
  }

  async start(): Promise<void> {
    const startsBefore = this.helperStarts();
    this.daemon.start('exabgp', [this.configFile], {
      ...process.env,
      // Stay in the foreground as root (the API helper writes into the lab folder).
      'exabgp.daemon.daemonize': 'false',
      'exabgp.daemon.user': 'root',
      // No named pipes for exabgpcli in /run: the helper is our only way in.
      'exabgp.api.cli': 'false',
      // A respawned helper would write a start marker and wipe the replayed state.
      'exabgp.api.respawn': 'false',
      // Only the per-neighbour listeners (`listen 179`, with their MD5 keys), no wildcard one.
      'exabgp.tcp.bind': '',
      'exabgp.log.destination': 'stdout',
    });
    await waitFor(
      'ExaBGP and its API helper',
      () => {
        if (!this.daemon.running) throw new Error(`exabgp exited: ${this.daemon.logTail()}`);
        return this.helperStarts() > startsBefore ? true : undefined;
      },
      15_000,
      100,
    );
  }

  private helperStarts(): number {
    return this.eventsText().split('lab-helper-start').length - 1;
  }

  /**
   * SIGTERM: ExaBGP stops its peers and helpers, then exits. ExaBGP 4.2.21 closes the TCP
   * sessions on the way down without sending a NOTIFICATION first (its shutdown path has none).
   */
  async restart(): Promise<void> {
    await this.daemon.stop('SIGTERM');
    await this.start();
  }

  killSync(): void {
    this.daemon.killSync();
  }

  /** Sends one API command (e.g. `neighbor 192.0.2.2 teardown 2`) through the helper. */
  command(line: string): void {
    appendFileSync(this.commandsFile, line + '\n');
  }

  /**
   * Tears the session down with a Cease of this subcode and waits until ExaBGP reports it down,
   * so that no later reading can still see the old session as established.
   */
  async teardown(address: string, subcode: number): Promise<void> {
    const from = this.eventsText().length;
    this.command(`neighbor ${address} teardown ${subcode}`);
    const peer = canonicalAddress(address);
    await waitFor(`ExaBGP to tear down ${address}`, () => {
      for (const line of this.eventsText().slice(from).split('\n')) {
        const e = parseEvent(line);
        if (e?.type === 'state' && e.neighbor?.state === 'down' && canonicalAddress(e.neighbor.address?.peer ?? '') === peer) return true;
      }
      return undefined;
    }, 10_000, 50);
  }

  private eventsText(): string {
    return existsSync(this.eventsFile) ? readFileSync(this.eventsFile, 'utf8') : '';
  }

  peers(): Map<string, ExabgpPeerView> {
    return replayExabgpEvents(this.eventsText());
  }

  peer(address: string): ExabgpPeerView {
    return this.peers().get(canonicalAddress(address)) ?? { established: false, prefixes: new Set() };
  }
}
