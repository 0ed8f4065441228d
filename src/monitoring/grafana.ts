// The few shapes of Grafana's dashboard JSON model (schemaVersion 39, Grafana 10 and later) that
// dashboard.ts uses: rows, time series, state timelines, stats and tables, each reading Prometheus
// through the dashboard's data-source variable. Panels are laid out left to right on Grafana's
// 24-column grid, a row starting a new line.

export const SCHEMA_VERSION = 39;
const GRID_COLUMNS = 24;
const ROW_HEIGHT = 1;
const PANEL_HEIGHT = 8;

/** Every query goes through the data source chosen in the dashboard's `datasource` variable. */
export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;

export interface Target {
  refId: string;
  datasource: typeof DATASOURCE;
  expr: string;
  legendFormat?: string;
  range: boolean;
  instant: boolean;
  format?: 'time_series' | 'table';
}

export interface GridPos {
  h: number;
  w: number;
  x: number;
  y: number;
}

export interface Panel {
  id: number;
  type: 'row' | 'timeseries' | 'state-timeline' | 'stat' | 'table';
  title: string;
  /** The question the panel answers (Grafana shows it in the panel's info tooltip). */
  description?: string;
  gridPos: GridPos;
  datasource?: typeof DATASOURCE;
  targets?: Target[];
  fieldConfig?: { defaults: Record<string, unknown>; overrides: unknown[] };
  options?: Record<string, unknown>;
  transformations?: Array<{ id: string; options: Record<string, unknown> }>;
  collapsed?: boolean;
  panels?: Panel[];
}

/** A query: a time series over the range, or one instant value per series for a table. */
export interface Query {
  expr: string;
  legend?: string;
}

/** What a panel builder gives before layout. */
export type PanelSpec = Omit<Panel, 'id' | 'gridPos'> & { width: number; height?: number };

function targets(queries: readonly Query[], table = false): Target[] {
  return queries.map((q, i) => ({
    refId: String.fromCharCode('A'.charCodeAt(0) + i),
    datasource: DATASOURCE,
    expr: q.expr,
    ...(q.legend === undefined ? {} : { legendFormat: q.legend }),
    range: !table,
    instant: table,
    ...(table ? { format: 'table' as const } : {}),
  }));
}

const LEGEND = { showLegend: true, displayMode: 'list', placement: 'bottom', calcs: [] };

export function row(title: string): PanelSpec {
  return { type: 'row', title, collapsed: false, panels: [], width: GRID_COLUMNS, height: ROW_HEIGHT };
}

export function timeSeries(title: string, question: string, queries: readonly Query[], options: { unit?: string; width?: number; bars?: boolean; overrides?: unknown[] } = {}): PanelSpec {
  return {
    type: 'timeseries',
    title,
    description: question,
    datasource: DATASOURCE,
    targets: targets(queries),
    fieldConfig: {
      defaults: { unit: options.unit ?? 'short', min: 0, custom: { drawStyle: options.bars ? 'bars' : 'line', fillOpacity: options.bars ? 80 : 10, lineWidth: 1, showPoints: 'never' } },
      overrides: options.overrides ?? [],
    },
    options: { legend: LEGEND, tooltip: { mode: 'multi', sort: 'desc' } },
    width: options.width ?? GRID_COLUMNS / 2,
  };
}

/** A value mapping: each number shown as a word in a colour. */
export type States = Record<number, { text: string; color: string }>;

export function stateTimeline(title: string, question: string, queries: readonly Query[], states: States, width = GRID_COLUMNS): PanelSpec {
  const options: Record<string, { text: string; color: string; index: number }> = {};
  Object.entries(states).forEach(([value, s], index) => (options[value] = { ...s, index }));
  return {
    type: 'state-timeline',
    title,
    description: question,
    datasource: DATASOURCE,
    targets: targets(queries),
    fieldConfig: { defaults: { color: { mode: 'thresholds' }, mappings: [{ type: 'value', options }], thresholds: { mode: 'absolute', steps: [{ color: 'text', value: null }] } }, overrides: [] },
    options: { showValue: 'never', mergeValues: true, alignValue: 'left', rowHeight: 0.9, legend: { ...LEGEND, showLegend: false }, tooltip: { mode: 'single', sort: 'none' } },
    width,
  };
}

export function stat(title: string, question: string, queries: readonly Query[], width = GRID_COLUMNS / 4): PanelSpec {
  return {
    type: 'stat',
    title,
    description: question,
    datasource: DATASOURCE,
    targets: targets(queries),
    fieldConfig: { defaults: { unit: 'short', color: { mode: 'fixed', fixedColor: 'text' } }, overrides: [] },
    options: { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value', graphMode: 'none', textMode: 'value_and_name', justifyMode: 'auto', orientation: 'auto' },
    width,
  };
}

/** Instant queries joined on their labels into one table; `hide` drops columns (Time, Value #A...). */
export function table(title: string, question: string, queries: readonly Query[], options: { width?: number; hide?: string[]; rename?: Record<string, string>; overrides?: unknown[] } = {}): PanelSpec {
  const excludeByName = Object.fromEntries(['Time', ...(options.hide ?? [])].map((c) => [c, true]));
  return {
    type: 'table',
    title,
    description: question,
    datasource: DATASOURCE,
    targets: targets(queries, true),
    fieldConfig: { defaults: {}, overrides: options.overrides ?? [] },
    options: { showHeader: true, cellHeight: 'sm', footer: { show: false, reducer: ['sum'], fields: '' } },
    transformations: [
      ...(queries.length > 1 ? [{ id: 'merge', options: {} }] : []),
      { id: 'organize', options: { excludeByName, renameByName: options.rename ?? {} } },
    ],
    width: options.width ?? GRID_COLUMNS / 2,
  };
}

/** Field overrides: a query's series on the right axis in another unit. */
export function rightAxis(refId: string, unit: string): unknown {
  return { matcher: { id: 'byFrameRefID', options: refId }, properties: [{ id: 'unit', value: unit }, { id: 'custom.axisPlacement', value: 'right' }] };
}

/** Places the panels on the grid: left to right, wrapping at 24 columns; a row starts a new line. */
export function layout(specs: readonly PanelSpec[]): Panel[] {
  let x = 0;
  let y = 0;
  let lineHeight = 0;
  return specs.map((spec, i) => {
    const { width, height, ...panel } = spec;
    const h = height ?? PANEL_HEIGHT;
    if (spec.type === 'row' || x + width > GRID_COLUMNS) {
      y += lineHeight;
      x = 0;
      lineHeight = 0;
    }
    const placed: Panel = { id: i + 1, gridPos: { h, w: width, x, y }, ...panel };
    x += width;
    lineHeight = Math.max(lineHeight, h);
    if (spec.type === 'row') {
      y += h;
      x = 0;
      lineHeight = 0;
    }
    return placed;
  });
}
