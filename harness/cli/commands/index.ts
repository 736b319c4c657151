import type { Command } from '../command.ts';
import { doctorCommand } from './doctor.ts';
import { buildCommand } from './build.ts';
import { runCommand } from './run.ts';
import { benchCommand } from './bench.ts';
import { ciCommand } from './ci.ts';
import { testbedUpCommand, testbedDownCommand, testbedListCommand } from './testbed.ts';
import { traceGenCommand } from './trace-gen.ts';
import { traceImportCommand } from './trace-import.ts';
import { traceExportCommand } from './trace-export.ts';
import { traceInfoCommand } from './trace-info.ts';

import { reportCommand } from './report.ts';
import { compareCommand } from './compare.ts';
import { abCommand } from './ab.ts';
import { setupCommand } from './setup.ts';
import { listCommand } from './list.ts';
import { initCommand } from './init.ts';
import { microCommand } from './micro.ts';
/** The one table of subcommands. Each command lives in its own file. */
export const commands: Command[] = [
  setupCommand,
  listCommand,
  initCommand,
  doctorCommand,
  buildCommand,
  runCommand,
  benchCommand,
  ciCommand,
  testbedUpCommand,
  testbedDownCommand,
  testbedListCommand,
  traceGenCommand,
  traceImportCommand,
  traceExportCommand,
  traceInfoCommand,
  reportCommand,
  compareCommand,
  abCommand,
  microCommand,
];
