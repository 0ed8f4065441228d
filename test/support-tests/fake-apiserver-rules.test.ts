// The rule books of the fake on their own: selectors, the three patch types, and the store's
// resourceVersion, history and generation rules.
import { strict as assert } from 'node:assert';
import type { KubeObject } from '../support/fake-apiserver/object.js';
import { jsonPatch, mergePatch, strategicMergePatch } from '../support/fake-apiserver/patch.js';
import { RESOURCE_TYPES } from '../support/fake-apiserver/resources.js';
import { parseFieldSelector, parseLabelSelector } from '../support/fake-apiserver/selectors.js';
import { Store } from '../support/fake-apiserver/store.js';

const withLabels = (labels: Record<string, string>, name = 'x'): KubeObject => ({ metadata: { name, namespace: 'ns', labels } });

function matches(selector: string, labels: Record<string, string>): boolean {
  const parsed = parseLabelSelector(selector);
  assert.ok(parsed.ok, `selector ${selector} should parse`);
  return parsed.matches(withLabels(labels));
}

describe('fake API server rules: selectors', () => {
  it('applies every label requirement kind the way kube-apiserver does', () => {
    const cases: [string, Record<string, string>, boolean][] = [
      ['a=b', { a: 'b' }, true],
      ['a==b', { a: 'c' }, false],
      ['a!=b', {}, true], // no label at all satisfies !=
      ['a=b,c!=d', { a: 'b', c: 'd' }, false],
      ['a in (x, y)', { a: 'y' }, true],
      ['a notin (x,y)', {}, true],
      ['a', { a: '' }, true],
      ['!a', { a: '' }, false],
      ['n>3', { n: '4' }, true],
      ['', { anything: 'goes' }, true],
    ];
    for (const [selector, labels, expected] of cases) assert.equal(matches(selector, labels), expected, `${selector} on ${JSON.stringify(labels)}`);
  });

  it('rejects a label selector it cannot parse', () => {
    assert.equal(parseLabelSelector('a=b=c').ok, false);
  });

  it('matches field selectors on metadata and the extra fields of a type, and rejects others', () => {
    const parsed = parseFieldSelector('metadata.name=x,metadata.namespace!=other', RESOURCE_TYPES.Service);
    assert.ok(parsed.ok);
    assert.equal(parsed.matches(withLabels({})), true);
    const escaped = parseFieldSelector('metadata.name=a\\,b', RESOURCE_TYPES.Service);
    assert.ok(escaped.ok);
    assert.equal(escaped.matches(withLabels({}, 'a,b')), true);
    const bad = parseFieldSelector('spec.nodeName=n1', RESOURCE_TYPES.Service);
    assert.deepEqual(bad, { ok: false, message: 'field label not supported: spec.nodeName' });
  });
});

describe('fake API server rules: patches', () => {
  it('merges as RFC 7386 appendix A says', () => {
    assert.deepEqual(mergePatch({ a: 'b' }, { a: 'c' }), { a: 'c' });
    assert.deepEqual(mergePatch({ a: 'b', b: 'c' }, { a: null }), { b: 'c' });
    assert.deepEqual(mergePatch({ a: [{ b: 'c' }] }, { a: [1] }), { a: [1] });
    assert.deepEqual(mergePatch({ a: { b: 'c' } }, { a: { b: 'd', c: null } }), { a: { b: 'd' } });
    assert.deepEqual(mergePatch({}, { a: { bb: { ccc: null } } }), { a: { bb: {} } });
  });

  it('applies JSON Patch operations in order and leaves the target untouched when one fails', () => {
    const target = { a: { b: [1, 2] }, c: 'x' };
    const ok = jsonPatch(target, [
      { op: 'add', path: '/a/b/-', value: 3 },
      { op: 'replace', path: '/c', value: 'y' },
      { op: 'copy', from: '/c', path: '/d' },
      { op: 'move', from: '/d', path: '/e~1f' },
      { op: 'remove', path: '/a/b/0' },
      { op: 'test', path: '/a/b', value: [2, 3] },
    ]);
    assert.deepEqual(ok, { ok: true, value: { a: { b: [2, 3] }, c: 'y', 'e/f': 'y' } });
    const failed = jsonPatch(target, [{ op: 'remove', path: '/c' }, { op: 'test', path: '/a/b', value: [] }]);
    assert.equal(failed.ok, false);
    assert.deepEqual(target, { a: { b: [1, 2] }, c: 'x' });
  });

  it('merges lists by their merge key in a strategic merge patch and honours $patch directives', () => {
    const keys = { 'status.conditions': 'type' };
    const target = { status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'Old', status: 'True' }] }, spec: { list: [1, 2] } };
    const patch = { status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'Old', $patch: 'delete' }, { type: 'New', status: 'True' }] }, spec: { list: [3] } };
    assert.deepEqual(strategicMergePatch(target, patch, keys), {
      status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'New', status: 'True' }] },
      spec: { list: [3] },
    });
    assert.deepEqual(strategicMergePatch({ m: { a: 1, b: 2 } }, { m: { $patch: 'replace', c: 3 } }, {}), { m: { c: 3 } });
  });
});

