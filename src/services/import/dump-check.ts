import readline from 'node:readline';
import type { Readable } from 'node:stream';
import { dumpHeaderSchema, dumpRecordSchema } from '../../schemas/dump.schema';

export class DumpError extends Error {}

/** How many refused records the error lists by line; the count covers them all. */
const LISTED = 50;

export function parseLine(line: string, lineNumber: number): unknown {
  try {
    return JSON.parse(line);
  } catch {
    throw new DumpError(`line ${lineNumber} is not JSON`);
  }
}

/**
 * The first pass of an import: every record against the API's field rules (dump.schema), and
 * nothing written. A dump with any refused record is refused whole, each refusal named with its
 * line, so that a hostile or damaged dump cannot leave half of itself in the database.
 */
export async function checkDump(input: Readable): Promise<void> {
  const refusals: string[] = [];
  let refused = 0;
  let lineNumber = 0;
  let ended = false;
  const refuse = (text: string) => {
    refused += 1;
    if (refusals.length < LISTED) refusals.push(text);
  };
  for await (const line of readline.createInterface({ input, crlfDelay: Infinity })) {
    lineNumber += 1;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = parseLine(line, lineNumber);
    } catch (error) {
      refuse((error as Error).message);
      continue;
    }
    if (lineNumber === 1) {
      if (!dumpHeaderSchema.safeParse(value).success) {
        throw new DumpError('This is not a jawth dump of format version 1 (first line).');
      }
      continue;
    }
    if (ended) refuse(`line ${lineNumber}: records after the end line`);
    const record = dumpRecordSchema.safeParse(value);
    if (!record.success) {
      const fields = record.error.issues.map((issue) => `${issue.path.join('.') || 'record'} ${issue.message}`);
      refuse(`line ${lineNumber}: ${fields.join('; ')}`);
      continue;
    }
    if (record.data.type === 'end') ended = true;
  }
  if (lineNumber === 0) throw new DumpError('The dump is empty.');
  if (refused > 0) {
    const more = refused > refusals.length ? `\n… and ${refused - refusals.length} more` : '';
    throw new DumpError(`${refused} record(s) refused, nothing imported:\n${refusals.join('\n')}${more}`);
  }
}
