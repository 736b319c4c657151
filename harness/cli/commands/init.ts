import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { CommandSpec } from '../command.ts';
import { bool } from '../command.ts';
import { projectRoot } from '../../paths.ts';
import { badInput } from '../../errors.ts';

const TEMPLATE = join(projectRoot, 'templates', 'init');

export const initCommand: CommandSpec = {
  positionals: ['DIR'],
  flags: [
    { name: 'force', type: 'boolean', description: 'overwrite files of the same names' },
  ],
  async run(flags, args) {
    if (args.length !== 1) throw badInput('init needs one folder: sketchbench init DIR');
    const dir = resolve(args[0]);
    const files = readdirSync(TEMPLATE).sort();
    const clash = files.filter((f) => existsSync(join(dir, f)));
    if (clash.length && !bool(flags, 'force')) throw badInput(`${args[0]} already has ${clash.join(', ')}; choose another folder or pass --force to overwrite`);
    mkdirSync(dir, { recursive: true });
    for (const f of files) copyFileSync(join(TEMPLATE, f), join(dir, f));
    const rel = relative(process.cwd(), dir) || '.';
    console.log(`wrote ${files.map((f) => join(rel, f)).join(', ')}`);
    console.log(`next:  npx sketchbench run --suite ${join(rel, 'suite.json')}      (cost, throughput and accuracy next to nitro-naive and nitro-final)`);
    console.log(`       npx sketchbench ab --base HEAD --suite ${join(rel, 'suite.json')}   (after a change: is it slower?)`);
    return 0;
  },
};
