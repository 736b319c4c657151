import type { Command } from '../command.ts';
import { doctorCommand } from './doctor.ts';
import { testbedUpCommand, testbedDownCommand, testbedListCommand } from './testbed.ts';

/** The one table of subcommands. Each command lives in its own file. */
export const commands: Command[] = [
  doctorCommand,
  testbedUpCommand,
  testbedDownCommand,
  testbedListCommand,
];
