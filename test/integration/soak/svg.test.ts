// The soak's plot: one polyline per panel, spans shaded in each, minutes on the axis of a long run.
import { strict as assert } from 'node:assert';
import { lineChart } from '../../../integration/soak/svg.js';

describe('soak: the SVG chart', () => {
  const panels = [
    { title: 'resident memory (MiB)', points: [[0, 100], [300, 120], [600, 110]] as Array<[number, number]> },
    { title: 'timers <Timeout>', points: [[0, 8], [600, 8]] as Array<[number, number]> },
  ];

  it('draws a polyline per panel, in the panel\'s band, with its points in order', () => {
    const svg = lineChart(panels, { title: 'soak' });
    const lines = [...svg.matchAll(/<polyline points="([^"]+)"/g)].map((m) => m[1]!.split(' ').map((p) => p.split(',').map(Number)));
    assert.equal(lines.length, 2);
    assert.equal(lines[0]!.length, 3);
    const xs = lines[0]!.map(([x]) => x!);
    assert.deepEqual(xs, [...xs].sort((a, b) => a - b));
    // The highest value is drawn highest (smallest y) in the first panel.
    const ys = lines[0]!.map(([, y]) => y!);
    assert.equal(Math.min(...ys), ys[1]);
    assert.ok(Math.max(...lines[0]!.map(([, y]) => y!)) < Math.min(...lines[1]!.map(([, y]) => y!)), 'the second panel lies below the first');
  });

  it('escapes text, shades the spans in every panel and writes minutes for a long run', () => {
    const svg = lineChart(panels, { title: 'a & b', spans: [[120, 140]], spanLabel: 'API server down' });
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.match(svg, /a &amp; b/);
    assert.match(svg, /timers &lt;Timeout&gt;/);
    assert.equal([...svg.matchAll(/fill="#f2c14e"/g)].length, 3, 'a span per panel and the legend');
    assert.match(svg, />minutes since the start</);
    assert.match(svg, />10<\/text>/);
  });
});
