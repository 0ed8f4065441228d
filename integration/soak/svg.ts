// A small SVG line chart for the soak's figures: panels stacked over one time axis, each a
// polyline with its range on the y axis, and shaded spans (the API outages) across all panels.
// No plotting library: the picture is a few dozen elements.

export interface Panel {
  title: string;
  /** [seconds since the start, value], in time order. */
  points: ReadonlyArray<readonly [number, number]>;
  /** How a value is written on the axis. */
  format?: (v: number) => string;
}

export interface ChartOptions {
  title: string;
  /** Spans shaded in every panel, seconds, with a legend label. */
  spans?: ReadonlyArray<readonly [number, number]>;
  spanLabel?: string;
  width?: number;
  panelHeight?: number;
}

const MARGIN = { left: 70, right: 20, top: 40, bottom: 40, gap: 34 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];
const X_TICKS = 10;

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const round = (v: number) => Math.round(v * 10) / 10;

/** Evenly spaced ticks covering [0, max], on whole minutes when the run is long enough. */
function timeTicks(maxSeconds: number): number[] {
  const step = maxSeconds >= 2 * 60 ? Math.max(60, Math.ceil(maxSeconds / X_TICKS / 60) * 60) : Math.max(1, Math.ceil(maxSeconds / X_TICKS));
  const ticks: number[] = [];
  for (let t = 0; t <= maxSeconds; t += step) ticks.push(t);
  return ticks;
}

export function lineChart(panels: readonly Panel[], options: ChartOptions): string {
  const width = options.width ?? 900;
  const panelHeight = options.panelHeight ?? 140;
  const plotWidth = width - MARGIN.left - MARGIN.right;
  const height = MARGIN.top + panels.length * (panelHeight + MARGIN.gap) + MARGIN.bottom - MARGIN.gap;
  const tMax = Math.max(1, ...panels.flatMap((p) => p.points.map(([t]) => t)));
  const x = (t: number) => round(MARGIN.left + (t / tMax) * plotWidth);
  const minutes = tMax >= 2 * 60;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${MARGIN.left}" y="22" font-size="15" font-weight="bold">${escape(options.title)}</text>`,
  ];
  if (options.spans?.length && options.spanLabel) {
    out.push(`<rect x="${width - MARGIN.right - 190}" y="12" width="12" height="12" fill="#f2c14e" fill-opacity="0.35"/>`, `<text x="${width - MARGIN.right - 172}" y="22">${escape(options.spanLabel)}</text>`);
  }
  panels.forEach((panel, i) => {
    const top = MARGIN.top + i * (panelHeight + MARGIN.gap);
    const values = panel.points.map(([, v]) => v);
    let lo = Math.min(...values);
    let hi = Math.max(...values);
    if (!Number.isFinite(lo)) [lo, hi] = [0, 1];
    if (hi === lo) [lo, hi] = [lo - 1, hi + 1];
    const pad = (hi - lo) * 0.1;
    [lo, hi] = [Math.max(0, lo - pad), hi + pad];
    const y = (v: number) => round(top + panelHeight - ((v - lo) / (hi - lo)) * panelHeight);
    const format = panel.format ?? ((v: number) => String(Math.round(v)));
    out.push(`<text x="${MARGIN.left}" y="${top - 8}" font-weight="bold">${escape(panel.title)}</text>`);
    for (const [from, to] of options.spans ?? []) {
      out.push(`<rect x="${x(from)}" y="${top}" width="${round(Math.max(1, x(to) - x(from)))}" height="${panelHeight}" fill="#f2c14e" fill-opacity="0.35"/>`);
    }
    out.push(`<rect x="${MARGIN.left}" y="${top}" width="${plotWidth}" height="${panelHeight}" fill="none" stroke="#999"/>`);
    for (const v of [lo, (lo + hi) / 2, hi]) {
      out.push(`<line x1="${MARGIN.left - 4}" x2="${MARGIN.left}" y1="${y(v)}" y2="${y(v)}" stroke="#999"/>`, `<text x="${MARGIN.left - 6}" y="${y(v) + 4}" text-anchor="end">${escape(format(v))}</text>`);
    }
    const path = panel.points.map(([t, v]) => `${x(t)},${y(v)}`).join(' ');
    out.push(`<polyline points="${path}" fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="1.2"/>`);
  });
  const axisY = MARGIN.top + panels.length * (panelHeight + MARGIN.gap) - MARGIN.gap;
  for (const t of timeTicks(tMax)) {
    out.push(`<line x1="${x(t)}" x2="${x(t)}" y1="${axisY}" y2="${axisY + 4}" stroke="#999"/>`, `<text x="${x(t)}" y="${axisY + 17}" text-anchor="middle">${minutes ? t / 60 : t}</text>`);
  }
  out.push(`<text x="${MARGIN.left + plotWidth / 2}" y="${axisY + 33}" text-anchor="middle">${minutes ? 'minutes' : 'seconds'} since the start</text>`, '</svg>');
  return out.join('\n') + '\n';
}
