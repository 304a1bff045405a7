/**
 * Assertions of a program run: a failed `expect` is one line and the program goes on; a failed
 * `need` (or a call that did not answer as asked) ends the program, since what follows needs it.
 */

export class Stop extends Error {}

export class Checks {
  readonly failures: string[] = [];

  constructor(readonly program: string) {}

  /** Record a failure line unless `ok`; the program goes on. */
  expect(ok: boolean, message: string): boolean {
    if (!ok) this.failures.push(oneLine(message));
    return ok;
  }

  /** As `expect`, but a failure ends the program. */
  need(ok: boolean, message: string): void {
    if (!this.expect(ok, message)) throw new Stop(message);
  }

  /** `expect` that two values are equal as JSON (key order ignored). */
  equal(actual: unknown, expected: unknown, what: string): boolean {
    const same = canonical(actual) === canonical(expected);
    return this.expect(same, `${what}: expected ${show(expected)}, got ${show(actual)}`);
  }
}

/** JSON with keys sorted, undefined read as null: what "equal" means between two answers. */
export function canonical(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k] ?? null]))
      : (v ?? null),
  );
}

export function show(value: unknown, limit = 300): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value);
  return text.length > limit ? `${text.slice(0, limit)}...` : text;
}

function oneLine(message: string): string {
  return message.replace(/\s+/g, ' ').trim();
}

export function isClose(a: number, b: number, relTol = 1e-3, absTol = 1e-6): boolean {
  return Math.abs(a - b) <= Math.max(relTol * Math.max(Math.abs(a), Math.abs(b)), absTol);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const POLL_TIMEOUT_MS = 15_000; // generous: the machine may be busy; the mock takes well under one
const POLL_INTERVAL_MS = 20;

/** Read until `done`, the way a client polls: the last value and every value seen. */
export async function poll<T>(
  checks: Checks,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
): Promise<[T, T[]]> {
  const seen: T[] = [];
  const deadline = Date.now() + POLL_TIMEOUT_MS;
  for (;;) {
    const value = await read();
    seen.push(value);
    if (done(value)) return [value, seen];
    checks.need(Date.now() < deadline, `${what}: not done after ${POLL_TIMEOUT_MS / 1000} s; seen ${show(seen.slice(-5))}`);
    await sleep(POLL_INTERVAL_MS);
  }
}

/** Whether the statuses seen only move forward along the lifecycle (repeats allowed). */
export function inOrder(seen: string[], lifecycle: string[]): boolean {
  const positions = seen.map((s) => lifecycle.indexOf(s));
  return positions.every((p, i) => p >= 0 && (i === 0 || p >= positions[i - 1]));
}
