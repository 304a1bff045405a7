/** Whether a folder holds a completed generation (read without loading the generator). */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Validator } from './api.ts';

export const VALIDATORS: Validator[] = ['zod', 'valibot'];
export const DONE = '.generated';

export const generated = (out: string): boolean => existsSync(join(out, DONE));
