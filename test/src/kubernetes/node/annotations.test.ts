// kube-vip's per-node BGP annotations: the parsing table, then the watcher of this node's Node
// object against the fake API server.
import { strict as assert } from 'node:assert';
import { NodeAnnotationWatcher, type NodeBgpOverrides, nodeBgpOverrides } from '../../../../src/kubernetes/node/annotations.js';
import { FakeApiServer } from '../../../support/fake-apiserver/index.js';
import { type CapturedLog, FAST, captureLog, eventually } from '../fixtures.js';

const P = 'bgp.example.com';
const b64 = (text: string) => Buffer.from(text).toString('base64');
const BASE = { [`${P}/node-asn`]: '65010', [`${P}/src-ip`]: '198.51.100.7', [`${P}/peer-asn`]: '65001', [`${P}/peer-ip`]: '192.0.2.1' };

/** The parts of the result a row checks: [complete, asn, routerId, peers "address AS password? source?", problems]. */
function summary(o: NodeBgpOverrides) {
  return {
    complete: o.complete,
    asn: o.asn,
    routerId: o.routerId,
    peers: o.peers?.map((p) => [p.address, p.asn, p.password ?? '', p.sourceAddress ?? '', ...(p.multihop ? [p.ttl === 50 ? 'multihop' : `multihop ttl ${p.ttl}`] : [])].join(' ')),
    problems: o.errors.map((e) => `${e.code} ${e.annotation}`),
  };
}

