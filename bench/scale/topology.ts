// The scale bench's lab, the same for every contender: a "router" namespace running FRR (bgpd
// and zebra, routes installed in its kernel) and a "speaker" namespace where one contender runs.
//
//   router  eth0 192.0.2.1/29, 192.0.2.4/29, 2001:db8:1::1/64   (FRR, AS 65000)
//      |
//   speaker eth0 192.0.2.2/29, 192.0.2.3/29, 2001:db8:1::2/64   (the contender, AS 65100)
//
// The speaker's second address is the source of vip-speaker's second session (to 192.0.2.4), so
// that FRR sees two neighbours. The router is read through bgpd's own vty socket (vty.ts).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Frr, frrSkipReason } from '../../integration/support/frr.js';
import { Lab, haveProgram, labSkipReason } from '../../integration/support/lab.js';
import { BgpdVty, type NeighborView, neighborView } from './vty.js';

export const ROUTER_AS = 65000;
export const SPEAKER_AS = 65100;
export const ROUTER = { ipv4: '192.0.2.1', second: '192.0.2.4', ipv6: '2001:db8:1::1' } as const;
export const SPEAKER = { ipv4: '192.0.2.2', second: '192.0.2.3', ipv6: '2001:db8:1::2' } as const;

/** Where the contenders' configuration templates live (in the source tree, beside this file's source). */
export const CONFIG_DIR = fileURLToPath(new URL('../../../bench/scale/configs/', import.meta.url));

export function configTemplate(name: string): string {
  return readFileSync(`${CONFIG_DIR}${name}`, 'utf8');
}

export function scaleSkipReason(): string | undefined {
  return labSkipReason() ?? frrSkipReason() ?? (haveProgram('node') ? undefined : 'node is not on PATH');
}

export class ScaleLab {
  readonly lab: Lab;
  private frr: Frr | undefined;
  private vty: BgpdVty | undefined;

  constructor(label = 'scale') {
    this.lab = new Lab(label);
  }

  async build(): Promise<void> {
    const lab = this.lab;
    await lab.addNamespace('router');
    await lab.addNamespace('speaker');
    await lab.link('router', 'eth0', 'speaker', 'eth0');
    for (const a of [`${ROUTER.ipv4}/29`, `${ROUTER.second}/29`, `${ROUTER.ipv6}/64`]) await lab.addAddress('router', 'eth0', a);
    for (const a of [`${SPEAKER.ipv4}/29`, `${SPEAKER.second}/29`, `${SPEAKER.ipv6}/64`]) await lab.addAddress('speaker', 'eth0', a);
    this.frr = new Frr(lab, 'router', configTemplate('frr.conf'));
    await this.frr.start();
    this.vty = new BgpdVty(`/var/run/frr/${lab.ns('router')}`);
    await this.vty.connect();
  }

  /** What the router holds from one of the speaker's addresses. */
  view(neighbor: string = SPEAKER.ipv4): Promise<NeighborView> {
    return neighborView(this.vty!, neighbor);
  }

  /**
   * Polls the router until `done` holds; returns the milliseconds since `since` at the answer that
   * showed it (an upper bound, late by at most one poll and one answer, about 1 ms).
   */
  async until(since: number, done: (v: NeighborView) => boolean, options: { neighbor?: string; timeoutMs?: number; pollMs?: number; what: string }): Promise<number> {
    const deadline = performance.now() + (options.timeoutMs ?? 120_000);
    for (;;) {
      const v = await this.view(options.neighbor);
      const now = performance.now();
      if (done(v)) return now - since;
      if (now > deadline) throw new Error(`timed out waiting for ${options.what}: the router shows ${JSON.stringify(v)}`);
      await new Promise((r) => setTimeout(r, options.pollMs ?? 2));
    }
  }

  destroy(): void {
    this.vty?.close();
    this.lab.destroySync();
  }
}
