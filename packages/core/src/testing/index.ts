// Conformance suites for plugin authors: each kind's suite runs against a harness the plugin's own tests provide.
export { describeSinkConformance, type SinkConformanceHarness, type SinkTestStore } from './sink-conformance.js';
export { sampleAssignment, sampleDecision, sampleMemory, sleepPast, waitFor } from './conformance-fixtures.js';
export { describeSpawnerConformance, sampleSpawnRequest, type SpawnerConformanceHarness } from './spawner-conformance.js';
export {
  describeSourceConformance,
  type SourceConformanceHarness,
  type SourceTaskDraft,
  type SourceUnderTest,
} from './source-conformance.js';
export { describeShippedOptionsSchema } from './shipped-options-schema.js';
export { sampleFallbackCouncil, sampleUnsureTask, type SampleAgentId, type SampleFallbackOptions } from './fallback-fixtures.js';
