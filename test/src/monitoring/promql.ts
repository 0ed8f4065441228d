// The metric names a PromQL expression reads, found with Prometheus' own grammar
// (@prometheus-io/lezer-promql, the parser of Prometheus' web UI): the name of every vector
// selector, written before the braces or as a __name__ matcher. An expression that does not parse
// is an error, not an empty list, so that a typo cannot hide a name.
import { parser } from '@prometheus-io/lezer-promql';

/** Grafana's interval variables, which only Grafana knows: any valid duration stands in for them. */
const GRAFANA_INTERVAL = /\$__(rate_interval|interval|range)\b/g;

export function metricNames(expr: string): string[] {
  const text = expr.replace(GRAFANA_INTERVAL, '5m');
  const tree = parser.parse(text);
  const names = new Set<string>();
  const errors: string[] = [];
  const cursor = tree.cursor();
  do {
    const node = cursor.node;
    if (cursor.type.isError) errors.push(`at ${cursor.from}: ${JSON.stringify(text.slice(Math.max(0, cursor.from - 20), cursor.to + 20))}`);
    if (cursor.name === 'VectorSelector') {
      const identifier = node.getChild('Identifier');
      if (identifier) names.add(text.slice(identifier.from, identifier.to));
    }
    if (cursor.name === 'UnquotedLabelMatcher' || cursor.name === 'QuotedLabelMatcher') {
      const label = node.getChild('LabelName');
      const value = node.getChild('StringLiteral');
      if (label && value && text.slice(label.from, label.to) === '__name__') names.add(JSON.parse(text.slice(value.from, value.to)) as string);
    }
  } while (cursor.next());
  if (errors.length) throw new Error(`not PromQL: ${expr}\n  ${errors.join('\n  ')}`);
  return [...names].sort();
}

/** A Grafana variable query `label_values(SELECTOR, label)`: the names SELECTOR reads. */
export function variableMetricNames(query: string): string[] {
  const m = /^label_values\((.+),\s*[a-zA-Z_]\w*\s*\)$/.exec(query.trim());
  if (!m) throw new Error(`expected label_values(SELECTOR, LABEL), got ${JSON.stringify(query)}`);
  return metricNames(m[1]!);
}

/**
 * The series names a Prometheus text exposition offers, from its `# TYPE` lines: these list every
 * family, also one without a sample yet (a counter by reason before the first event). A histogram
 * is read as its _bucket, _sum and _count series, a summary as itself, _sum and _count.
 */
export function exportedNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const line of exposition.split('\n')) {
    const m = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (!m) continue;
    const [, name, type] = m as unknown as [string, string, string];
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    else if (type === 'summary') for (const suffix of ['', '_sum', '_count']) names.add(name + suffix);
    else names.add(name);
  }
  return names;
}
