// Interop with BIRD 2's BFD on one single-hop IPv4 session: BIRD's `protocol bfd` on the tor's
// interface and `bfd on` in its BGP protocol. The session comes up from vip-speaker's peer
// string, BIRD reports it Up with the negotiated 300 ms, and a frozen speaker makes BIRD take
// its BGP session down (and its kernel route out) at BFD speed.
import { strict as assert } from 'node:assert';
import { Bird, birdSkipReason } from '../support/bird.js';
import { labSkipReason, waitFor } from '../support/lab.js';
import { VipSpeakerNode } from '../support/vip-speaker-node.js';
import { routeLoss } from './measure.js';
import { recordBfdResult } from './results.js';
import { NODE, NODE_AS, TOR, TOR_AS, VIP4, buildSingleHopNetwork, type SingleHopNetwork } from './topology.js';

const DETECTION_MS = 900;
const MARGIN_MS = 600;

const BIRD_CONF = [
  'log stderr all;',
  `router id ${TOR.ipv4};`,
  'protocol device { }',
  'protocol direct { ipv4; }',
  // The routes BIRD learns go to the tor's kernel, where the lab watches them leave.
  'protocol kernel { ipv4 { export all; }; }',
  'protocol bfd {',
  '  interface "eth0" { interval 300 ms; multiplier 3; };',
  '}',
  'protocol bgp node {',
  '  debug { states, events };',
  `  local ${TOR.ipv4} as ${TOR_AS};`,
  `  neighbor ${NODE.ipv4} as ${NODE_AS};`,
  '  hold time 9;',
  '  keepalive time 3;',
  '  error wait time 1, 2;',
  '  bfd on;',
  '  ipv4 { import all; export none; };',
  '}',
  '',
].join('\n');

const NODE_CONF = [`asn: ${NODE_AS}`, `routerId: ${NODE.ipv4}`, 'holdTime: 9', 'connectRetryTime: 2', 'peers:', `  - "${TOR.ipv4}:${TOR_AS}::false:::true;300;300;3"`, `vips: [${VIP4}]`, ''].join('\n');

describe('BFD interop with BIRD', function () {
  this.timeout(120_000);
  let net: SingleHopNetwork | undefined;

  before(function () {
    const reason = labSkipReason() ?? birdSkipReason();
    if (reason) {
      console.log(`      skipped: ${reason}`);
      this.skip();
    }
  });

  after(() => net?.lab.destroySync());

  it('comes up with BIRD\'s BFD and takes BIRD\'s session down within 900 + 600 ms of a SIGSTOP', async () => {
    net = await buildSingleHopNetwork('bfdbird');
    const bird = new Bird(net.lab, 'tor', BIRD_CONF);
    await bird.start();
    const node = new VipSpeakerNode(net.lab, 'node', NODE_CONF);
    await node.start();
    await waitFor('the BGP session at BIRD', async () => ((await bird.bgpState('node')) === 'Established' ? true : undefined), 30_000, 200);
    const session = await waitFor('BIRD\'s BFD session Up', async () => {
      const out = await bird.birdc('show', 'bfd', 'sessions');
      const line = out.split('\n').find((x) => x.startsWith(NODE.ipv4));
      return line && /\bUp\b/.test(line) ? line : undefined;
    }, 20_000, 200);
    // "IP address  Interface  State  Since  Interval  Timeout": 0.300 s out, 0.900 s to detect.
    assert.match(session, /\s0\.300\s+0\.900\s*$/, session);
    const ours = ((await node.status()) as unknown as { peers: Array<{ bfd: { state: string; txIntervalMs: number; detectTimeMs: number } }> }).peers[0]!.bfd;
    assert.deepEqual([ours.state, ours.txIntervalMs, ours.detectTimeMs], ['Up', 300, 900]);
    await waitFor(`${VIP4} in the tor's kernel`, async () => ((await net!.lab.exec('tor', 'ip', ['route', 'show', `${VIP4}/32`])).stdout.includes(VIP4) ? true : undefined), 20_000, 100);

    const loss = await routeLoss(net.routes, () => node.signal('SIGSTOP'), 10_000, [{ family: 'IPv4', vip: VIP4 }]);
    console.log(`      BIRD, SIGSTOP: ${VIP4} left the tor's kernel after ${loss.IPv4} ms`);
    recordBfdResult({ test: 'BIRD single hop, SIGSTOP, with BFD 300 ms × 3, IPv4', fault: 'SIGSTOP', bfd: true, family: 'IPv4', routeGoneMs: loss.IPv4! });
    assert.ok(loss.IPv4! <= DETECTION_MS + MARGIN_MS, `${loss.IPv4} ms`);
    assert.notEqual(await bird.bgpState('node'), 'Established');
    node.signal('SIGCONT');
    await node.kill();
  });
});
