/**
 * Paper style shared by every figure. A single-column figure is about 3.3 in wide; we
 * draw at 320 px and scale to 3.3 in, so an 11 px font prints at about 8 pt, the smallest
 * size most venues accept.
 */
export const FIGURE_WIDTH_IN = 3.3;
export const FIGURE_WIDTH_PX = 320;
export const PNG_DPI = 300;
export const FONT_FAMILY = 'DejaVu Sans';

/** Plot area size; Vega-Lite adds axes and titles around it, so total width stays near 320 px. */
export const PLOT_WIDTH = 250;
export const PLOT_HEIGHT = 150;

export const VL_CONFIG = {
  font: FONT_FAMILY,
  background: 'white',
  padding: 4,
  view: { stroke: null },
  axis: { labelFontSize: 10, titleFontSize: 11, titleFontWeight: 'normal', grid: true, gridColor: '#e6e6e6', tickColor: '#888', domainColor: '#888' },
  axisX: { labelAngle: -35 },
  legend: { labelFontSize: 10, titleFontSize: 10, titleFontWeight: 'normal', symbolSize: 50, orient: 'bottom', columns: 2 },
  title: { fontSize: 11, fontWeight: 'normal', anchor: 'start' },
  text: { fontSize: 9 },
} as const;
