/**
 * One fixed colour per variant across every figure, keyed by name, so a reader who learns
 * "nitro-unrolled is green" in one figure can rely on it in all. Known variants get
 * Okabe-Ito colours (safe for colour-blind readers and in greyscale print); unknown names
 * get a colour from a hash of the name, so they too are stable between reports.
 */
export const VARIANT_COLOURS: Record<string, string> = {
  'baseline-drop': '#9e9e9e',
  'baseline-parse': '#5f5f5f',
  countmin: '#E69F00',
  countsketch: '#56B4E9',
  univmon: '#8C6D1F',
  'nitro-naive': '#CC79A7',
  'nitro-geo': '#D55E00',
  'nitro-fasthash': '#0072B2',
  'nitro-sliced': '#009E73',
  'nitro-sample-first': '#F0E442',
  'nitro-final': '#000000',
  'nitro-shared': '#8DA0CB',
  // This project's two beyond conf6: a hue none of the ladder has, so the p sweep's three
  // programs (naive, final, nitro-packet) never look alike, as a hashed colour did.
  'nitro-lean': '#76b7b2',
  'nitro-packet': '#6a3d9a',
  // Names of earlier versions, kept so old results keep their colours.
  'nitro-percpu': '#0072B2',
  'nitro-unrolled': '#009E73',
};

// Tableau 10 minus the hues already used above, for variants this file does not know.
const FALLBACK = ['#4e79a7', '#f28e2b', '#e15759', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

export function variantColour(variant: string): string {
  return VARIANT_COLOURS[variant] ?? FALLBACK[hash(variant) % FALLBACK.length];
}

/** A Vega-Lite colour scale that maps exactly these variants to their fixed colours. */
export function colourScale(variants: string[]): { domain: string[]; range: string[] } {
  return { domain: variants, range: variants.map(variantColour) };
}

/** Order variants for display: baselines, classic sketches, then the nitro drill-down, then the rest. */
const ORDER = Object.keys(VARIANT_COLOURS);
export function sortVariants(variants: Iterable<string>): string[] {
  // An A/B run's base build (name@base) sorts next to its variant.
  const rank = (v: string) => {
    const name = v.replace(/@base$/, '');
    return ORDER.includes(name) ? ORDER.indexOf(name) : ORDER.length;
  };
  return [...new Set(variants)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}
