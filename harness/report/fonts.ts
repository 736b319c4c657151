/**
 * Fonts for PNG and PDF. resvg and pdfkit draw text only with fonts they are given, and
 * figures must look the same on every machine, so we use one known family (DejaVu Sans,
 * Debian's fonts-dejavu-core) by file rather than whatever the system happens to have.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SketchbenchError } from '../errors.ts';

const DIRS = [
  process.env.SKETCHBENCH_FONT_DIR,
  '/usr/share/fonts/truetype/dejavu',
  '/usr/share/fonts/dejavu',
  '/usr/share/fonts/TTF',
  '/usr/local/share/fonts',
  '/System/Library/Fonts/Supplemental',
].filter((d): d is string => Boolean(d));

export interface Fonts {
  regular: string;
  bold: string;
}

let cached: Fonts | undefined;

export function findFonts(): Fonts {
  if (cached) return cached;
  for (const dir of DIRS) {
    const regular = join(dir, 'DejaVuSans.ttf');
    const bold = join(dir, 'DejaVuSans-Bold.ttf');
    if (existsSync(regular)) return (cached = { regular, bold: existsSync(bold) ? bold : regular });
  }
  throw new SketchbenchError('report',
    "font DejaVu Sans not found (needed to draw text in PNG and PDF figures): install it with 'apt-get install -y fonts-dejavu-core', " +
    'or point SKETCHBENCH_FONT_DIR at a folder holding DejaVuSans.ttf');
}
