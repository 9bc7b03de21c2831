'use strict';
// The table on stdout, bench/results/latest.json and an SVG chart of the ratios.
const fs = require('node:fs');
const path = require('node:path');

const COLUMNS = [
  ['scenario', 'scenario'],
  ['db', 'db'],
  ['workers', 'workers'],
  ['rps', 'req/s'],
  ['p50_ms', 'p50 ms'],
  ['p99_ms', 'p99 ms'],
  ['ceiling_rps', 'ceiling req/s'],
  ['ratio', 'ratio (median)'],
  ['spread', 'min–max'],
  ['cpu', 'CPU ms/req (ceiling)'],
  ['cpu_ratio', 'CPU ratio'],
  ['target', 'target'],
  ['verdict', '✓/✗'],
  ['rss_mb', 'RSS MB'],
  ['errors', 'errors'],
];

const show = (value) => (value === null || value === undefined ? '–' : String(value));

/** What a cell shows beyond the row's own fields: the spread, ✓/✗, a ratio that errors voided. */
function cells(row) {
  const measured = row.ceiling_rps !== null && row.ceiling_rps !== undefined;
  return {
    ...row,
    ratio: measured && row.ratio === null ? '✗ (errors)' : row.ratio,
    spread: row.ratio_min === null || row.ratio_min === undefined ? null : `${row.ratio_min}–${row.ratio_max}`,
    cpu: row.cpu_ms === null || row.cpu_ms === undefined ? null : `${row.cpu_ms} (${row.ceiling_cpu_ms})`,
    verdict: row.pass === true ? '✓' : row.pass === false ? '✗' : null,
  };
}

/** A Markdown table: readable on a terminal and pasted as is into bench/README.md. */
function table(rows) {
  const lines = [COLUMNS.map(([, title]) => title), COLUMNS.map(() => '---')];
  for (const row of rows.map(cells)) lines.push(COLUMNS.map(([key]) => show(row[key])));
  return lines.map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

const escapeXml = (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** Horizontal bars of each ratio, with a tick at its target. */
function svg(rows, title) {
  const bars = rows.filter((r) => typeof r.ratio === 'number');
  const width = 860;
  const left = 230;
  const scale = (width - left - 60) / Math.max(1.2, ...bars.map((r) => r.ratio));
  // The title over as many lines as it has parts (the load averages on the last).
  const titleLines = title.split('; ');
  const top = 14 * (titleLines.length - 1);
  const height = 50 + top + bars.length * 28;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...titleLines.map(
      (line, i) => `<text x="10" y="${20 + i * 14}" font-size="11" font-weight="bold">${escapeXml(line)}</text>`,
    ),
    `<line x1="${left + scale}" y1="${28 + top}" x2="${left + scale}" y2="${height - 8}" stroke="#999" stroke-dasharray="4 3"/>`,
    `<text x="${left + scale + 4}" y="${38 + top}" fill="#666">1.0 = ceiling</text>`,
  ];
  bars.forEach((row, i) => {
    const y = 46 + top + i * 28;
    const target = row.ratio_target;
    const colour = target === undefined ? '#7f8c8d' : row.ratio >= target ? '#3a7d44' : '#c0392b';
    parts.push(
      `<text x="${left - 8}" y="${y + 14}" text-anchor="end">${escapeXml(`${row.scenario} (${row.db}, ${row.workers}w)`)}</text>`,
      `<rect x="${left}" y="${y}" width="${Math.max(1, row.ratio * scale)}" height="20" fill="${colour}"/>`,
      `<text x="${left + row.ratio * scale + 4}" y="${y + 14}">${row.ratio.toFixed(2)} (${row.ratio_min}–${row.ratio_max})${target ? `, target ≥${target}` : ''}</text>`,
    );
    if (target) {
      const x = left + target * scale;
      parts.push(`<line x1="${x}" y1="${y - 2}" x2="${x}" y2="${y + 22}" stroke="#000" stroke-width="2"/>`);
    }
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

const SCHEMA = [
  'scenario',
  'db',
  'workers',
  'rps',
  'p50_ms',
  'p99_ms',
  'ceiling_rps',
  'ratio',
  'ratio_min',
  'ratio_max',
  'cpu_ms',
  'ceiling_cpu_ms',
  'cpu_ratio',
  'target',
  'pass',
  'rss_mb',
  'errors',
];

function writeResults(rows, dir, title) {
  fs.mkdirSync(dir, { recursive: true });
  // The title line names the load averages; the JSON keeps it beside the rows.
  const records = rows.map((row) => Object.fromEntries(SCHEMA.map((key) => [key, row[key] ?? null])));
  fs.writeFileSync(path.join(dir, 'latest.json'), JSON.stringify(records, null, 2) + '\n');
  fs.writeFileSync(path.join(dir, 'latest.svg'), svg(rows, title));
  fs.writeFileSync(path.join(dir, 'latest.md'), `${title}\n\n${table(rows)}\n`);
}

module.exports = { table, svg, writeResults };
