// The containerlab topology cannot run here (no Docker engine); its tested twin is the namespace
// lab. These checks keep the two the same: the ToR configuration is the lab's, and the nodes'
// configurations are valid vip-speaker configurations with the lab's addresses.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { parseConfig } from '../../src/config/index.js';
import { NODES, TOR_AS, torConfig } from '../../integration/e2e/topology.js';

const dir = 'integration/containerlab';

describe('the containerlab twin of the end-to-end lab', () => {
  it('gives the ToR the same FRR configuration as the namespace lab', () => {
    assert.equal(readFileSync(`${dir}/tor/frr.conf`, 'utf8'), torConfig());
  });

  it('gives each node a valid vip-speaker configuration peering with the ToR', () => {
    for (const n of NODES) {
      const r = parseConfig(readFileSync(`${dir}/${n.name}/config.yaml`, 'utf8'), { env: {}, readFile: () => '', listInterfaces: () => ({}) });
      assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.error));
      assert.equal(r.value.node.routerId, n.ipv4);
      assert.deepEqual(r.value.peers.map((p) => [p.address, p.asn]), [[n.torIpv4, TOR_AS]]);
    }
  });

  it('wires the same links and addresses as the namespace lab', () => {
    const topo = parse(readFileSync(`${dir}/vip-speaker.clab.yml`, 'utf8')) as { topology: { nodes: Record<string, { exec?: string[] }>; links: Array<{ endpoints: string[] }> } };
    assert.deepEqual(Object.keys(topo.topology.nodes).sort(), ['client', 'node1', 'node2', 'tor']);
    assert.equal(topo.topology.links.length, 3);
    for (const n of NODES) {
      assert.ok(topo.topology.nodes[n.name]!.exec!.some((c) => c.includes(`${n.ipv4}/30`)), `${n.name} address`);
      assert.ok(topo.topology.nodes.tor!.exec!.some((c) => c.includes(`${n.torIpv4}/30`)), `tor address towards ${n.name}`);
    }
  });
});
