import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commands } from './commands/index.ts';
import { projectRoot } from '../paths.ts';
import { helpText, parseCommandArgs, type Command, type CommandEntry } from './command.ts';
import { EXIT_BAD_INPUT, EXIT_FAILURE, SketchbenchError } from '../errors.ts';
import { runCleanupHandlers } from '../cleanup.ts';

function findCommand(argv: string[]): { entry: CommandEntry; rest: string[] } | undefined {
  // Longest match first so `trace gen` wins over a hypothetical `trace`.
  const sorted = [...commands].sort((a, b) => b.path.length - a.path.length);
  for (const cmd of sorted) {
    if (cmd.path.every((w, i) => argv[i] === w)) return { entry: cmd, rest: argv.slice(cmd.path.length) };
  }
  return undefined;
}

function topHelp(): string {
  const rows = commands.map((c) => [c.path.join(' '), c.summary]);
  const width = Math.max(...rows.map((r) => r[0].length)) + 2;
  return ['usage: sketchbench COMMAND [options]', '', 'commands:', ...rows.map(([n, s]) => `  ${n.padEnd(width)}${s}`), '',
    "Run 'sketchbench COMMAND --help' for a command's options."].join('\n');
}

export function version(): string {
  return JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')).version;
}

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    console.log(topHelp());
    return 0;
  }
  if (argv[0] === '--version' || argv[0] === '-V') {
    console.log(`sketchbench ${version()}`);
    return 0;
  }
  const found = findCommand(argv);
  if (!found) {
    console.error(`sketchbench: unknown command '${argv.join(' ')}'; run 'sketchbench --help' for the list`);
    return EXIT_BAD_INPUT;
  }
  const { entry, rest } = found;
  const cmd: Command = { ...(await entry.load()), path: entry.path, summary: entry.summary };
  try {
    const { flags, positionals } = parseCommandArgs(cmd, rest);
    if (flags.help) {
      console.log(helpText(cmd));
      return 0;
    }
    return await cmd.run(flags, positionals);
  } catch (err) {
    await runCleanupHandlers();
    if (err instanceof SketchbenchError) {
      console.error(`sketchbench ${cmd.path.join(' ')}: ${err.message}`);
      if (err.detail && process.env.SKETCHBENCH_QUIET !== '1') console.error(err.detail);
      if (process.env.SKETCHBENCH_DEBUG && err.cause) console.error(err.cause);
      return err.exitCode;
    }
    console.error(`sketchbench ${cmd.path.join(' ')}: internal error: ${(err as Error)?.message ?? err}`);
    if (process.env.SKETCHBENCH_DEBUG) console.error(err);
    return EXIT_FAILURE;
  }
}