describe('node annotations: parsing', () => {
  it('reads nothing when no annotation carries the prefix', () => {
    assert.deepEqual(nodeBgpOverrides({ 'other.io/node-asn': '65010' }, P), { present: false, complete: false, errors: [] });
    assert.deepEqual(nodeBgpOverrides(undefined, P), { present: false, complete: false, errors: [] });
  });

  const table: [string, Record<string, string>, ReturnType<typeof summary>][] = [
    ['the four keys', BASE, { complete: true, asn: 65010, routerId: '198.51.100.7', peers: ['192.0.2.1 65001  198.51.100.7'], problems: [] }],
    [
      'peer-ip comma-separated, spaces and repeats dropped, the password for every peer',
      { ...BASE, [`${P}/peer-ip`]: '192.0.2.1, 192.0.2.2,,192.0.2.1', [`${P}/bgp-pass`]: b64('s3cret') },
      { complete: true, asn: 65010, routerId: '198.51.100.7', peers: ['192.0.2.1 65001 s3cret 198.51.100.7', '192.0.2.2 65001 s3cret 198.51.100.7'], problems: [] },
    ],
    [
      "Equinix Metal's numbered form, peers gathered in order",
      {
        [`${P}/bgp-peers-0-node-asn`]: '65010', [`${P}/bgp-peers-0-src-ip`]: '198.51.100.7', [`${P}/bgp-peers-0-peer-asn`]: '65530',
        [`${P}/bgp-peers-10-peer-ip`]: '192.0.2.3', [`${P}/bgp-peers-1-peer-ip`]: '192.0.2.2', [`${P}/bgp-peers-0-peer-ip`]: '192.0.2.1', [`${P}/bgp-peers-0-bgp-pass`]: b64('pw'),
      },
      { complete: true, asn: 65010, routerId: '198.51.100.7', peers: ['192.0.2.1 65530 pw 198.51.100.7', '192.0.2.2 65530 pw 198.51.100.7', '192.0.2.3 65530 pw 198.51.100.7'], problems: [] },
    ],
    [
      "Equinix Metal's own setup: link-local peers 169.254.255.1 and .2, multihop",
      { ...BASE, [`${P}/peer-ip`]: '169.254.255.1,169.254.255.2', [`${P}/peer-multi-hop`]: 'true' },
      { complete: true, asn: 65010, routerId: '198.51.100.7', peers: ['169.254.255.1 65001  198.51.100.7 multihop', '169.254.255.2 65001  198.51.100.7 multihop'], problems: [] },
    ],
    [
      'peer-multi-hop in the numbered form, "false" meaning single hop',
      { ...BASE, [`${P}/bgp-peers-0-peer-multi-hop`]: 'false' },
      { complete: true, asn: 65010, routerId: '198.51.100.7', peers: ['192.0.2.1 65001  198.51.100.7'], problems: [] },
    ],
    [
      'peer-multi-hop other than "true" or "false": kube-vip gives up on every annotation, so incomplete',
      { ...BASE, [`${P}/peer-multi-hop`]: 'yes' },
      { complete: false, asn: 65010, routerId: '198.51.100.7', peers: ['192.0.2.1 65001  198.51.100.7'], problems: ['NODE_ANNOTATION_INVALID bgp.example.com/peer-multi-hop'] },
    ],
    [
      'an IPv6 link-local peer is refused: it needs an interface to be reached through',
      { ...BASE, [`${P}/peer-ip`]: 'fe80::1' },
      { complete: true, asn: 65010, routerId: '198.51.100.7', peers: [], problems: ['NODE_ANNOTATION_INVALID bgp.example.com/peer-ip'] },
    ],
    [
      'an IPv6 source: no router id, and a source only for the IPv6 peers',
      { ...BASE, [`${P}/src-ip`]: '2001:db8::7', [`${P}/peer-ip`]: '2001:db8::1,192.0.2.1' },
      { complete: true, asn: 65010, routerId: undefined, peers: ['2001:db8::1 65001  2001:db8::7', '192.0.2.1 65001  '], problems: [] },
    ],
    [
      'node-asn missing: incomplete, as kube-vip waits for it',
      { [`${P}/src-ip`]: '198.51.100.7', [`${P}/peer-asn`]: '65001', [`${P}/peer-ip`]: '192.0.2.1' },
      { complete: false, asn: undefined, routerId: '198.51.100.7', peers: ['192.0.2.1 65001  198.51.100.7'], problems: ['NODE_ANNOTATION_MISSING bgp.example.com/node-asn'] },
    ],
    [
      'an empty value counts as missing',
      { ...BASE, [`${P}/peer-asn`]: '' },
      { complete: false, asn: 65010, routerId: '198.51.100.7', peers: undefined, problems: ['NODE_ANNOTATION_MISSING bgp.example.com/peer-asn'] },
    ],
    [
      'a bad AS (ParseUint, then no AS 0 or AS_TRANS)',
      { ...BASE, [`${P}/node-asn`]: '+65010', [`${P}/peer-asn`]: '23456' },
      { complete: false, asn: undefined, routerId: '198.51.100.7', peers: undefined, problems: ['NODE_ANNOTATION_INVALID bgp.example.com/node-asn', 'NODE_ANNOTATION_INVALID bgp.example.com/peer-asn'] },
    ],
    [
      'a password that is not base64 makes the whole set unusable, as in kube-vip',
      { ...BASE, [`${P}/bgp-pass`]: 'not base64!' },
      { complete: false, asn: 65010, routerId: '198.51.100.7', peers: ['192.0.2.1 65001  198.51.100.7'], problems: ['NODE_ANNOTATION_INVALID bgp.example.com/bgp-pass'] },
    ],
    [
      'unpadded base64 is refused (Go StdEncoding)',
      { ...BASE, [`${P}/bgp-pass`]: 'cHc' },
      { complete: false, asn: 65010, routerId: '198.51.100.7', peers: ['192.0.2.1 65001  198.51.100.7'], problems: ['NODE_ANNOTATION_INVALID bgp.example.com/bgp-pass'] },
    ],
    [
      'a bad peer address is skipped, the others kept',
      { ...BASE, [`${P}/peer-ip`]: '192.0.2.1,peer.example.com,127.0.0.1' },
      { complete: true, asn: 65010, routerId: '198.51.100.7', peers: ['192.0.2.1 65001  198.51.100.7'], problems: ['NODE_ANNOTATION_INVALID bgp.example.com/peer-ip', 'NODE_ANNOTATION_INVALID bgp.example.com/peer-ip'] },
    ],
  ];
  for (const [name, annotations, expected] of table) {
    it(name, () => assert.deepEqual(summary(nodeBgpOverrides(annotations, P)), expected));
  }

  it('builds peers the daemon can use as they are, marked as coming from an annotation', () => {
    const [peer] = nodeBgpOverrides({ ...BASE, [`${P}/bgp-pass`]: b64('pw') }, P).peers ?? [];
    assert.deepEqual(peer, {
      address: '192.0.2.1', asn: 65001, port: 179, multihop: false, communities: [], largeCommunities: [], passive: false,
      password: 'pw', passwordSource: 'annotation', sourceAddress: '198.51.100.7',
    });
  });

  it('never shows the password in a problem', () => {
    const secret = 'c2VjcmV0IQ'; // base64 of "secret!" without its padding
    const o = nodeBgpOverrides({ ...BASE, [`${P}/bgp-pass`]: secret }, P);
    assert.ok(o.errors.length === 1 && !o.errors[0]!.message.includes(secret));
  });
});

