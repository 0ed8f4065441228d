import { strict as assert } from 'node:assert';
import { AttrType, MessageType, Prefix, decodeMessage, findAttribute, reachablePrefixes, withdrawnPrefixes, type UpdateMessage } from '../../../bgp/index.js';
import { AdjRibOut, type FlushContext } from '../../../bgp/speaker/adj-rib-out.js';
import type { Route } from '../../../bgp/speaker/route.js';

const ctx: FlushContext = {
  localAs: 65001,
  ibgp: false,
  fourOctetAs: true,
  nextHopIpv4: '192.0.2.1',
  nextHopIpv6: ['2001:db8::1'],
  codec: { fourOctetAs: true, extendedMessage: false },
  families: new Set(['1/1', '2/1']),
};

function decodeAll(messages: Buffer[]): UpdateMessage[] {
  return messages.map((m) => {
    const r = decodeMessage(m, ctx.codec);
    assert.ok(r.ok, 'flush output must decode');
    assert.equal(r.value.problems.length, 0);
    assert.equal(r.value.message.type, MessageType.Update);
    return r.value.message as UpdateMessage;
  });
}

const p = (s: string) => Prefix.parse(s);

describe('AdjRibOut', () => {
  it('announces new routes once and sends nothing when flushed again', () => {
    const rib = new AdjRibOut();
    rib.announce({ prefix: p('192.0.2.10/32') });
    rib.announce({ prefix: p('2001:db8::10/128') });
    const first = rib.flush(ctx);
    assert.equal(first.announced, 2);
    const updates = decodeAll(first.messages);
    assert.deepEqual(updates.flatMap(reachablePrefixes).map(String).sort(), ['192.0.2.10/32', '2001:db8::10/128']);
    assert.equal(rib.flush(ctx).messages.length, 0);
  });

  it('counts a route as advertised only once flushed, and no longer after a withdrawal or a session down', () => {
    const rib = new AdjRibOut();
    rib.announce({ prefix: p('192.0.2.10/32') });
    assert.equal(rib.isAdvertised('192.0.2.10/32'), false, 'pending is not sent');
    rib.flush(ctx);
    assert.equal(rib.isAdvertised('192.0.2.10/32'), true);
    rib.sessionDown();
    assert.equal(rib.isAdvertised('192.0.2.10/32'), false, 'a new session starts from nothing sent');
    rib.flush(ctx);
    rib.withdraw(p('192.0.2.10/32'));
    rib.flush(ctx);
    assert.equal(rib.isAdvertised('192.0.2.10/32'), false);
  });

  it('coalesces an announce followed by a withdraw before the flush into nothing', () => {
    const rib = new AdjRibOut();
    rib.announce({ prefix: p('192.0.2.10/32') });
    rib.withdraw(p('192.0.2.10/32'));
    const out = rib.flush(ctx);
    assert.equal(out.messages.length, 0);
    assert.equal(out.withdrawn, 0);
  });

  it('withdraws what was sent, in the family it was sent in', () => {
    const rib = new AdjRibOut();
    rib.announce({ prefix: p('192.0.2.10/32') });
    rib.announce({ prefix: p('2001:db8::10/128') });
    rib.flush(ctx);
    rib.withdraw(p('192.0.2.10/32'));
    rib.withdraw(p('2001:db8::10/128'));
    const out = rib.flush(ctx);
    assert.equal(out.withdrawn, 2);
    const updates = decodeAll(out.messages);
    assert.deepEqual(updates.flatMap(withdrawnPrefixes).map(String).sort(), ['192.0.2.10/32', '2001:db8::10/128']);
    assert.equal(updates.flatMap(reachablePrefixes).length, 0);
  });

  it('packs routes with equal attributes into one UPDATE and splits different ones', () => {
    const rib = new AdjRibOut();
    for (let i = 1; i <= 50; i++) rib.announce({ prefix: p(`198.51.100.${i}/32`), communities: [0xfde80001] });
    rib.announce({ prefix: p('203.0.113.1/32'), communities: [0xfde80002] });
    const updates = decodeAll(rib.flush(ctx).messages);
    assert.equal(updates.length, 2);
    const sizes = updates.map((u) => u.nlri.length).sort((a, b) => a - b);
    assert.deepEqual(sizes, [1, 50]);
    const comms = updates.map((u) => findAttribute(u.attributes, AttrType.Communities)!.communities[0]);
    assert.deepEqual(comms.sort(), [0xfde80001, 0xfde80002]);
  });

  it('re-announces a route whose attributes changed, and not one that did not', () => {
    const rib = new AdjRibOut();
    rib.announce({ prefix: p('192.0.2.10/32'), med: 10 });
    rib.flush(ctx);
    assert.equal(rib.announce({ prefix: p('192.0.2.10/32'), med: 10 }), false);
    assert.equal(rib.announce({ prefix: p('192.0.2.10/32'), med: 20 }), true);
    const out = rib.flush(ctx);
    assert.equal(out.announced, 1);
    const [u] = decodeAll(out.messages);
    assert.equal(findAttribute(u!.attributes, AttrType.MultiExitDisc)?.med, 20);
  });

  it('sends only the families the peer agreed to', () => {
    const rib = new AdjRibOut();
    rib.announce({ prefix: p('192.0.2.10/32') });
    rib.announce({ prefix: p('2001:db8::10/128') });
    const out = rib.flush({ ...ctx, families: new Set(['1/1']) });
    assert.deepEqual(decodeAll(out.messages).flatMap(reachablePrefixes).map(String), ['192.0.2.10/32']);
  });

  it('resends the whole table after the session went down and came back', () => {
    const rib = new AdjRibOut();
    for (let i = 1; i <= 3; i++) rib.announce({ prefix: p(`192.0.2.${i}/32`) });
    rib.flush(ctx);
    rib.sessionDown();
    assert.equal(rib.advertisedCount, 0);
    assert.equal(rib.flush(ctx).announced, 3);
  });

  it('answers a route refresh by resending every route', () => {
    const rib = new AdjRibOut();
    rib.announce({ prefix: p('192.0.2.1/32') });
    rib.flush(ctx);
    rib.refresh();
    assert.equal(rib.flush(ctx).announced, 1);
  });

  it('gives iBGP peers an empty AS_PATH and LOCAL_PREF, eBGP peers our AS and no LOCAL_PREF', () => {
    const rib = new AdjRibOut();
    rib.announce({ prefix: p('192.0.2.1/32') });
    const [ibgp] = decodeAll(rib.flush({ ...ctx, ibgp: true }).messages);
    assert.deepEqual(findAttribute(ibgp!.attributes, AttrType.AsPath)?.segments, []);
    assert.equal(findAttribute(ibgp!.attributes, AttrType.LocalPref)?.localPref, 100);
    rib.refresh();
    const [ebgp] = decodeAll(rib.flush(ctx).messages);
    assert.deepEqual(findAttribute(ebgp!.attributes, AttrType.AsPath)?.segments, [{ type: 2, asns: [65001] }]);
    assert.equal(findAttribute(ebgp!.attributes, AttrType.LocalPref), undefined);
  });

  it('sends AS_TRANS and AS4_PATH to a 2-octet peer when our AS needs four octets', () => {
    const rib = new AdjRibOut();
    rib.announce({ prefix: p('192.0.2.1/32') });
    const codec = { fourOctetAs: false, extendedMessage: false };
    const out = rib.flush({ ...ctx, localAs: 4200000001, fourOctetAs: false, codec });
    const r = decodeMessage(out.messages[0]!, codec);
    assert.ok(r.ok);
    const u = r.value.message as UpdateMessage;
    assert.deepEqual(findAttribute(u.attributes, AttrType.AsPath)?.segments, [{ type: 2, asns: [23456] }]);
    assert.deepEqual(findAttribute(u.attributes, AttrType.As4Path)?.segments, [{ type: 2, asns: [4200000001] }]);
  });

  it('splits 5,000 routes over UPDATEs that each fit in 4,096 octets', () => {
    const rib = new AdjRibOut();
    for (let i = 0; i < 5000; i++) rib.announce({ prefix: Prefix.fromBytes(1, 32, Uint8Array.of(198, 18, i >> 8, i & 0xff)) });
    const out = rib.flush(ctx);
    assert.ok(out.messages.every((m) => m.length <= 4096));
    const all = decodeAll(out.messages).flatMap(reachablePrefixes);
    assert.equal(all.length, 5000);
    assert.equal(new Set(all.map(String)).size, 5000);
    assert.equal(out.messages.length, Math.ceil(5000 / Math.floor((4096 - 23 - 4 - 4 - 7) / 5)));
  });
});

