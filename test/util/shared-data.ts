/**
 * The development data beside the repository (../shared: real scenes with reference poses,
 * model weights). CI has it; a fresh checkout may not, and tests that need reference data
 * then skip with this note instead of failing on a missing file.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const SHARED = resolve(import.meta.dirname, '../../../shared');
export const hasSharedData = existsSync(resolve(SHARED, 'data/fern/transforms.json'));

if (!hasSharedData) console.warn(`reference data not found at ${SHARED}: tests that need it are skipped`);
