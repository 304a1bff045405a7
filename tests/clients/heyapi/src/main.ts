/**
 * Generate the client of a spec build (both validators) and drive the published programs with it
 * against a running mock. One line per failed assertion; exit 0 when every program that ran
 * passed, 1 on a failure, 2 on bad input.
 *
 *   tsx src/main.ts generate --spec BUILD --out DIR
 *   tsx src/main.ts run --spec BUILD --out DIR --base-url URL --key KEY --validator zod|valibot
 *                       [--ifc FILE --expected FILE.json] [--programs basic,upload-ifc-file,bill-of-materials]
 */

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Api, type Validator, describe } from './api.ts';
import { VALIDATORS, generated } from './generated.ts';
import { Checks, Stop } from './checks.ts';
import { type Authored, BASIC_NEEDS, IFC_NEEDS, basic, uploadIfcFile } from './programs-v3.ts';
import { BOM_NEEDS, billOfMaterials } from './programs-v4.ts';

interface Program {
  version: string;
  needs: string[];
  run: (api: Api, c: Checks, ifc: Authored) => Promise<void>;
}

const PROGRAMS: Record<string, Program> = {
  'csharp/basic': { version: 'v3.0', needs: BASIC_NEEDS, run: basic },
  'csharp/upload-ifc-file': { version: 'v3.0', needs: IFC_NEEDS, run: uploadIfcFile },
  'bill-of-materials': { version: 'v4.0', needs: BOM_NEEDS, run: (api, c) => billOfMaterials(api, c) },
};

class Usage extends Error {}

function options() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      spec: { type: 'string' },
      out: { type: 'string' },
      'base-url': { type: 'string' },
      key: { type: 'string' },
      validator: { type: 'string' },
      ifc: { type: 'string' },
      expected: { type: 'string' },
      programs: { type: 'string' },
    },
  });
  const [command] = positionals;
  if (command !== 'generate' && command !== 'run') throw new Usage('the command is generate or run');
  if (!values.spec || !existsSync(values.spec)) throw new Usage(`--spec: no such build file: ${values.spec ?? ''}`);
  if (!values.out) throw new Usage('--out DIR is required');
  return { command, ...values };
}

function authored(ifc?: string, expected?: string): Authored {
  if (!ifc) return { content: new Uint8Array(), expected: {} };
  if (!existsSync(ifc) || !expected || !existsSync(expected)) throw new Usage('--ifc and --expected name existing files');
  return { content: new Uint8Array(readFileSync(ifc)), expected: JSON.parse(readFileSync(expected, 'utf8')) };
}

async function run(o: ReturnType<typeof options>): Promise<number> {
  const validator = o.validator as Validator;
  if (!VALIDATORS.includes(validator)) throw new Usage(`--validator is ${VALIDATORS.join(' or ')}`);
  if (!o['base-url'] || !o.key) throw new Usage('--base-url and --key are required');
  const ifc = authored(o.ifc, o.expected);
  if (!generated(o.out!)) await (await import('./generate.ts')).generate(o.spec!, o.out!);
  const api = await Api.load(join(o.out!, validator), validator, o['base-url'], o.key);
  const chosen = o.programs ? o.programs.split(',') : Object.keys(PROGRAMS);
  let failed = 0;
  for (const name of chosen) {
    const program = PROGRAMS[name];
    if (!program) throw new Usage(`no program ${name}: ${Object.keys(PROGRAMS).join(', ')}`);
    if (program.version !== api.version) continue;
    const lacking = api.hasAll(program.needs);
    if (lacking.length) {
      console.log(`SKIP ${name}: the build has no ${lacking.join(', ')}`);
      continue;
    }
    if (name === 'csharp/upload-ifc-file' && !ifc.content.length) throw new Usage(`${name} needs --ifc and --expected`);
    const checks = new Checks(name);
    try {
      await program.run(api, checks, ifc);
    } catch (error) {
      if (!(error instanceof Stop)) checks.failures.push(`unexpected error: ${describe(error)}`);
    }
    for (const line of checks.failures) console.log(`FAIL ${name} [${validator}]: ${line}`);
    if (checks.failures.length) failed += 1;
    else console.log(`PASS ${name} [${validator}]`);
  }
  return failed ? 1 : 0;
}

try {
  const o = options();
  process.exitCode = o.command === 'generate' ? (await (await import('./generate.ts')).generate(o.spec!, o.out!), 0) : await run(o);
} catch (error) {
  console.error(`heyapi: ${error instanceof Usage ? error.message : describe(error)}`);
  process.exitCode = 2;
}
