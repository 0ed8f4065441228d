// Every input a fuzz target ever failed on, replayed forever (GoBGP's habit): `npm run fuzz`
// copies each crash or hang into test/fixtures/crashers/<target>/ as a .hex file, and this test
// runs it through the same target function, with no fuzzing engine, in every `npm test`. The
// seeds the runs start from are replayed too, so that a target that cannot pass its own seeds
// is seen without a fuzz run. (test/bgp/codec/property.test.ts replays the older codec crashers
// kept directly in test/fixtures/crashers/.)
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as configFile from '../../fuzz/targets/config-file.js';
import * as env from '../../fuzz/targets/env.js';
import * as framer from '../../fuzz/targets/framer.js';
import * as kubernetes from '../../fuzz/targets/kubernetes.js';
import * as peerString from '../../fuzz/targets/peer-string.js';
import * as roundtrip from '../../fuzz/targets/roundtrip.js';
import { SEEDS } from '../../fuzz/seeds.js';
import { fromHex } from '../support/bytes.js';

const CRASHERS = new URL('../../../test/fixtures/crashers/', import.meta.url);
const TARGETS = [framer, roundtrip, configFile, peerString, env, kubernetes];

/** A .hex file: hex octets, whitespace anywhere, "#" comments to the end of a line. */
const load = (url: URL) => fromHex(readFileSync(url, 'utf8').replace(/#.*$/gm, ''));

describe('fuzz targets: crashers and seeds replayed', () => {
  it('every crasher folder belongs to a target, so that none is silently skipped', () => {
    const folders = readdirSync(CRASHERS, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    // session/ holds the session fuzzer's sequences, replayed in test/fuzz/session.test.ts.
    for (const folder of folders) assert.ok(folder === 'session' || TARGETS.some((t) => t.name === folder), `test/fixtures/crashers/${folder} has no fuzz target`);
  });

  for (const target of TARGETS) {
    describe(target.name, () => {
      it(`passes its ${SEEDS[target.name]!().length} seeds`, () => {
        for (const seed of SEEDS[target.name]!()) target.fuzz(seed);
      });

      const folder = new URL(`${target.name}/`, CRASHERS);
      const files = existsSync(folder) ? readdirSync(folder).filter((f) => f.endsWith('.hex')).sort() : [];
      for (const file of files) {
        it(`replays ${file}`, () => {
          const input = load(new URL(file, folder));
          assert.ok(input.length > 0 || file.startsWith('crash-'), 'an empty fixture');
          target.fuzz(input);
        });
      }
    });
  }
});
