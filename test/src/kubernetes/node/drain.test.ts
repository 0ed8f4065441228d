// Node drain and the has-ip label as pure rules: which Node makes this node announce no Service
// VIP, and how kube-vip writes an address into a label value.
import { strict as assert } from 'node:assert';
import type { V1Node } from '@kubernetes/client-node';
import { EXCLUDE_FROM_LOAD_BALANCERS_LABEL, drainReason } from '../../../../src/kubernetes/node/drain.js';
import { labelValueOfIp } from '../../../../src/kubernetes/node/labels.js';

const node = (labels: Record<string, string> | undefined, unschedulable?: boolean) => ({ metadata: { name: 'n1', ...(labels ? { labels } : {}) }, spec: unschedulable === undefined ? {} : { unschedulable } }) as V1Node;
const BOTH = { excluded: true, cordoned: true };

describe('node drain: the rules', () => {
  it('the exclude label drains whatever its value, as Kubernetes reads it', () => {
    assert.match(drainReason(node({ [EXCLUDE_FROM_LOAD_BALANCERS_LABEL]: '' }), BOTH) ?? '', /labelled node\.kubernetes\.io\/exclude-from-external-load-balancers/);
    assert.ok(drainReason(node({ [EXCLUDE_FROM_LOAD_BALANCERS_LABEL]: 'false' }), BOTH));
  });

  it('a cordon drains only when asked', () => {
    assert.match(drainReason(node({}, true), BOTH) ?? '', /cordoned/);
    assert.equal(drainReason(node({}, true), { excluded: true, cordoned: false }), undefined);
  });

  it('the label is ignored when withdrawWhenExcluded is off; an ordinary node, or none at all, is not drained', () => {
    assert.equal(drainReason(node({ [EXCLUDE_FROM_LOAD_BALANCERS_LABEL]: '' }), { excluded: false, cordoned: false }), undefined);
    assert.equal(drainReason(node({ 'kubernetes.io/os': 'linux' }, false), BOTH), undefined);
    assert.equal(drainReason(undefined, BOTH), undefined);
    // Unchecked JSON from a watch: labels that are no mapping.
    assert.equal(drainReason({ metadata: { labels: 'x' } } as unknown as V1Node, BOTH), undefined);
  });
});

describe("kube-vip's has-ip label value", () => {
  it('is an IPv4 address as it is, an IPv6 one as 32 hex digits (SanitizeIPForLabel)', () => {
    assert.equal(labelValueOfIp('192.0.2.10/32'), '192.0.2.10');
    assert.equal(labelValueOfIp('2001:db8::10/128'), '20010db8000000000000000000000010');
    assert.equal(labelValueOfIp('::1'), '00000000000000000000000000000001');
    assert.equal(labelValueOfIp('2001:db8:1:2:3:4:5:6'), '20010db8000100020003000400050006');
    assert.equal(labelValueOfIp('fe80::'), 'fe800000000000000000000000000000');
  });
});
