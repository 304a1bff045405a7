/**
 * One generated client, found by method and path rather than by function name (the names differ
 * between builds): each SDK function is called once with a client that only records the method
 * and URL it was given. The calls, the serialisation and the response validation are the
 * generator's own.
 */

import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { Checks, Stop, show } from './checks.ts';

export type Validator = 'zod' | 'valibot';

/** What the SDK functions take besides the client: path, query, body, headers. */
export interface CallOptions {
  path?: Record<string, unknown>;
  query?: Record<string, unknown>;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Answer {
  status: number;
  headers: Headers;
  data: any;
}

type SdkFunction = (options: Record<string, unknown>) => Promise<any>;

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'];

export class Api {
  readonly operations = new Map<string, string>(); // "POST /building" -> SDK function name
  last: Answer | undefined;

  private constructor(
    readonly validator: Validator,
    readonly version: string,
    private readonly sdk: Record<string, unknown>,
    private readonly schemas: Record<string, unknown>,
    private readonly client: any,
  ) {}

  /** Import the client generated in `folder` (with `validator`), aimed at the mock. */
  static async load(folder: string, validator: Validator, baseUrl: string, key: string): Promise<Api> {
    const load = (name: string) => import(pathToFileURL(join(folder, name)).href);
    const [sdk, clientModule, schemas] = await Promise.all([
      load('sdk.gen.ts'),
      load('client.gen.ts'),
      load(`${validator}.gen.ts`),
    ]);
    const client = clientModule.client;
    client.setConfig({ baseUrl, auth: () => key });
    const found = new Map<string, string>();
    for (const [name, fn] of Object.entries(sdk)) {
      if (typeof fn !== 'function') continue;
      const probe = Object.fromEntries(
        METHODS.map((m) => [m, (o: { url: string }) => found.set(`${m.toUpperCase()} ${o.url}`, name)]),
      );
      (fn as SdkFunction)({ client: probe });
    }
    const version = [...found.keys()].map((k) => k.match(/ \/api\/(v[\d.]+)\//)?.[1]).find(Boolean);
    if (!version) throw new Error(`${folder}: no /api/vX.Y/ operation in the generated SDK`);
    const api = new Api(validator, version, sdk, schemas, client);
    for (const [key, name] of found) api.operations.set(key.replace(`/api/${version}`, ''), name);
    return api;
  }

  has(method: string, path: string): boolean {
    return this.operations.has(`${method} ${path}`);
  }

  hasAll(needs: string[]): string[] {
    return needs.filter((need) => !this.operations.has(need));
  }

  /** The fields of the operation's generated body schema (a zod object's shape, valibot's entries). */
  bodyFields(method: string, path: string): Set<string> {
    const name = this.functionName(method, path);
    const prefix = this.validator === 'zod' ? 'z' : 'v';
    let schema: any = this.schemas[`${prefix}${name[0].toUpperCase()}${name.slice(1)}Body`];
    for (let depth = 0; schema && depth < 5; depth++) {
      const fields = schema.shape ?? schema.entries;
      if (fields) return new Set(Object.keys(fields));
      schema = schema.wrapped ?? schema.unwrap?.() ?? schema.def?.innerType; // optional/nullable
    }
    return new Set();
  }

  private functionName(method: string, path: string): string {
    const name = this.operations.get(`${method} ${path}`);
    if (!name) throw new Stop(`${method} /api/${this.version}${path} is not in this client`);
    return name;
  }

  /**
   * Call the SDK function of `METHOD path`; the status must be one of `expect`. A status outside
   * it, or an answer the generated validator refuses, ends the program with one line saying so.
   */
  async call(checks: Checks, method: string, path: string, expect: number | number[], options: CallOptions = {}) {
    const fn = this.sdk[this.functionName(method, path)] as SdkFunction;
    const where = `${method} ${path}`;
    const result = await fn({ ...options, throwOnError: false });
    const response: Response | undefined = result.response;
    checks.need(response !== undefined, `${where}: no answer: ${describe(result.error)}`);
    const status = response!.status;
    this.last = { status, headers: response!.headers, data: result.data };
    const expected = Array.isArray(expect) ? expect : [expect];
    if (response!.ok && result.error !== undefined) {
      checks.need(false, `${where}: the ${this.validator} schema refused the ${status} answer: ${describe(result.error)}`);
    }
    checks.need(
      expected.includes(status),
      `${where}: expected ${expected.join('/')}, got ${status}: ${show(result.error ?? result.data, 600)}`,
    );
    return result.data;
  }

  /** A lookup that must find nothing: a 404. */
  async missing(checks: Checks, method: string, path: string, options: CallOptions = {}) {
    const fn = this.sdk[this.functionName(method, path)] as SdkFunction;
    const result = await fn({ ...options, throwOnError: false });
    checks.expect(result.response?.status === 404, `${method} ${path}: expected 404, got ${result.response?.status}`);
    return result.error;
  }

  /** The header of the latest answer (the mock names the leniencies it applied). */
  header(name: string): string {
    return this.last?.headers.get(name) ?? '';
  }
}

/** One line for what a call threw or answered: a validator's issues with their paths, else JSON. */
export function describe(error: unknown): string {
  const issues = (error as { issues?: any[] } | undefined)?.issues;
  if (Array.isArray(issues)) {
    return issues
      .slice(0, 5)
      .map((i) => {
        const path = (i.path ?? []).map((p: any) => (typeof p === 'object' ? p.key : p)).join('.');
        return `${path || '(root)'}: ${i.message}${i.received !== undefined ? ` (got ${show(i.received, 80)})` : ''}`;
      })
      .join('; ')
      .concat(issues.length > 5 ? `; and ${issues.length - 5} more` : '');
  }
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return show(error, 600);
}
