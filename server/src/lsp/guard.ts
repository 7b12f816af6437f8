// The language server process's last line of defence. Node ends a process on a promise rejection nobody handles
// (since Node 15) and on an exception thrown from a callback nobody catches; in an editor that is one crash per
// bad file, and VS Code stops restarting a server after five. The handlers are guarded one by one (server.ts),
// so what arrives here is a bug: it is logged (to the client's log, at most LOG_BURST lines a minute) and the
// server goes on serving the other documents.

import { format } from 'node:util';

const LOG_BURST = 20;
const WINDOW_MS = 60_000;

export type Log = (text: string) => void;

/** Installs the process-level handlers once; `log` writes to the client's log. */
export function installProcessGuards(log: Log): void {
  const report = rateLimited(log);
  process.on('unhandledRejection', (reason) =>
    report(`a promise was rejected and nothing handled it: ${describe(reason)}`),
  );
  process.on('uncaughtException', (err) => report(`an exception was thrown and nothing caught it: ${describe(err)}`));
}

/** At most LOG_BURST lines a minute, then one line saying how many were left out. */
export function rateLimited(log: Log, now: () => number = Date.now): Log {
  let windowStart = -Infinity;
  let count = 0;
  let dropped = 0;
  return (text) => {
    const t = now();
    if (t - windowStart >= WINDOW_MS) {
      if (dropped > 0) safely(log, `(${dropped} more such errors were not logged)`);
      windowStart = t;
      count = 0;
      dropped = 0;
    }
    if (++count <= LOG_BURST) safely(log, `layer-insight: ${text}`);
    else dropped++;
  };
}

function safely(log: Log, text: string): void {
  try {
    log(text);
  } catch {
    // the connection itself is failing: stderr is what is left
    process.stderr.write(`${text}\n`);
  }
}

export function describe(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return format('%o', err);
}
