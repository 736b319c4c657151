/** The figures of a report, in the order they appear. Add a module here to add a figure. */
import type { FigureModule } from './figure.ts';
import { throughputFigure } from './throughput.ts';
import { costFigure } from './cost.ts';
import { drilldownFigure } from './drilldown.ts';
import { accuracyMemoryFigure } from './accuracy-memory.ts';
import { hhF1Figure } from './hh-f1.ts';
import { univmonMemoryFigure } from './univmon-memory.ts';
import { sweepFigure } from './sweep.ts';
import { sweepRatiosFigure } from './sweep-ratios.ts';
import { ratiosFigure } from './ratios.ts';
import { microFigure } from './micro.ts';

export const FIGURES: FigureModule[] = [ratiosFigure, throughputFigure, costFigure, drilldownFigure, accuracyMemoryFigure, univmonMemoryFigure, hhF1Figure, sweepRatiosFigure, sweepFigure, microFigure];
export type { FigureModule, FigureSpec } from './figure.ts';
