// The interop suite, the same for every router: sessions over IPv4 and IPv6, eBGP with a
// 4-octet AS and iBGP, with and without MD5, a wrong password that keeps a session down,
// announce and withdraw of /32 and /128 routes read from the router's own table, and recovery
// from a router restart, a link cut and a NOTIFICATION.
import { strict as assert } from 'node:assert';
import type { Lab } from '../support/lab.js';
import { labSkipReason, waitFor } from '../support/lab.js';
import { type InteropLab, HOLD_TIME, allEstablished, announceAll, buildInteropLab, expectedPrefixes, goodNeighbors, routesArrived } from './lab.js';
import type { Neighbor, RouterUnderTest } from './topology.js';
import { recordInterop } from './results.js';

export function describeInterop(name: string, routerSkipReason: () => string | undefined, makeRouter: (lab: Lab, ns: string, neighbors: Neighbor[]) => RouterUnderTest): void {
  describe(`interop with ${name}`, function () {
    this.timeout(120_000);
    let l: InteropLab | undefined;

    before(async function () {
      const reason = labSkipReason() ?? routerSkipReason();
      if (reason) {
        console.log(`      skipped: ${reason}`);
        this.skip();
      }
      l = await buildInteropLab(name.toLowerCase(), makeRouter);
    });

    after(async () => {
      if (!l) return;
      await l.ebgp.killAndWait();
      await l.ibgp.killAndWait();
      l.router.stop();
      l.lab.destroySync();
    });

    const lab = () => l!;
    const record = (test: string, ok: boolean) => recordInterop(name, test, ok);

    it('establishes every session: IPv4 and IPv6, eBGP from a 4-octet AS and iBGP, with and without MD5', async () => {
      await allEstablished(lab());
      for (const n of goodNeighbors(lab())) assert.equal(await lab().speakerFor(n).peerState(n.routerAddress), 'Established', n.label);
      record('sessions', true);
    });

    it('receives /32 and /128 routes over every session', async () => {
      announceAll(lab());
      await routesArrived(lab());
      record('routes', true);
    });

    it('keeps a session with a wrong MD5 password down', async () => {
      const wrong = lab().neighbors.find((n) => n.password !== n.speakerPassword)!;
      // Three connection timeouts of the speaker's side: long enough for any SYN to be answered.
      await new Promise((r) => setTimeout(r, 7000));
      assert.equal(await lab().router.established(wrong), false);
      const peer = (await lab().ebgp.status()).find((p) => p.address === wrong.routerAddress)!;
      assert.notEqual(peer.state, 'Established');
      assert.match(peer.lastError ?? '', /password/, `the speaker says why the session may not come up; it said: ${JSON.stringify(peer)}`);
      record('md5-wrong', true);
    });

    it('withdraws a route from the router', async () => {
      const l0 = lab();
      l0.ebgp.withdraw('198.51.100.1/32');
      l0.ebgp.withdraw('2001:db8:e::1/128');
      for (const n of goodNeighbors(l0).filter((x) => x.asn !== 65000)) {
        await waitFor(`withdrawal at ${n.label}`, async () => {
          const got = await l0.router.prefixesFrom(n);
          return !got.includes('198.51.100.1/32') && !got.includes('2001:db8:e::1/128') ? true : undefined;
        });
      }
      l0.ebgp.announce('198.51.100.1/32', { communities: [0xfde80064] });
      l0.ebgp.announce('2001:db8:e::1/128', { communities: [0xfde80064] });
      await routesArrived(l0);
      record('withdraw', true);
    });

    it('survives a router restart: sessions and routes come back by themselves', async () => {
      await lab().router.restart();
      await allEstablished(lab());
      await routesArrived(lab());
      record('router-restart', true);
    });

    it('survives a link cut longer than the hold time', async () => {
      const l0 = lab();
      await l0.lab.exec('router', 'ip', ['link', 'set', 'eth0', 'down']);
      await new Promise((r) => setTimeout(r, (HOLD_TIME + 2) * 1000));
      const n = goodNeighbors(l0)[0]!;
      assert.notEqual(await l0.speakerFor(n).peerState(n.routerAddress), 'Established', 'the hold timer must have expired');
      await l0.lab.exec('router', 'ip', ['link', 'set', 'eth0', 'up']);
      await allEstablished(l0, 90_000);
      await routesArrived(l0);
      record('link-cut', true);
    });

    it('survives a NOTIFICATION from the router', async () => {
      const l0 = lab();
      const n = goodNeighbors(l0)[0]!;
      const from = l0.speakerFor(n).events.length;
      await l0.router.resetSession(n);
      await l0.speakerFor(n).waitEvent('session down after NOTIFICATION', (e) => e.event === 'down' && e.peer === n.routerAddress && e.reason === 'NotificationReceived', 20_000, from);
      await allEstablished(l0);
      await routesArrived(l0);
      assert.deepEqual((await l0.router.prefixesFrom(n)).filter((p) => expectedPrefixes(n).includes(p)), expectedPrefixes(n));
      record('notification', true);
    });
  });
}
