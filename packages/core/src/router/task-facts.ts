import type { Priority, TaskInput } from '../task.js';
import type { FactName } from './schema.js';

/**
 * The facts a task offers `when` conditions. Every fact is always defined (json-rules-engine refuses undefined facts by
 * default): a missing description is "", a missing priority "normal", missing tags [], missing properties {}.
 */
export type TaskFacts = { readonly [Name in FactName]: FactValues[Name] };

interface FactValues {
  title: string;
  description: string;
  priority: Priority;
  tags: readonly string[];
  source: string;
  properties: Readonly<Record<string, unknown>>;
}

export function taskFacts(task: TaskInput): TaskFacts {
  return {
    title: task.title,
    description: task.description ?? '',
    priority: task.priority ?? 'normal',
    tags: task.tags ?? [],
    source: task.source,
    properties: task.properties ?? {},
  };
}