describe('node annotations: the watcher', () => {
  let server: FakeApiServer;
  let watcher: NodeAnnotationWatcher;
  let captured: CapturedLog;
  const changes: NodeBgpOverrides[] = [];

  beforeEach(async () => {
    server = new FakeApiServer();
    await server.start();
    captured = captureLog();
    changes.length = 0;
    server.create('Node', { metadata: { name: 'node-b', annotations: BASE } });
    watcher = new NodeAnnotationWatcher({ kubeConfig: server.kubeconfig(), nodeName: 'node-a', prefix: P, log: captured.log, informer: FAST });
    watcher.on('change', (o) => changes.push(o));
  });

  afterEach(async () => {
    await watcher.stop();
    await server.stop();
  });

  it('reads this node only, and emits each change of its annotations', async () => {
    server.create('Node', { metadata: { name: 'node-a', annotations: { ...BASE, [`${P}/bgp-pass`]: b64('first') } } });
    await watcher.start();
    await eventually(() => assert.equal(changes.length, 1));
    assert.equal(changes[0]!.complete, true);
    assert.deepEqual(changes[0]!.peers?.map((p) => p.password), ['first']);
    assert.deepEqual(server.requests.filter((r) => r.path === '/api/v1/nodes').map((r) => r.query.fieldSelector), ['metadata.name=node-a', 'metadata.name=node-a']);

    // A label change leaves the overrides as they are: no event.
    server.patch('Node', { name: 'node-a' }, { metadata: { labels: { zone: 'a' } } });
    server.patch('Node', { name: 'node-b' }, { metadata: { annotations: { [`${P}/node-asn`]: '65099' } } });
    server.patch('Node', { name: 'node-a' }, { metadata: { annotations: { [`${P}/peer-ip`]: '192.0.2.1,192.0.2.2', [`${P}/bgp-pass`]: b64('second') } } });
    await eventually(() => assert.equal(changes.length, 2));
    assert.deepEqual(changes[1]!.peers?.map((p) => `${p.address} ${p.password}`), ['192.0.2.1 second', '192.0.2.2 second']);
    assert.deepEqual(watcher.current, changes[1]);

    const logged = JSON.stringify(captured.lines);
    assert.ok(!logged.includes('first') && !logged.includes('second'), 'no password in the logs');
    assert.ok(captured.messages().includes('node BGP annotations changed'));
  });

  it('says so when this node has no Node object, and picks it up when it appears', async () => {
    await watcher.start();
    await eventually(() => assert.equal(changes.length, 1));
    assert.equal(changes[0]!.present, false);
    assert.ok(captured.messages().includes('this node has no Node object: no node annotations to read'));
    server.create('Node', { metadata: { name: 'node-a', annotations: BASE } });
    await eventually(() => assert.equal(changes.length, 2));
    assert.equal(changes[1]!.asn, 65010);
  });

  it('keeps the last annotations through an outage and follows what changed meanwhile', async () => {
    server.create('Node', { metadata: { name: 'node-a', annotations: BASE } });
    await watcher.start();
    await eventually(() => assert.equal(changes.length, 1));
    await server.setDown(true);
    await eventually(() => assert.equal(watcher.status().connected, false));
    server.patch('Node', { name: 'node-a' }, { metadata: { annotations: { [`${P}/node-asn`]: '65020' } } });
    assert.equal(watcher.current?.asn, 65010);
    await server.setDown(false);
    await eventually(() => assert.equal(watcher.current?.asn, 65020));
    assert.equal(changes.length, 2);
  });
});
