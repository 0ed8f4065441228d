// vip-speaker as a contender: the built CLI, as a deployment runs it (`node dist/src/cli.js run`).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI } from '../../../integration/support/vip-speaker-node.js';
import { VERSION } from '../../../src/version.js';
import { type Contender, type Running, type StartOptions, fill, startLogged } from '../contender.js';
import { ROUTER, ROUTER_AS, SPEAKER, type ScaleLab, configTemplate } from '../topology.js';
import { type BenchVips } from '../vips.js';

export const VIP_SPEAKER_NAME = 'vip-speaker';

export function vipSpeakerConfigPath(lab: ScaleLab): string {
  return join(lab.lab.dir, 'vip-speaker.yaml');
}

export interface VipSpeakerConfigOptions extends StartOptions {
  /** Extra top-level YAML (the churn run's kubernetes section). */
  kubernetes?: string;
}

/** The config file's text for `addresses`. */
export function vipSpeakerConfig(addresses: readonly string[], options: VipSpeakerConfigOptions): string {
  const peers = [`  - "${ROUTER.ipv4}:${ROUTER_AS}::false"`];
  if (options.peers === 2) peers.push(`  - address: ${ROUTER.second}`, `    asn: ${ROUTER_AS}`, `    sourceAddress: ${SPEAKER.second}`);
  return fill(configTemplate('vip-speaker.yaml'), {
    PEERS: peers.join('\n'),
    KUBERNETES: options.kubernetes ?? '',
    VIPS: addresses.length ? addresses.map((a) => `  - ${a}`).join('\n') : '  []',
  });
}

export const vipSpeaker: Contender & { writeConfig(lab: ScaleLab, addresses: readonly string[], options: VipSpeakerConfigOptions): void } = {
  name: VIP_SPEAKER_NAME,
  logName: VIP_SPEAKER_NAME,
  version: () => VERSION,
  skipReason: () => undefined,
  writeConfig(lab, addresses, options) {
    writeFileSync(vipSpeakerConfigPath(lab), vipSpeakerConfig(addresses, options));
  },
  prepare(lab, vips: BenchVips, options) {
    this.writeConfig(lab, vips.addresses, options);
  },
  start(lab, _options): Running {
    // BENCH_NODE_ARGS: extra node flags for a profiling run (--cpu-prof --cpu-prof-dir=...); never in a recorded run.
    const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    return startLogged(lab, VIP_SPEAKER_NAME, process.execPath, [...nodeArgs, CLI, 'run', '--config', vipSpeakerConfigPath(lab), '--no-watch']);
  },
};
