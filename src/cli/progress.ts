/** A progress line on stderr when it is a terminal; silent otherwise (logs and pipes stay clean). */
export interface Progress {
  update(done: number, total?: number): void;
  finish(): void;
}

const WIDTH = 30;

export function progressLine(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return { update: () => undefined, finish: () => undefined };
  let last = 0;
  let shown = false;
  return {
    update(done, total) {
      const now = Date.now();
      if (now - last < 100 && (total === undefined || done < total)) return;
      last = now;
      shown = true;
      if (total === undefined || total <= 0) {
        stream.write(`\r${label} ${done}`);
        return;
      }
      const ratio = Math.min(1, done / total);
      const filled = Math.round(ratio * WIDTH);
      const bar = `${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}`;
      stream.write(`\r${label} [${bar}] ${Math.floor(ratio * 100)}% ${done}/${total}`);
    },
    finish() {
      if (shown) stream.write('\n');
    },
  };
}
