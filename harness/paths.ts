import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout root, wherever the harness is run from. */
export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const buildDir = join(projectRoot, 'build');
export const resultsDir = join(projectRoot, 'results');
export const reportsDir = join(projectRoot, 'reports');
export const tracesDir = join(projectRoot, 'traces');
