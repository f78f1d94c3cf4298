import type { CompiledCouncil } from '../router/compile-council.js';
import { councilFromText } from '../router/council-from-text.js';
import type { TaskInput } from '../task.js';

/** The agents of `sampleFallbackCouncil`. */
export type SampleAgentId = 'jochi' | 'temujin' | 'kublai';

/** How `sampleFallbackCouncil` is set up. */
export interface SampleFallbackOptions {
  /** The policy's `timeout_seconds`. */
  readonly timeoutSeconds: number;
  /** Each agent's `spawn:` settings (a `process` command, an OpenClaw `agentId`); none by default. */
  readonly spawn?: Partial<Readonly<Record<SampleAgentId, Readonly<Record<string, unknown>>>>>;
  /** The orchestrator's `max_concurrent`: how many questions it gets at once. */
  readonly orchestratorMaxConcurrent?: number;
}

/**
 * A council of three for tests of the rules' fallback policy: "test" scores 1 for Jochi (type `testing`), "build" 1 for
 * Temüjin (type `implementation`), and Kublai, the default agent and orchestrator, is asked below a confidence of 0.5.
 */
export function sampleFallbackCouncil(options: SampleFallbackOptions): CompiledCouncil {
  const agent = (id: SampleAgentId, name: string, role: string, extra = '') => {
    const spawn = options.spawn?.[id];
    return `  - { id: ${id}, name: ${name}, role: ${role}, instructions: Do it well.${spawn === undefined ? '' : `, spawn: ${JSON.stringify(spawn)}`}${extra} }`;
  };
  const limit = options.orchestratorMaxConcurrent === undefined ? '' : `, max_concurrent: ${options.orchestratorMaxConcurrent}`;
  const compiled = councilFromText({
    'agents.yaml': [
      'version: 1',
      'default_agent: kublai',
      'agents:',
      agent('jochi', 'Jochi', 'security and testing.'),
      agent('temujin', 'Temüjin', 'building.'),
      agent('kublai', 'Kublai', 'the orchestrator.', limit),
    ].join('\n'),
    'routing.yaml': `version: 1
fallback: { below: 0.5, ask: kublai, timeout_seconds: ${options.timeoutSeconds} }
rules:
  - { id: tests, agent: jochi, type: testing, keywords: [test] }
  - { id: build, agent: temujin, type: implementation, keywords: [build] }
`,
  });
  if (!compiled.ok) throw new Error(compiled.problems.map((problem) => problem.message).join('\n'));
  return compiled.council;
}

/**
 * A task `sampleFallbackCouncil` is unsure of: "build" and "test" tie, confidence 0.422, the rules' pick Temüjin.
 * `extra` is added to the title (a fake model's directive, say).
 */
export function sampleUnsureTask(id: string, extra = ''): TaskInput {
  return { id, title: `Build and test the login page ${extra}`.trim(), source: 'tasks' };
}
