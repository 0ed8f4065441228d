// A BgpSpeaker in its own process, so that a lab can run it inside a network namespace:
//   SPEAKER_PROC_CONFIG='<SpeakerOptions + peers as JSON>' ip netns exec NS node dist/integration/support/speaker-proc.js
// (in the environment, not on the command line: it may hold MD5 passwords)
// It reads commands as JSON lines on stdin and writes events as JSON lines on stdout.
//   {"cmd":"announce","prefix":"192.0.2.10/32","communities":[...],"largeCommunities":[[g,l1,l2]]}
//   {"cmd":"withdraw","prefix":"192.0.2.10/32"}
//   {"cmd":"status"}            -> {"event":"status","peers":[...]}
//   {"cmd":"stop","graceful":false,"message":"..."} -> stops and exits 0
//   {"cmd":"crash"}             -> exits at once, no NOTIFICATION (as kill -9 would)
import { createInterface } from 'node:readline';
import { Prefix } from '../../bgp/index.js';
import { BgpSpeaker, type PeerConfig, type SpeakerOptions } from '../../bgp/speaker/speaker.js';
import { SPEAKER_PROC_CONFIG } from './speaker-proc-config.js';

interface ProcConfig extends SpeakerOptions {
  peers: PeerConfig[];
  /** Routes in the table before the sessions start, as a restarting daemon would have them. */
  routes?: string[];
}

interface Command {
  cmd: 'announce' | 'withdraw' | 'status' | 'stop' | 'crash';
  prefix?: string;
  communities?: number[];
  largeCommunities?: Array<[number, number, number]>;
  med?: number;
  localPref?: number;
  graceful?: boolean;
  message?: string;
}

function out(event: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(event) + '\n');
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env[SPEAKER_PROC_CONFIG] ?? '{}') as ProcConfig;
  const speaker = new BgpSpeaker(config);
  for (const p of config.peers) speaker.addPeer(p);
  for (const r of config.routes ?? []) speaker.announce({ prefix: Prefix.parse(r) });
  speaker.on('peerState', (peer, to, from) => out({ event: 'state', peer, to, from }));
  speaker.on('peerDown', (peer, down) => out({ event: 'down', peer, reason: down.reason, message: down.message }));
  speaker.on('connectError', (peer, err) => out({ event: 'connectError', peer, message: err.message }));
  speaker.on('problem', (peer, message) => out({ event: 'problem', peer, message }));
  await speaker.start();
  out({ event: 'started', listen: speaker.listenAddress ?? null });

  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    if (!line.trim()) continue;
    const c = JSON.parse(line) as Command;
    switch (c.cmd) {
      case 'announce': {
        const route: Parameters<BgpSpeaker['announce']>[0] = { prefix: Prefix.parse(c.prefix!) };
        if (c.communities) route.communities = c.communities;
        if (c.largeCommunities) route.largeCommunities = c.largeCommunities.map(([globalAdmin, localData1, localData2]) => ({ globalAdmin, localData1, localData2 }));
        if (c.med !== undefined) route.med = c.med;
        if (c.localPref !== undefined) route.localPref = c.localPref;
        speaker.announce(route);
        out({ event: 'ok', cmd: c.cmd });
        break;
      }
      case 'withdraw':
        speaker.withdraw(Prefix.parse(c.prefix!));
        out({ event: 'ok', cmd: c.cmd });
        break;
      case 'status':
        out({ event: 'status', peers: speaker.status().map((s) => ({ address: s.address, state: s.state, sent: s.prefixesSent, received: s.prefixesReceived, lastError: s.lastError ?? null })) });
        break;
      case 'stop':
        await speaker.stop({ graceful: c.graceful === true, ...(c.message !== undefined ? { shutdownMessage: c.message } : {}) });
        out({ event: 'stopped' });
        process.exit(0);
        break;
      case 'crash':
        process.exit(137);
    }
  }
  // stdin closed: the test is gone; leave as a crash would.
  process.exit(0);
}

main().catch((err: Error) => {
  out({ event: 'fatal', message: err.message });
  process.exit(1);
});
