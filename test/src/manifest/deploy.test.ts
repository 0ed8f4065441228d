// deploy/*.yaml and deploy/monitoring/ are what the generator prints today, for the command lines
// that deploy/README.md gives: change the generator, and this fails until the files are made again.
// The promtool unit tests (*.rules.test.yaml) are written by hand, not generated.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { manifestCommand } from '../../../src/manifest/index.js';

const deploy = new URL('../../../../deploy/', import.meta.url);
const COMMAND = /^node dist\/src\/cli\.js manifest (.+) > deploy\/((?:monitoring\/)?[\w.-]+\.(?:yaml|json))$/;

/** The generated files: YAML and JSON in deploy/ and deploy/monitoring/, less the promtool tests. */
function generatedFiles(): string[] {
  const list = (dir: string) => readdirSync(new URL(dir, deploy)).map((f) => `${dir}${f}`);
  return [...list(''), ...list('monitoring/')].filter((f) => /\.(yaml|json)$/.test(f) && !f.endsWith('.rules.test.yaml')).sort();
}

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

  it('has one regeneration line in deploy/README.md for every generated file', () => {
    const files = generatedFiles();
    assert.deepEqual(lines.map(([, file]) => file).sort(), files);
    assert.deepEqual(files, [
      'daemonset-arp.yaml',
      'daemonset.yaml',
      'monitoring/prometheusrule.yaml',
      'monitoring/servicemonitor.yaml',
      'monitoring/vip-speaker-dashboard.json',
      'monitoring/vip-speaker.rules.yaml',
      'rbac-arp.yaml',
      'rbac.yaml',
      'static-pod.yaml',
    ]);
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
