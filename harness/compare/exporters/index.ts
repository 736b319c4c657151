export type { Exporter } from './exporter.ts';
export { markdownExporter } from './markdown.ts';
export { gabSmallerExporter, gabBiggerExporter } from './github-action-benchmark.ts';
export { bencherExporter } from './bencher.ts';
