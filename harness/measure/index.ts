/** The registry of measurements; suites name them. */
import type { Measurement } from './types.ts';
import { costMeasurement } from './cost.ts';
import { throughputMeasurement } from './throughput.ts';
import { programMeasurement } from './program.ts';
import { accuracyMeasurement } from './accuracy.ts';

export const MEASUREMENTS: Record<string, Measurement<any>> = {
  program: programMeasurement,
  cost: costMeasurement,
  throughput: throughputMeasurement,
  accuracy: accuracyMeasurement,
};

export type MetricGroup = keyof typeof MEASUREMENTS;
