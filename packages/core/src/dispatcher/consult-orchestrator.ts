import { describeError } from '../errors.js';
import { readRoutingAnswer } from '../prompt/routing-answer.js';
import { buildRoutingPrompt } from '../prompt/routing-prompt.js';
import type { AgentPersona, Council, FallbackPolicy } from '../router/council.js';
import type { Decision } from '../router/decision.js';
import { needsOrchestrator } from '../router/needs-orchestrator.js';
import { GENERAL_TYPE } from '../router/route-task.js';
import type { Assignment, Sink } from '../sink/contract.js';
import type { SpawnOutcome, Spawner } from '../spawner/contract.js';
import type { TaskInput } from '../task.js';
import type { Emit, FallbackCause, FallbackEvent } from './events.js';

/** Consultations in flight at once, per worker, when the orchestrator agent sets no `max_concurrent`. */
const DEFAULT_CONSULTATIONS = 2;

/** What consulting the orchestrator needs from the ingest stage. */
export interface ConsultContext {
  readonly sink: Sink;
  readonly spawner: Spawner;
  readonly emit: Emit;
  /** The dispatcher's shutdown: consultations stop, and their tasks are left for the next start to read again. */
  readonly signal: AbortSignal;
}

/** Routed tasks split by the council's fallback policy: decided by the rules, or to be put to the orchestrator. */
export interface ConfidenceSplit {
  readonly sure: readonly Assignment[];
  readonly unsure: readonly Assignment[];
}

/** What consulting answers: the assignments to record, and whether a shutdown left some tasks out of them. */
export interface Consultations {
  readonly settled: readonly Assignment[];
  readonly interrupted: boolean;
}

/** Splits routed tasks: those the rules decided with a confidence below the policy's `below` are unsure. */
export function splitByConfidence(assignments: readonly Assignment[], policy: FallbackPolicy | undefined): ConfidenceSplit {
  if (policy === undefined) return { sure: assignments, unsure: [] };
  const isUnsure = ({ decision }: Assignment) => needsOrchestrator(decision, policy);
  return { sure: assignments.filter((assignment) => !isUnsure(assignment)), unsure: assignments.filter(isUnsure) };
}

/**
 * Asks the council's orchestrator agent to choose the agent of each unsure task, through the spawner, at most the
 * orchestrator's `max_concurrent` at once (default 2). A task the ledger already holds is not asked about again (it
 * was decided when first read). A valid choice becomes the task's decision, with reason `orchestrator`; a timeout, a
 * failed run or an unusable answer leaves the rules' decision as it is. Each consultation is reported through
 * `onFallback`. A consultation cut short by shutdown leaves its task out of `settled`: unrecorded, it is read again on
 * the next start and asked about under the same idempotency key, so a backend that de-duplicates runs it once.
 */
export async function consultOrchestrator(unsure: readonly Assignment[], council: Council, context: ConsultContext): Promise<Consultations> {
  const orchestrator = council.agents.find((agent) => agent.id === council.fallback?.ask);
  if (council.fallback === undefined || orchestrator === undefined || unsure.length === 0) return { settled: unsure, interrupted: false };
  const consultation: Consultation = { council, policy: council.fallback, orchestrator, context };
  const results = new Array<Assignment | undefined>(unsure.length);
  let next = 0;
  const consultInTurn = async (): Promise<void> => {
    for (let index = next++; index < unsure.length; index = next++) results[index] = await settle(unsure[index] as Assignment, consultation);
  };
  const width = Math.min(orchestrator.maxConcurrent ?? DEFAULT_CONSULTATIONS, unsure.length);
  await Promise.all(Array.from({ length: width }, consultInTurn));
  const settled = results.filter((result) => result !== undefined);
  return { settled, interrupted: settled.length < unsure.length };
}

/** One batch's consultations share these. */
interface Consultation {
  readonly council: Council;
  readonly policy: FallbackPolicy;
  readonly orchestrator: AgentPersona;
  readonly context: ConsultContext;
}

