// The alerting rules under promtool, Prometheus' own checker: `promtool check rules` on the rule
// file, `promtool test rules` on its unit tests (deploy/monitoring/*.rules.test.yaml), with at
// least one firing and one quiet case for every alert. Debian's `prometheus` package ships
// promtool (scripts/setup.sh installs it); without it these tests skip, saying so.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { FLAPS, FLAP_WINDOW, RULE_GROUPS, alertNames } from '../../../src/monitoring/index.js';

const MONITORING = fileURLToPath(new URL('../../../../deploy/monitoring/', import.meta.url));
const RULES = 'vip-speaker.rules.yaml';
/** promtool runs in a second or two; on a loaded machine, give it more. */
const PROMTOOL_TIMEOUT_MS = 60_000;

interface PromtoolTests {
  rule_files: string[];
  tests: Array<{ name?: string; alert_rule_test?: Array<{ alertname: string; eval_time: string; exp_alerts?: unknown[] }> }>;
}

function promtool(args: string[], cwd: string): { status: number | null; output: string } {
  const r = spawnSync('promtool', args, { cwd, encoding: 'utf8', timeout: PROMTOOL_TIMEOUT_MS });
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

function testFiles(): string[] {
  return readdirSync(MONITORING)
    .filter((f) => f.endsWith('.rules.test.yaml'))
    .sort();
}

describe('alerting rules (promtool)', function () {
  this.timeout(2 * PROMTOOL_TIMEOUT_MS);

  before(function () {
    if (spawnSync('promtool', ['--version']).error !== undefined) {
      console.log('      skipped: promtool not found (Debian package prometheus; scripts/setup.sh installs it)');
      this.skip();
    }
  });

  it('promtool check rules: the rule file is valid and holds every alert', () => {
    const r = promtool(['check', 'rules', RULES], MONITORING);
    assert.equal(r.status, 0, r.output);
    assert.match(r.output, new RegExp(`SUCCESS: ${alertNames().length} rules found`));
  });

  it('promtool test rules: every unit test passes', () => {
    const files = testFiles();
    assert.ok(files.length > 0, 'no *.rules.test.yaml in deploy/monitoring');
    const r = promtool(['test', 'rules', ...files], MONITORING);
    assert.equal(r.status, 0, r.output);
    assert.equal((r.output.match(/SUCCESS/g) ?? []).length, files.length, r.output);
  });

  it('promtool test rules fails when a rule changes under its tests (the flap threshold lowered)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vs-rules-'));
    try {
      const rules = readFileSync(join(MONITORING, RULES), 'utf8');
      const flap = `increase(vip_speaker_bgp_session_flaps_total[${FLAP_WINDOW}]) >= ${FLAPS}`;
      assert.ok(rules.includes(flap), 'the flap rule is not where this test looks for it');
      writeFileSync(join(dir, RULES), rules.replace(flap, flap.replace(`>= ${FLAPS}`, `>= ${FLAPS - 1}`)));
      for (const f of testFiles()) copyFileSync(join(MONITORING, f), join(dir, f));
      const r = promtool(['test', 'rules', ...testFiles()], dir);
      assert.notEqual(r.status, 0, 'promtool passed rules that its tests should refuse');
      assert.match(r.output, /alertname: VipSpeakerBgpPeerFlapping/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('alerting rules: the unit tests cover every alert', () => {
  const cases = testFiles().flatMap((file) => {
    const doc = parse(readFileSync(join(MONITORING, file), 'utf8')) as PromtoolTests;
    assert.deepEqual(doc.rule_files, [RULES], `${file} tests another rule file`);
    return doc.tests.flatMap((t) => (t.alert_rule_test ?? []).map((c) => ({ file, alert: c.alertname, fires: (c.exp_alerts ?? []).length > 0 })));
  });

  it('names only alerts that exist (promtool takes an unknown name as an alert that never fires)', () => {
    const known = new Set(alertNames());
    assert.deepEqual([...new Set(cases.map((c) => c.alert))].filter((a) => !known.has(a)), []);
  });

  for (const group of RULE_GROUPS) {
    for (const rule of group.rules) {
      it(`${rule.alert}: at least one firing and one quiet case`, () => {
        assert.ok(cases.some((c) => c.alert === rule.alert && c.fires), `no case where ${rule.alert} fires`);
        assert.ok(cases.some((c) => c.alert === rule.alert && !c.fires), `no case where ${rule.alert} stays quiet`);
      });
    }
  }
});
