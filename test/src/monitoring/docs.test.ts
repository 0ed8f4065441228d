// docs/observability.md against what is shipped: a runbook section per alert that shows the
// alert's own expression and pending time, a line in the alerts table with its severity, and the
// dashboard's panels with the questions they answer, in the dashboard's order. (That the page
// names every metric of a running daemon is checked in metric-names.test.ts.)
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { RULE_GROUPS, buildDashboard, runbookOf } from '../../../src/monitoring/index.js';

const DOCS = readFileSync(new URL('../../../../docs/observability.md', import.meta.url), 'utf8');

/** The text under a `### heading`, up to the next heading. */
function section(heading: string): string | undefined {
  const start = DOCS.indexOf(`\n### ${heading}\n`);
  if (start < 0) return undefined;
  const body = DOCS.slice(start + heading.length + 6);
  const end = body.search(/\n##/);
  return end < 0 ? body : body.slice(0, end);
}

describe('docs/observability.md', () => {
  for (const rule of RULE_GROUPS.flatMap((g) => g.rules)) {
    it(`has the runbook of ${rule.alert}, with its expression and pending time`, () => {
      const text = section(rule.alert);
      assert.ok(text, `no "### ${rule.alert}" section`);
      assert.ok(text.includes('```promql\n' + rule.expr + '\n```'), `the section does not show the rule's expression: ${rule.expr}`);
      if (rule.for) assert.ok(text.includes(`\nfor: ${rule.for}\n`), `the section does not say "for: ${rule.for}"`);
      else assert.ok(!/\nfor: /.test(text), 'the section gives a pending time the rule does not have');
      const prose = text.replace(/```[\s\S]*?```/g, '').replace(/\nfor: .*\n/, '');
      assert.ok(prose.trim().length > 400, 'the runbook paragraph is too short to help anyone');
      assert.equal(rule.annotations.runbook, runbookOf(rule.alert));
      assert.ok(rule.annotations.runbook.startsWith('docs/observability.md#'));
    });

    it(`lists ${rule.alert} with its severity in the alerts table`, () => {
      assert.match(DOCS, new RegExp(`^\\| \`${rule.alert}\` \\| ${rule.labels.severity} \\| .+ \\|$`, 'm'));
    });
  }

  it('lists every panel of the dashboard with its question, in the dashboard\'s order', () => {
    const expected = buildDashboard('test').panels.map((p) => (p.type === 'row' ? `| **${p.title}** | |` : `| ${p.title} | ${p.description} |`));
    const table = DOCS.slice(DOCS.indexOf('| panel | question it answers |'));
    const rows = table.split('\n').slice(2).filter((line) => line.startsWith('| ')).slice(0, expected.length);
    assert.deepEqual(rows, expected);
    assert.ok(buildDashboard('test').panels.every((p) => p.type === 'row' || (p.description ?? '').endsWith('?')), 'a panel\'s description is not a question');
  });
});
