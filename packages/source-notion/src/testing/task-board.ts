import type { FakeNotionWorkspace, FakePropertySchema } from './fake-notion-workspace.js';

/** The statuses of a task board as Notion's template sets them up, plus the one Kurultai writes on failure. */
export const TASK_BOARD_STATUSES = ['Not started', 'In Progress', 'Done', 'Blocked'] as const;

/** The properties of a task board that the Notion source reads with its default options (plus description, priority, tags). */
export const TASK_BOARD_PROPERTIES: Readonly<Record<string, FakePropertySchema>> = {
  Name: { type: 'title' },
  Status: { type: 'status', options: TASK_BOARD_STATUSES },
  Priority: { type: 'select', options: ['Urgent', 'High', 'Medium', 'Low'] },
  Tags: { type: 'multi_select', options: ['backend', 'frontend', 'docs', 'research'] },
  Description: { type: 'rich_text' },
};

/** Creates a task board in the fake workspace: a database with the properties above. */
export function createTaskBoard(
  workspace: FakeNotionWorkspace,
  properties: Readonly<Record<string, FakePropertySchema>> = TASK_BOARD_PROPERTIES,
): { readonly databaseId: string; readonly dataSourceId: string } {
  return workspace.createDatabase({ title: 'Tasks', properties });
}