/** What the orchestrator's run brought back. */
type Reply =
  | { readonly kind: 'answer'; readonly text: string }
  | { readonly kind: 'failed'; readonly cause: Exclude<FallbackCause, 'invalid-answer'>; readonly error: string }
  | { readonly kind: 'interrupted' };

/** The assignment to record for one unsure task, or undefined when shutdown came first. */
async function settle(assignment: Assignment, consultation: Consultation): Promise<Assignment | undefined> {
  const { context, council, policy } = consultation;
  if (context.signal.aborted) return undefined;
  if ((await context.sink.getTask(assignment.task.id)) !== undefined) return assignment;
  const { task, decision } = assignment;
  const base = { taskId: task.id, ask: policy.ask, rulesAgent: decision.agent, confidence: decision.confidence };
  const report = (event: FallbackEvent) => context.emit('onFallback', event);
  const startedAt = Date.now();
  const reply = await askOrchestrator(task, consultation);
  const durationMs = Date.now() - startedAt;
  if (reply.kind === 'interrupted') {
    report({ ...base, outcome: 'interrupted' });
    return undefined;
  }
  if (reply.kind === 'failed') {
    report({ ...base, outcome: 'kept', cause: reply.cause, error: reply.error, durationMs });
    return assignment;
  }
  const answer = readRoutingAnswer(reply.text, council.agents.map((agent) => agent.id));
  if (!answer.ok) {
    report({ ...base, outcome: 'kept', cause: 'invalid-answer', error: answer.problem, durationMs });
    return assignment;
  }
  report({ ...base, outcome: 'chosen', agent: answer.agent, durationMs });
  return { task, decision: orchestratorDecision(decision, answer) };
}

/**
 * Runs the routing prompt on the orchestrator with the policy's timeout. The run is raced against its deadline and the
 * shutdown, so a spawner that ignores its signal cannot hold the ingest stage past either.
 */
async function askOrchestrator(task: TaskInput, { council, policy, orchestrator, context }: Consultation): Promise<Reply> {
  const deadline = AbortSignal.timeout(policy.timeoutMs);
  const signal = AbortSignal.any([context.signal, deadline]);
  const stopped = new Promise<undefined>((resolve) => signal.addEventListener('abort', () => resolve(undefined), { once: true }));
  const run = (async (): Promise<SpawnOutcome> => {
    try {
      return await context.spawner.spawn({
        taskId: task.id,
        attempt: 1,
        idempotencyKey: `${task.id}:route`,
        purpose: 'route',
        agent: { id: orchestrator.id, name: orchestrator.name, spawn: orchestrator.spawn },
        prompt: buildRoutingPrompt(orchestrator, council.agents, task),
        timeoutMs: policy.timeoutMs,
        signal,
      });
    } catch (error) {
      return { ok: false, error: { code: 'internal', message: describeError(error), retryable: true } };
    }
  })();
  const outcome = await Promise.race([run, stopped]);
  if (outcome?.ok === true) return { kind: 'answer', text: outcome.output };
  if (context.signal.aborted) return { kind: 'interrupted' };
  if (outcome === undefined || outcome.error.code === 'timeout') return { kind: 'failed', cause: 'timeout', error: `no answer within ${policy.timeoutMs / 1000}s` };
  return { kind: 'failed', cause: 'spawn-failed', error: `${outcome.error.code}: ${outcome.error.message}` };
}

/**
 * The orchestrator's choice as the task's decision: its agent and rationale, reason `orchestrator`. The rules' scores,
 * hits, score, margin and confidence are kept as they were, to explain what the rules thought; the type is the one
 * the chosen agent's strongest rule that fired gives, else `general`.
 */
function orchestratorDecision(rules: Decision, choice: { readonly agent: string; readonly rationale: string }): Decision {
  const typed = rules.matched.find((hit) => hit.agent === choice.agent && hit.condition && hit.type !== undefined);
  return { ...rules, agent: choice.agent, type: typed?.type ?? GENERAL_TYPE, reason: 'orchestrator', rationale: choice.rationale };
}
