// deploy/*.yaml are what the generator prints today, for the command lines that deploy/README.md
// gives: change the generator, and this fails until the files are made again.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { manifestCommand } from '../../../src/manifest/index.js';

const deploy = new URL('../../../../deploy/', import.meta.url);
const COMMAND = /^node dist\/src\/cli\.js manifest (.+) > deploy\/([\w.-]+\.yaml)$/;

/** The regeneration lines of deploy/README.md: [args, file]. */
function commands(): Array<[string[], string]> {
  const readme = readFileSync(new URL('README.md', deploy), 'utf8');
  return readme.split('\n').flatMap((line) => {
    const m = COMMAND.exec(line.trim());
    return m ? [[m[1]!.split(/\s+/), m[2]!] as [string[], string]] : [];
  });
}

describe('deploy/: the generated manifests', () => {
  const lines = commands();

  it('has one regeneration line in deploy/README.md for every YAML file', () => {
    const files = readdirSync(deploy).filter((f) => f.endsWith('.yaml')).sort();
    assert.deepEqual(lines.map(([, file]) => file).sort(), files);
    assert.deepEqual(files, ['daemonset-arp.yaml', 'daemonset.yaml', 'rbac-arp.yaml', 'rbac.yaml', 'static-pod.yaml']);
  });

  for (const [args, file] of commands()) {
    it(`deploy/${file} is what \`manifest ${args[0]}\` prints today`, () => {
      const out: string[] = [];
      const err: string[] = [];
      assert.equal(manifestCommand(args, (l) => out.push(l), (l) => err.push(l)), 0, err.join('\n'));
      const expected = out.join('\n') + '\n';
      const actual = readFileSync(new URL(file, deploy), 'utf8');
      assert.ok(actual === expected, `deploy/${file} differs from the generator's output: run the line in deploy/README.md again`);
    });
  }
});
