import { useId } from 'react';
import type { StatsBucket } from '../api/types';

/** The three counts of a bucket, drawn stacked from the bottom in this order. */
export const SERIES = [
  { key: 'logins', label: 'Logins' },
  { key: 'failures', label: 'Failures' },
  { key: 'lockouts', label: 'Lockouts' },
] as const;

const WIDTH = 480;
const HEIGHT = 180;
const LEFT = 30;
const RIGHT = 4;
const TOP = 10;
const BOTTOM = 22;

/** The smallest of 1, 2, 5, 10, 20, 50, … at or above the highest bar: a round top for the scale. */
export function scaleTop(highest: number): number {
  for (let step = 1; ; step *= 10) {
    for (const top of [1, 2, 5].map((n) => n * step)) if (top >= highest) return top;
  }
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A bucket in words: "14:00: 3 logins, 1 failure, 0 lockouts". */
export function bucketWords(label: string, bucket: StatsBucket): string {
  return `${label}: ${plural(bucket.logins, 'login')}, ${plural(bucket.failures, 'failure')}, ${plural(bucket.lockouts, 'lockout')}`;
}

/**
 * Logins, failures and lockouts per bucket as stacked bars, in plain SVG. For assistive
 * technology it is one image with a title and a summary, followed by a visually hidden table of
 * every number; each bar also carries its numbers as a tooltip.
 */
export function AttemptsChart({
  title,
  unit,
  buckets,
  label,
  showLabel,
}: {
  title: string;
  /** The header of the table's first column: "Hour", "Day". */
  unit: string;
  buckets: StatsBucket[];
  label(bucket: StatsBucket): string;
  /** Which buckets are named under the axis (all 24 hours would not fit). */
  showLabel(index: number): boolean;
}) {
  const id = useId();
  const total = (key: (typeof SERIES)[number]['key']) => buckets.reduce((sum, bucket) => sum + bucket[key], 0);
  const top = scaleTop(Math.max(0, ...buckets.map((b) => b.logins + b.failures + b.lockouts)));
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const slot = (WIDTH - LEFT - RIGHT) / Math.max(1, buckets.length);
  const y = (value: number) => TOP + plotHeight - (value / top) * plotHeight;
  const words = { logins: 'login', failures: 'failure', lockouts: 'lockout' } as const;
  const totals = SERIES.map(({ key }) => plural(total(key), words[key])).join(', ');
  const summary = `${title}: ${totals}. The table that follows has every ${unit.toLowerCase()}.`;

  return (
    <figure className="chart">
      <svg
        className="chart-svg"
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-desc`}
      >
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{summary}</desc>
        {[0, top / 2, top]
          .filter((value) => Number.isInteger(value))
          .map((value) => (
            <g key={value}>
              <line className="chart-grid" x1={LEFT} x2={WIDTH - RIGHT} y1={y(value)} y2={y(value)} />
              <text className="chart-scale" x={LEFT - 4} y={y(value) + 4}>
                {value}
              </text>
            </g>
          ))}
        {buckets.map((bucket, index) => {
          const x = LEFT + index * slot + slot * 0.15;
          let base = 0;
          return (
            <g key={bucket.at}>
              <title>{bucketWords(label(bucket), bucket)}</title>
              {/* A transparent column: the tooltip answers anywhere above the bucket, not only on its bars. */}
              <rect className="chart-hit" x={LEFT + index * slot} y={TOP} width={slot} height={plotHeight} />
              {SERIES.map(({ key }) => {
                const value = bucket[key];
                if (value === 0) return null;
                const rect = (
                  <rect
                    key={key}
                    className={`bar-${key}`}
                    x={x}
                    y={y(base + value)}
                    width={slot * 0.7}
                    height={y(base) - y(base + value)}
                  />
                );
                base += value;
                return rect;
              })}
              {showLabel(index) && (
                <text className="chart-label" x={x + slot * 0.35} y={HEIGHT - 6}>
                  {label(bucket)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption className="legend">
        {SERIES.map(({ key, label: name }) => (
          <span key={key}>
            <span className={`swatch swatch-${key}`} aria-hidden="true" />
            {name} {total(key)}
          </span>
        ))}
      </figcaption>
      {/* Hidden by its wrapper: a table is never narrower than its content, a clipped block is. */}
      <div className="visually-hidden">
        <table>
          <caption>{title}</caption>
          <thead>
            <tr>
              <th scope="col">{unit}</th>
              {SERIES.map(({ key, label: name }) => (
                <th key={key} scope="col">
                  {name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {buckets.map((bucket) => (
              <tr key={bucket.at}>
                <th scope="row">{label(bucket)}</th>
                {SERIES.map(({ key }) => (
                  <td key={key}>{bucket[key]}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
