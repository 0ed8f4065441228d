// The soak's reading of V8 heap snapshots: bytes by kind of object, and what grew between two.
import { strict as assert } from 'node:assert';
import { heapGrowth, heapTotals } from '../../../integration/soak/heap.js';

/** A snapshot in V8's format: nodes are [type, name, id, self_size, edge_count] each. */
function snapshot(nodes: Array<[type: number, name: number, size: number]>): string {
  return JSON.stringify({
    snapshot: { meta: { node_fields: ['type', 'name', 'id', 'self_size', 'edge_count'], node_types: [['hidden', 'array', 'string', 'object', 'code', 'closure'], 'string'] } },
    nodes: nodes.flatMap(([type, name, size], i) => [type, name, i + 1, size, 0]),
    strings: ['', 'Peer', 'Route', 'onTimer'],
  });
}
const OBJECT = 3;
const CODE = 4;
const CLOSURE = 5;

describe('soak: live heap from snapshots', () => {
  it('sums the bytes by constructor for objects and closures, by type for the rest', () => {
    const t = heapTotals(snapshot([[OBJECT, 1, 100], [OBJECT, 1, 100], [OBJECT, 2, 40], [CODE, 0, 500], [CLOSURE, 3, 32]]));
    assert.equal(t.totalBytes, 772);
    assert.deepEqual(t.byKind.get('object Peer'), { bytes: 200, count: 2 });
    assert.deepEqual(t.byKind.get('code'), { bytes: 500, count: 1 });
    assert.deepEqual(t.byKind.get('closure onTimer'), { bytes: 32, count: 1 });
  });

  it('names what grew most between two snapshots, and what shrank last', () => {
    const a = heapTotals(snapshot([[OBJECT, 1, 100], [CODE, 0, 500]]));
    const b = heapTotals(snapshot([[OBJECT, 1, 100], [OBJECT, 1, 100], [OBJECT, 1, 100], [CODE, 0, 450], [OBJECT, 2, 10]]));
    assert.deepEqual(heapGrowth(a, b), [
      { kind: 'object Peer', bytes: 200, count: 2 },
      { kind: 'object Route', bytes: 10, count: 1 },
      { kind: 'code', bytes: -50, count: 0 },
    ]);
  });
});
