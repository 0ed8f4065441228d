// BIRD 2 as a contender: static routes exported over BGP (configs/bird.conf).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { birdSkipReason, birdVersion } from '../../../integration/support/bird.js';
import { type Contender, type Running, fill, startLogged } from '../contender.js';
import { type ScaleLab, configTemplate } from '../topology.js';
import { type BenchVips } from '../vips.js';

const paths = (lab: ScaleLab) => ({ config: join(lab.lab.dir, 'bird.conf'), socket: join(lab.lab.dir, 'bird.ctl') });

export function birdConfig(vips: BenchVips): string {
  const routes = vips.addresses.map((a) => `  route ${a}/${vips.family === 'ipv4' ? 32 : 128} blackhole;`).join('\n');
  return fill(configTemplate('bird.conf'), { ROUTES4: vips.family === 'ipv4' ? routes : '', ROUTES6: vips.family === 'ipv6' ? routes : '' });
}

export const bird: Contender = {
  name: 'BIRD 2',
  logName: 'bird',
  version: () => birdVersion(),
  skipReason: () => birdSkipReason(),
  prepare(lab, vips) {
    writeFileSync(paths(lab).config, birdConfig(vips));
  },
  start(lab): Running {
    const p = paths(lab);
    return startLogged(lab, 'bird', 'bird', ['-f', '-c', p.config, '-s', p.socket]);
  },
};
