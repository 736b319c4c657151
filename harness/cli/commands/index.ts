import type { Command } from '../command.ts';

/** The one table of subcommands. Each command lives in its own file. */
export const commands: Command[] = [];
