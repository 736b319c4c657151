import type { Comparison } from '../compare.ts';

/** One output format of a comparison. Add a format by adding a module and listing it in index.ts. */
export interface Exporter {
  id: string;
  /** The file's text. */
  render(c: Comparison): string;
}
