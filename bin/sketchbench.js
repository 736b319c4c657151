#!/usr/bin/env node
// The CLI is TypeScript run through tsx, so a checkout works without a compile step.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../harness/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
