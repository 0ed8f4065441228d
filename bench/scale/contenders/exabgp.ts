// ExaBGP 4 as a contender: static routes of its one neighbour (configs/exabgp.conf).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exabgpSkipReason, exabgpVersion } from '../../../integration/support/exabgp.js';
import { type Contender, type Running, fill, startLogged } from '../contender.js';
import { SPEAKER, type ScaleLab, configTemplate } from '../topology.js';
import { type BenchVips } from '../vips.js';

const configPath = (lab: ScaleLab) => join(lab.lab.dir, 'exabgp.conf');

export function exabgpConfig(vips: BenchVips): string {
  const nextHop = vips.family === 'ipv4' ? SPEAKER.ipv4 : SPEAKER.ipv6;
  const length = vips.family === 'ipv4' ? 32 : 128;
  return fill(configTemplate('exabgp.conf'), { ROUTES: vips.addresses.map((a) => `    route ${a}/${length} next-hop ${nextHop};`).join('\n') });
}

export const exabgp: Contender = {
  name: 'ExaBGP',
  logName: 'exabgp',
  version: () => exabgpVersion(),
  skipReason: () => exabgpSkipReason(),
  prepare(lab, vips) {
    writeFileSync(configPath(lab), exabgpConfig(vips));
  },
  start(lab): Running {
    return startLogged(lab, 'exabgp', 'exabgp', [configPath(lab)], {
      ...process.env,
      'exabgp.daemon.daemonize': 'false',
      'exabgp.daemon.user': 'root',
      'exabgp.api.cli': 'false',
      'exabgp.tcp.bind': '',
      'exabgp.log.destination': 'stdout',
      'exabgp.log.level': 'WARNING',
    });
  },
};
