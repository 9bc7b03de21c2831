/** What commands print: a table or key/value lines for people, JSON (--json) for scripts. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (Array.isArray(value)) return value.length === 0 ? '-' : value.join(',');
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export function printTable(rows: Record<string, unknown>[], columns: string[]): void {
  const cells = rows.map((row) => columns.map((column) => cell(row[column])));
  const widths = columns.map((column, i) => Math.max(column.length, ...cells.map((r) => r[i].length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const out = [line(columns.map((c) => c.toUpperCase())), ...cells.map(line)];
  process.stdout.write(`${out.join('\n')}\n`);
}

export function printRecord(record: Record<string, unknown>): void {
  const width = Math.max(...Object.keys(record).map((k) => k.length));
  const out = Object.entries(record).map(([key, value]) => `${`${key}:`.padEnd(width + 2)}${cell(value)}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

/** Prints one answer as JSON or as key/value lines. */
export function show(value: unknown, json: boolean | undefined): void {
  if (json || typeof value !== 'object' || value === null) printJson(value);
  else printRecord(value as Record<string, unknown>);
}
