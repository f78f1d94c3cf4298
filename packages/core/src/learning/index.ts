export { calibrationReport, fitTemperature, type CalibrationBin, type CalibrationReport, type ScoredExample } from './calibration.js';
export { evaluateRouting, type AgentScore, type RoutingEvaluation, type RoutingMiss } from './evaluate-routing.js';
export { fitRouting, type FitRequest, type FitResult } from './fit-routing.js';
export { loadLabelledSet, selectSplit, type LabelledExample, type LabelledSet } from './labelled-examples.js';