describe('AdjRibOut on the speaker\'s shared table', () => {
  const table = () => new Map<string, Route>();
  const set = (t: Map<string, Route>, ribs: AdjRibOut[], route: Route) => {
    const k = route.prefix.toString();
    const old = t.get(k);
    t.set(k, route);
    for (const r of ribs) r.changed(k, old);
  };
  const remove = (t: Map<string, Route>, ribs: AdjRibOut[], k: string) => {
    const old = t.get(k);
    t.delete(k);
    for (const r of ribs) r.changed(k, old);
  };

  it('sends the whole table to a new peer, then only what changed', () => {
    const t = table();
    for (let i = 1; i <= 3; i++) t.set(`192.0.2.${i}/32`, { prefix: p(`192.0.2.${i}/32`) });
    const rib = new AdjRibOut(t);
    assert.equal(rib.flush(ctx).announced, 3);
    assert.equal(rib.advertisedCount, 3);
    set(t, [rib], { prefix: p('192.0.2.4/32') });
    remove(t, [rib], '192.0.2.1/32');
    const out = rib.flush(ctx);
    assert.deepEqual([out.announced, out.withdrawn], [1, 1]);
    assert.equal(rib.advertisedCount, 3);
    assert.equal(rib.pending, 0);
  });

  it('keeps two peers apart: each sends what it has not sent, from the one table', () => {
    const t = table();
    const a = new AdjRibOut(t);
    const b = new AdjRibOut(t);
    set(t, [a, b], { prefix: p('192.0.2.1/32') });
    assert.equal(a.flush(ctx).announced, 1);
    set(t, [a, b], { prefix: p('192.0.2.2/32') });
    assert.equal(a.flush(ctx).announced, 1, 'a has the first already');
    assert.equal(b.flush(ctx).announced, 2, 'b has neither yet');
    assert.deepEqual([a.advertisedCount, b.advertisedCount], [2, 2]);
  });

  it('sends nothing for a route added and withdrawn between two flushes, and a withdrawal only for what was sent', () => {
    const t = table();
    const rib = new AdjRibOut(t);
    set(t, [rib], { prefix: p('192.0.2.1/32') });
    rib.flush(ctx);
    set(t, [rib], { prefix: p('192.0.2.2/32') });
    remove(t, [rib], '192.0.2.2/32');
    remove(t, [rib], '192.0.2.1/32');
    const out = rib.flush(ctx);
    assert.deepEqual([out.announced, out.withdrawn], [0, 1]);
    assert.deepEqual(decodeAll(out.messages).flatMap(withdrawnPrefixes).map(String), ['192.0.2.1/32']);
  });

  it('resends a route whose communities changed, and not one replaced by an equal route', () => {
    const t = table();
    const rib = new AdjRibOut(t);
    set(t, [rib], { prefix: p('192.0.2.1/32') });
    rib.flush(ctx);
    set(t, [rib], { prefix: p('192.0.2.1/32') });
    assert.equal(rib.flush(ctx).announced, 0);
    set(t, [rib], { prefix: p('192.0.2.1/32'), communities: [0xfde80001] });
    assert.equal(rib.flush(ctx).announced, 1);
  });

  it('keeps nothing per route once flushed: the table is what the peer holds', () => {
    const t = table();
    const rib = new AdjRibOut(t);
    for (let i = 0; i < 2000; i++) set(t, [rib], { prefix: Prefix.fromBytes(1, 32, Uint8Array.of(198, 18, i >> 8, i & 0xff)) });
    rib.flush(ctx);
    assert.equal(rib.pending, 0);
    assert.equal(rib.advertisedCount, 2000);
    rib.refresh('1/1');
    assert.equal(rib.flush(ctx).announced, 2000, 'a ROUTE-REFRESH resends the family');
  });

  it('refuses announce and withdraw on a shared table: the caller changes the table itself', () => {
    const rib = new AdjRibOut(table());
    assert.throws(() => rib.announce({ prefix: p('192.0.2.1/32') }), /shared table/);
  });
});
