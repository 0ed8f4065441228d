// Time against N for every contender, as an SVG file: log scales on both axes, the median of
// each cell joined by a line (IPv4), its spread as a bar, IPv6 as a hollow mark.
import { spread } from './stats.js';
import type { SuiteResult } from './suite.js';

const WIDTH = 720;
const HEIGHT = 420;
const MARGIN = { left: 70, right: 170, top: 40, bottom: 50 };
const COLORS = ['#d62728', '#1f77b4', '#2ca02c', '#9467bd', '#8c564b'];
const Y_TICKS_S = [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function plot(r: SuiteResult): string {
  const series = r.coldStarts.filter((s) => s.peers === 1);
  const ns = [...new Set(series.map((s) => s.n))].sort((a, b) => a - b);
  const times = series.flatMap((s) => s.runs.map((run) => run.allMs / 1000)).filter((t) => t > 0);
  const minN = ns[0] ?? 1000;
  const maxN = ns.at(-1) ?? 100_000;
  const yMin = Math.min(0.1, ...times);
  const yMax = Math.max(2, ...times) * 1.2;
  const px = (n: number) => MARGIN.left + ((Math.log10(n) - Math.log10(minN)) / (Math.log10(maxN) - Math.log10(minN) || 1)) * (WIDTH - MARGIN.left - MARGIN.right);
  const py = (s: number) => HEIGHT - MARGIN.bottom - ((Math.log10(s) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * (HEIGHT - MARGIN.top - MARGIN.bottom);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`);
  out.push(`<text x="${MARGIN.left}" y="20" font-size="14">Process start until the router holds every route (${r.date.slice(0, 10)}, ${r.machine.cpus} CPUs)</text>`);
  for (const t of Y_TICKS_S.filter((t) => t >= yMin && t <= yMax)) {
    out.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${py(t)}" y2="${py(t)}" stroke="#ddd"/>`);
    out.push(`<text x="${MARGIN.left - 6}" y="${py(t) + 4}" text-anchor="end">${t} s</text>`);
  }
  for (const n of ns) {
    out.push(`<line x1="${px(n)}" x2="${px(n)}" y1="${MARGIN.top}" y2="${HEIGHT - MARGIN.bottom}" stroke="#eee"/>`);
    out.push(`<text x="${px(n)}" y="${HEIGHT - MARGIN.bottom + 18}" text-anchor="middle">${n.toLocaleString('en-US')}</text>`);
  }
  out.push(`<text x="${(MARGIN.left + WIDTH - MARGIN.right) / 2}" y="${HEIGHT - 12}" text-anchor="middle">VIPs (routes)</text>`);
  const contenders = [...new Set(series.map((s) => s.contender))];
  contenders.forEach((name, i) => {
    const color = COLORS[i % COLORS.length]!;
    const points: Array<[number, number]> = [];
    for (const s of series.filter((x) => x.contender === name)) {
      const sp = spread(s.runs.map((run) => run.allMs / 1000));
      if (!Number.isFinite(sp.median)) continue;
      const x = px(s.n) + (s.family === 'ipv6' ? 8 : 0);
      out.push(`<line x1="${x}" x2="${x}" y1="${py(sp.min)}" y2="${py(sp.max)}" stroke="${color}"/>`);
      out.push(`<circle cx="${x}" cy="${py(sp.median)}" r="4" fill="${s.family === 'ipv6' ? 'white' : color}" stroke="${color}"/>`);
      if (s.family === 'ipv4') points.push([x, py(sp.median)]);
    }
    if (points.length > 1) out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}"/>`);
    const ly = MARGIN.top + 10 + i * 20;
    out.push(`<line x1="${WIDTH - MARGIN.right + 15}" x2="${WIDTH - MARGIN.right + 35}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"/>`);
    out.push(`<text x="${WIDTH - MARGIN.right + 40}" y="${ly + 4}">${esc(name)} ${esc(r.versions[name] ?? '')}</text>`);
  });
  const ly = MARGIN.top + 10 + contenders.length * 20 + 10;
  out.push(`<circle cx="${WIDTH - MARGIN.right + 25}" cy="${ly}" r="4" fill="white" stroke="black"/><text x="${WIDTH - MARGIN.right + 40}" y="${ly + 4}">IPv6 (10,000)</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}
