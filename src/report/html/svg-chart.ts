import { escapeHtml } from './escape.js';

/**
 * Charts drawn on the server as inline SVG: they need no script, print as they show, and fetch
 * nothing. Colours are presentation attributes (a strict Content-Security-Policy forbids style
 * attributes); every label is escaped.
 */

/** One bar of a bar chart. */
export interface Bar {
  readonly label: string;
  readonly value: number;
  readonly color: string;
}

/** One series of a column chart: a value per category. */
export interface Series {
  readonly name: string;
  readonly color: string;
  readonly values: readonly number[];
}

const fmt = new Intl.NumberFormat('en-US');
const FONT = 'font-family="system-ui, sans-serif"';

/** A round axis maximum at or above `max` (1, 2, 2.5 or 5 times a power of ten). */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

function open(id: string, title: string, width: number, height: number): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="${escapeHtml(id)}" role="img" ` +
    `aria-labelledby="${escapeHtml(id)}-title" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">` +
    `<title id="${escapeHtml(id)}-title">${escapeHtml(title)}</title>`
  );
}

/** Horizontal bars, one per item, with its label on the left and its count on the right. */
export function barChart(id: string, title: string, bars: readonly Bar[]): string {
  const rowH = 22;
  const labelW = 150;
  const barW = 260;
  const width = labelW + barW + 70;
  const height = Math.max(1, bars.length) * rowH + 8;
  const max = Math.max(1, ...bars.map((b) => b.value));
  let s = open(id, title, width, height);
  if (bars.length === 0) {
    s += `<text x="4" y="18" font-size="12" ${FONT} fill="#555">no breaks</text>`;
  }
  bars.forEach((b, i) => {
    const y = 4 + i * rowH;
    const w = b.value === 0 ? 0 : Math.max(1, Math.round((b.value / max) * barW));
    const label = b.label.length > 22 ? `${b.label.slice(0, 21)}\u2026` : b.label;
    s +=
      `<g><title>${escapeHtml(`${b.label}: ${fmt.format(b.value)}`)}</title>` +
      `<text x="${labelW - 6}" y="${y + 15}" text-anchor="end" font-size="12" ${FONT} fill="#222">${escapeHtml(label)}</text>` +
      `<rect x="${labelW}" y="${y + 3}" width="${w}" height="${rowH - 6}" fill="${escapeHtml(b.color)}"/>` +
      `<text x="${labelW + w + 6}" y="${y + 15}" font-size="12" ${FONT} fill="#222">${fmt.format(b.value)}</text></g>`;
  });
  return `${s}</svg>`;
}

/**
 * Columns per category (a business date), the series stacked or side by side, with a value axis,
 * category labels and a legend.
 */
export function columnChart(
  id: string,
  title: string,
  categories: readonly string[],
  series: readonly Series[],
  mode: 'stacked' | 'grouped',
): string {
  const left = 48;
  const top = 24;
  const plotH = 160;
  const slot = Math.max(28, Math.min(64, Math.floor(560 / Math.max(1, categories.length))));
  const width = left + slot * Math.max(1, categories.length) + 16;
  const height = top + plotH + 46;
  const totals = categories.map((_, i) =>
    mode === 'stacked'
      ? series.reduce((n, s) => n + (s.values[i] ?? 0), 0)
      : Math.max(0, ...series.map((s) => s.values[i] ?? 0)),
  );
  const max = niceMax(Math.max(0, ...totals));
  const y = (v: number) => top + plotH - (v / max) * plotH;
  let s = open(id, title, width, height);
  // Legend.
  let lx = left;
  for (const ser of series) {
    s +=
      `<rect x="${lx}" y="4" width="10" height="10" fill="${escapeHtml(ser.color)}"/>` +
      `<text x="${lx + 14}" y="13" font-size="11" ${FONT} fill="#222">${escapeHtml(ser.name)}</text>`;
    lx += 24 + ser.name.length * 7;
  }
  // Value axis: 0, half, max.
  for (const v of [0, max / 2, max]) {
    const yy = y(v).toFixed(1);
    s +=
      `<line x1="${left}" x2="${width - 8}" y1="${yy}" y2="${yy}" stroke="#ccc" stroke-width="1"/>` +
      `<text x="${left - 4}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" font-size="10" ${FONT} fill="#555">${fmt.format(v)}</text>`;
  }
  const n = Math.max(1, series.length);
  categories.forEach((c, i) => {
    const x0 = left + i * slot + 4;
    const inner = slot - 8;
    let base = 0;
    series.forEach((ser, k) => {
      const v = ser.values[i] ?? 0;
      const bw = mode === 'stacked' ? inner : inner / n;
      const bx = mode === 'stacked' ? x0 : x0 + k * bw;
      const y1 = y(mode === 'stacked' ? base + v : v);
      const y0 = y(mode === 'stacked' ? base : 0);
      if (v > 0) {
        s +=
          `<rect x="${bx.toFixed(1)}" y="${y1.toFixed(1)}" width="${Math.max(1, bw - 1).toFixed(1)}" ` +
          `height="${Math.max(1, y0 - y1).toFixed(1)}" fill="${escapeHtml(ser.color)}">` +
          `<title>${escapeHtml(`${c} ${ser.name}: ${fmt.format(v)}`)}</title></rect>`;
      }
      if (mode === 'stacked') base += v;
    });
    // Category label: the date without its year (the year is in the table below the chart).
    const label = /^\d{4}-\d{2}-\d{2}$/.test(c) ? c.slice(5) : c;
    s += `<text x="${(x0 + inner / 2).toFixed(1)}" y="${top + plotH + 14}" text-anchor="middle" font-size="10" ${FONT} fill="#222">${escapeHtml(label)}</text>`;
  });
  s += `<line x1="${left}" x2="${width - 8}" y1="${top + plotH}" y2="${top + plotH}" stroke="#888" stroke-width="1"/>`;
  if (categories.length === 0) {
    s += `<text x="${left + 8}" y="${top + plotH / 2}" font-size="12" ${FONT} fill="#555">no runs</text>`;
  }
  return `${s}</svg>`;
}