describe('fake API server rules: the store', () => {
  const key = { namespace: 'ns', name: 'web' };

  it('rebuilds any past state still in the history, and answers 410 before it', () => {
    const store = new Store();
    const type = RESOURCE_TYPES.Service;
    store.create(type, { metadata: { name: 'web', namespace: 'ns' }, spec: { a: 1 } });
    store.patch(type, key, 'application/merge-patch+json', { spec: { a: 2 } });
    store.delete(type, key);
    const at = (rv: number): unknown => {
      const s = store.snapshot(type, rv);
      return s.ok ? s.value.map((o) => (o.spec as { a: number }).a) : s.status.code;
    };
    assert.deepEqual([at(0), at(1), at(2), at(3)], [[], [1], [2], []]);
    store.compactBefore(2);
    assert.deepEqual([at(1), at(2)], [410, [2]]);
    assert.equal(at(4), 504);
  });

  it('bumps generation on spec changes only, and lets a status write change nothing but the status', () => {
    const store = new Store();
    const type = RESOURCE_TYPES.Service;
    store.create(type, { metadata: { name: 'web', namespace: 'ns' }, spec: { a: 1 } });
    const labelled = store.patch(type, key, 'application/merge-patch+json', { metadata: { labels: { x: 'y' } } });
    assert.ok(labelled.ok);
    assert.equal(labelled.value.metadata.generation, 1);
    const specced = store.patch(type, key, 'application/merge-patch+json', { spec: { a: 2 } });
    assert.ok(specced.ok);
    assert.equal(specced.value.metadata.generation, 2);
    const status = store.patch(type, key, 'application/merge-patch+json', { metadata: { labels: { x: 'z' } }, spec: { a: 3 }, status: { s: 1 } }, { subresource: 'status' });
    assert.ok(status.ok);
    assert.deepEqual([status.value.metadata.labels, status.value.spec, status.value.status], [{ x: 'y' }, { a: 2 }, { s: 1 }]);
  });

  it('keeps only the configured number of events and expires watches from before them', () => {
    const store = new Store({ historyLimit: 2 });
    for (const name of ['a', 'b', 'c']) store.create(RESOURCE_TYPES.Node, { metadata: { name } });
    assert.equal(store.oldestResourceVersion, 1);
    const old = store.eventsSince(0);
    assert.equal(old.ok ? 'ok' : old.status.message, 'too old resource version: 0 (1)');
    const recent = store.eventsSince(1);
    assert.deepEqual(recent.ok && recent.value.map((e) => e.object.metadata.name), ['b', 'c']);
  });

  it('gives every object a uid and a creationTimestamp from the clock, and drops a namespace from cluster-scoped objects', () => {
    const store = new Store({ now: () => new Date('2024-05-06T07:08:09.123Z') });
    const node = store.create(RESOURCE_TYPES.Node, { metadata: { name: 'n1', namespace: 'ignored' } });
    assert.ok(node.ok);
    assert.equal(node.value.metadata.creationTimestamp, '2024-05-06T07:08:09Z');
    assert.equal(node.value.metadata.namespace, undefined);
    assert.match(node.value.metadata.uid ?? '', /^[0-9a-f]{8}-/);
  });
});
