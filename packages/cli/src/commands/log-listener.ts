import { formatProblem, type DispatcherListener, type Logger } from '@kurultai/core';

/**
 * The dispatcher's events as structured log lines: what `kurultai run` prints when it is not on a terminal (a service
 * manager, a container, a pipe). Outputs of agents are not logged, only their size: they can be long and private.
 */
export function logListener(logger: Logger): DispatcherListener {
  return {
    onTaskStatus(event) {
      const base = { taskId: event.taskId, agent: event.agent, attempt: event.attempt };
      switch (event.to) {
        case 'assigned': {
          const { type, score, margin, confidence, reason, rationale } = event.decision;
          return logger.info('task assigned', { ...base, title: event.title, type, score, margin, confidence, reason, ...(rationale === undefined ? {} : { rationale }) });
        }
        case 'in_progress':
          return logger.info('task started', { ...base, workerId: event.workerId });
        case 'completed':
          return logger.info('task completed', { ...base, durationMs: event.durationMs, outputChars: event.output.length });
        case 'retrying':
          return logger.warn('task retrying', { ...base, reason: event.reason, retryAt: event.retryAt.toISOString() });
        case 'failed':
          return logger.error('task failed', { ...base, error: event.error });
      }
    },
    onWriteBack(event) {
      const base = { source: event.source, taskId: event.update.taskId, kind: event.update.kind };
      if (event.outcome === 'delivered') logger.debug('write-back delivered', base);
      else logger.warn('write-back refused; it will be offered again', { ...base, error: event.error });
    },
    onCorrection(event) {
      const { taskId, from, to, by, moved } = event;
      logger.info(moved ? 'task reassigned' : 'correction recorded; the task stays', { taskId, from, to, by });
    },
    onWarning(event) {
      logger.warn(`${event.stage} set aside`, { taskId: event.taskId, reason: event.message });
    },
    onRulesReload(event) {
      if (event.outcome === 'applied') logger.info('rules reloaded', { agents: event.agents });
      else logger.error('rules edit rejected; the rules in force stay', { problems: event.problems.map(formatProblem) });
    },
    onFallback(event) {
      const base = { taskId: event.taskId, ask: event.ask, rulesAgent: event.rulesAgent, confidence: event.confidence };
      switch (event.outcome) {
        case 'chosen':
          return logger.info('orchestrator chose the agent', { ...base, agent: event.agent, durationMs: event.durationMs });
        case 'kept':
          return logger.warn("orchestrator's answer not used; the rules' decision stands", { ...base, cause: event.cause, error: event.error, durationMs: event.durationMs });
        case 'interrupted':
          return logger.info('orchestrator interrupted by shutdown; the task is read again on the next start', base);
      }
    },
    onError(event) {
      logger.error(`${event.stage} error`, { ...(event.taskId === undefined ? {} : { taskId: event.taskId }), error: event.error });
    },
  };
}
