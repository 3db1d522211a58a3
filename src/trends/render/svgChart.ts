import type { PeriodCounts } from '../counts.js';
import { periodLabel } from '../periods.js';
import { html } from './escape.js';

export const PALETTE = ['#c0392b', '#2471a3', '#239b56', '#b9770e', '#7d3c98', '#5d6d7e', '#d35400', '#17a589'];

const W = 760;
const H = 280;
const M = { left: 48, right: 16, top: 16, bottom: 56 };

/**
 * Counts per period as an inline SVG line chart: one line per threat, a circle per data point
 * (carrying `data-period` and `data-count`, so a browser test can read the points back), exact
 * counts in each point's tooltip. No script, no external resource.
 */
export function lineChartSvg(counts: PeriodCounts, name: (id: string) => string, maxSeries = 6): string {
  const series = [...counts.series.entries()].sort((a, b) => total(b[1]) - total(a[1])).slice(0, maxSeries);
  const n = counts.periods.length;
  const max = Math.max(1, ...series.flatMap(([, v]) => v));
  const yMax = niceCeil(max);
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const x = (i: number): number => M.left + (n <= 1 ? plotW / 2 : (i * plotW) / (n - 1));
  const y = (v: number): number => M.top + plotH - (v / yMax) * plotH;
  const parts: string[] = [];
  parts.push(
    `<svg class="trend-chart" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="threat events per ${counts.unit}">`,
  );
  parts.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#fff"/>`);
  for (let k = 0; k <= 4; k++) {
    const v = (yMax * k) / 4;
    const yy = y(v).toFixed(1);
    parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${yy}" y2="${yy}" stroke="#ddd"/>`);
    parts.push(
      `<text x="${M.left - 6}" y="${yy}" font-size="11" text-anchor="end" dominant-baseline="middle">${fmt(v)}</text>`,
    );
  }
  const every = Math.max(1, Math.ceil(n / 10));
  counts.periods.forEach((p, i) => {
    if (i % every !== 0 && i !== n - 1) return;
    const xx = x(i).toFixed(1);
    parts.push(
      `<text x="${xx}" y="${H - M.bottom + 14}" font-size="10" text-anchor="end" transform="rotate(-35 ${xx} ${H - M.bottom + 14})">${periodLabel(p, counts.unit)}</text>`,
    );
  });
  series.forEach(([id, values], s) => {
    const color = PALETTE[s % PALETTE.length] as string;
    const points = values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    parts.push(`<g class="series" data-threat="${html(id)}">`);
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${points}"/>`);
    values.forEach((v, i) => {
      const label = periodLabel(counts.periods[i] as number, counts.unit);
      parts.push(
        `<circle class="point" cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="${v > 0 ? 3.5 : 1.5}" fill="${color}" data-period="${label}" data-count="${v}"><title>${html(name(id))} ${label}: ${v}</title></circle>`,
      );
    });
    parts.push('</g>');
    const lx = M.left + s * 120;
    parts.push(`<rect x="${lx}" y="${H - 14}" width="10" height="10" fill="${color}"/>`);
    parts.push(`<text x="${lx + 14}" y="${H - 5}" font-size="11">${html(truncate(name(id), 16))}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

/** A horizontal bar chart of ranked counts (top sources, countries, networks). */
export function barChartSvg(rows: ReadonlyArray<{ key: string; count: number }>, label: string): string {
  const barH = 18;
  const width = 560;
  const labelW = 220;
  const height = rows.length * (barH + 6) + 8;
  const max = Math.max(1, ...rows.map((r) => r.count));
  const parts = [
    `<svg class="bar-chart" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${html(label)}">`,
  ];
  rows.forEach((r, i) => {
    const y = 4 + i * (barH + 6);
    const w = Math.max(1, ((width - labelW - 60) * r.count) / max);
    parts.push(
      `<text x="${labelW - 6}" y="${y + barH / 2}" font-size="11" text-anchor="end" dominant-baseline="middle">${html(truncate(r.key, 30))}</text>`,
    );
    parts.push(
      `<rect class="bar" x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="#2471a3" data-count="${r.count}"/>`,
    );
    parts.push(
      `<text x="${labelW + w + 4}" y="${y + barH / 2}" font-size="11" dominant-baseline="middle">${r.count}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

function total(v: readonly number[]): number {
  return v.reduce((a, b) => a + b, 0);
}

function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
