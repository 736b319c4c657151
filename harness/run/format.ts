/** A measured value with its unit, as progress lines and summaries show it. */
export function formatValue(v: number, unit: string): string {
  if (unit === 'packets/s') return `${(v / 1e6).toFixed(3)} Mpps`;
  if (unit === 'ns/packet') return `${v.toFixed(2)} ns/packet`;
  if (unit === 'ratio') return v.toFixed(4);
  return `${Number.isInteger(v) ? v : v.toFixed(3)} ${unit}`;
}
