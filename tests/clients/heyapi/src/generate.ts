/**
 * Generate the typed client of a spec build with @hey-api/openapi-ts, once for each response
 * validator: `<out>/zod` and `<out>/valibot`, in one run of the generator. The build is read as
 * published; nothing generated is committed.
 */

import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@hey-api/openapi-ts';
import type { Validator } from './api.ts';
import { DONE, VALIDATORS, generated } from './generated.ts';

/**
 * The one generator setting: zod 4's `z.uuid()` accepts only RFC 9562 UUIDs (version 1-8, variant
 * 10), while `format: uuid` means RFC 4122's syntax and the platform's own ids use the rest of it:
 * the EPEA database is `00000000-0000-0000-0000-000000000003`, and the client would refuse every
 * answer naming it. The zod plugin's string resolver writes `z.guid()` (any 8-4-4-4-12 hex) for
 * such strings instead; valibot's `v.uuid()` already reads the format that way.
 */
const ZOD = {
  name: 'zod' as const,
  '~resolvers': {
    string(ctx: any) {
      if (ctx.schema.format === 'uuid') ctx.nodes.format = () => ctx.$(ctx.symbols.z).attr('guid').call();
      return undefined; // the plugin's own string resolver, with that one node replaced
    },
  },
};

function job(spec: string, out: string, validator: Validator) {
  return {
    input: spec,
    output: join(out, validator),
    logs: { level: 'silent' as const },
    plugins: [
      '@hey-api/client-fetch',
      validator === 'zod' ? ZOD : validator,
      // every answer is validated with the generated schemas before the program sees it
      { name: '@hey-api/sdk' as const, validator: { request: false, response: validator } },
    ],
  };
}

/** Generate into `out` unless a completed generation is there already. */
export async function generate(spec: string, out: string): Promise<void> {
  if (generated(out)) return;
  await createClient(VALIDATORS.map((v) => job(spec, out, v)) as any);
  for (const v of VALIDATORS) {
    if (!existsSync(join(out, v, 'sdk.gen.ts'))) throw new Error(`${spec}: the generator wrote no ${v}/sdk.gen.ts`);
  }
  writeFileSync(join(out, DONE), `${spec}\n`);
}
