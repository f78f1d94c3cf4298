import { compileCondition, conditionSchema, taskFacts } from '@kurultai/core';
import { describe, expect, it } from 'vitest';
import { boardFixture, readAll, tasksOf, type BoardFixture } from './notion-source.fixture.js';
import type { FakePropertyInput, FakePropertySchema } from './testing/index.js';

/** A board with one more property, one task page with a value in it, and the task the source reads from that page. */
async function readWith(name: string, schema: FakePropertySchema, value?: FakePropertyInput) {
  const board = await boardFixture({}, { [name]: schema });
  const pageId = board.addTask('task', value === undefined ? {} : { [name]: value });
  const [task] = tasksOf(await readAll(await board.source()));
  return { board, pageId, properties: task?.properties ?? {} };
}

/** Adds pages to relate to, as a person does. */
function relatedPages(board: BoardFixture, count: number): string[] {
  return Array.from({ length: count }, (_, index) => board.fake.workspace.createPage(board.dataSourceId, { Name: `page ${index}`, Status: 'Done' }));
}

function warningsAbout(board: BoardFixture, property: string) {
  return board.lines.filter((line) => line.level === 'warn' && line.fields?.['property'] === property);
}

describe('reading Notion properties into a task’s properties', () => {
  interface Reading {
    readonly name: string;
    readonly schema: FakePropertySchema;
    readonly typed: FakePropertyInput;
    readonly key: string;
    readonly expected: unknown;
  }
  const paris = { start: '2026-12-01T09:00:00.000+01:00', end: '2026-12-03T17:00:00.000+01:00', timeZone: 'Europe/Paris' };
  it.each<Reading>([
    { name: 'Notes', schema: { type: 'rich_text' }, typed: 'call back 🙂', key: 'notes', expected: 'call back 🙂' },
    { name: 'Estimate', schema: { type: 'number' }, typed: 3.5, key: 'estimate', expected: 3.5 },
    { name: 'Blocking', schema: { type: 'checkbox' }, typed: true, key: 'blocking', expected: true },
    { name: 'Spec', schema: { type: 'url' }, typed: 'https://example.com/spec', key: 'spec', expected: 'https://example.com/spec' },
    { name: 'Contact', schema: { type: 'email' }, typed: 'ops@example.com', key: 'contact', expected: 'ops@example.com' },
    { name: 'Phone', schema: { type: 'phone_number' }, typed: '+1 555 0100', key: 'phone', expected: '+1 555 0100' },
    { name: 'Team', schema: { type: 'select', options: ['Platform'] }, typed: 'Platform', key: 'team', expected: 'Platform' },
    { name: 'Stage', schema: { type: 'status', options: ['Draft', 'Ready'] }, typed: 'Ready', key: 'stage', expected: 'Ready' },
    { name: 'Labels', schema: { type: 'multi_select', options: ['a', 'b'] }, typed: ['a', 'b'], key: 'labels', expected: ['a', 'b'] },
    {
      name: 'Due date',
      schema: { type: 'date' },
      typed: { start: '2026-12-01' },
      key: 'dueDate',
      expected: { start: '2026-12-01', end: null, timeZone: null },
    },
    { name: 'Window', schema: { type: 'date' }, typed: paris, key: 'window', expected: paris },
    { name: 'Score', schema: { type: 'formula', expression: 'prop("Estimate") * 2' }, typed: 7, key: 'score', expected: 7 },
    { name: 'Late', schema: { type: 'formula', expression: 'now() > prop("Due")' }, typed: false, key: 'late', expected: false },
    {
      name: 'Next review',
      schema: { type: 'formula', expression: 'dateAdd(now(), 7, "days")' },
      typed: { start: '2026-12-08' },
      key: 'nextReview',
      expected: { start: '2026-12-08', end: null, timeZone: null },
    },
    { name: 'Subtasks', schema: { type: 'rollup', function: 'count', relation: 'Parent' }, typed: 4, key: 'subtasks', expected: 4 },
    {
      name: 'Subtask names',
      schema: { type: 'rollup', function: 'show_original', relation: 'Parent' },
      typed: ['Spec', 'Review'],
      key: 'subtaskNames',
      expected: ['Spec', 'Review'],
    },
    { name: 'Reviewed', schema: { type: 'verification' }, typed: 'verified', key: 'reviewed', expected: 'verified' },
    {
      name: 'Site',
      schema: { type: 'place' },
      typed: { lat: 47.9, lon: 106.9, name: 'Ulaanbaatar' },
      key: 'site',
      expected: { name: 'Ulaanbaatar', lat: 47.9, lon: 106.9 },
    },
  ])('reads the $schema.type property $name under properties.$key', async ({ name, schema, typed, key, expected }) => {
    const { properties } = await readWith(name, schema, typed);
    expect(properties[key]).toEqual(expected);
  });

  it('reads an empty date, select or number as null', async () => {
    const board = await boardFixture({}, { Due: { type: 'date' }, Team: { type: 'select', options: ['Platform'] }, Points: { type: 'number' } });
    board.addTask('task');
    const [task] = tasksOf(await readAll(await board.source()));
    expect(task?.properties).toMatchObject({ due: null, team: null, points: null });
  });

  it('reads people as their ids and names', async () => {
    const board = await boardFixture({}, { Assignee: { type: 'people' } });
    const grace = board.fake.workspace.addPerson('Grace Hopper');
    board.addTask('task', { Assignee: [board.fake.workspace.person.id, grace] });
    const [task] = tasksOf(await readAll(await board.source()));
    expect(task?.properties?.['assignee']).toEqual({
      ids: [board.fake.workspace.person.id, grace],
      names: ['Ada Lovelace', 'Grace Hopper'],
    });
  });

  it('reads people as ids alone when the integration may not read user information', async () => {
    const board = await boardFixture({ readUserInformation: false }, { Assignee: { type: 'people' } });
    board.addTask('task', { Assignee: [board.fake.workspace.person.id] });
    const [task] = tasksOf(await readAll(await board.source()));
    expect(task?.properties?.['assignee']).toEqual({ ids: [board.fake.workspace.person.id], names: [] });
  });

  it('reads a relation as the related pages’ ids', async () => {
    const board = await boardFixture({}, { Related: { type: 'relation' } });
    const related = relatedPages(board, 2);
    board.addTask('task', { Related: related });
    const [task] = tasksOf(await readAll(await board.source()));
    expect(task?.properties?.['related']).toEqual(related);
  });

  it('reads every related page past the 25 a page object lists, through the property item endpoint', async () => {
    const board = await boardFixture({}, { Related: { type: 'relation' } });
    const related = relatedPages(board, 130);
    board.addTask('task', { Related: related });
    const [task] = tasksOf(await readAll(await board.source()));
    expect({ related: task?.properties?.['related'], requests: board.fake.count('pages.properties.retrieve') }).toEqual({
      related,
      requests: 2,
    });
  });

  it('reads every person past the 25 a page object lists, through the property item endpoint', async () => {
    const board = await boardFixture({}, { Watchers: { type: 'people' } });
    const watchers = Array.from({ length: 30 }, (_, index) => board.fake.workspace.addPerson(`Watcher ${index}`));
    board.addTask('task', { Watchers: watchers });
    const [task] = tasksOf(await readAll(await board.source()));
    expect(task?.properties?.['watchers']).toMatchObject({ ids: watchers, names: watchers.map((_, index) => `Watcher ${index}`) });
  });

  it('keeps the 25 related pages the page listed, with a warning, when Notion no longer finds the relation', async () => {
    const board = await boardFixture({}, { Related: { type: 'relation' } });
    const related = relatedPages(board, 30);
    board.addTask('task', { Related: related });
    board.fake.inject({ type: 'not_found' }, { endpoint: 'pages.properties.retrieve' });
    const [task] = tasksOf(await readAll(await board.source()));
    expect({ related: task?.properties?.['related'], warnings: warningsAbout(board, 'Related').length }).toEqual({
      related: related.slice(0, 25),
      warnings: 1,
    });
  });

  it('spends no request on relations Notion listed whole', async () => {
    const board = await boardFixture({}, { Related: { type: 'relation' } });
    board.addTask('task', { Related: relatedPages(board, 25) });
    await readAll(await board.source());
    expect(board.fake.count('pages.properties.retrieve')).toBe(0);
  });

  it('reads files as their names only, never the signed URLs Notion hands out for uploads', async () => {
    const { properties } = await readWith('Attachments', { type: 'files' }, [
      { name: 'design.pdf', url: 'https://files.notion.example/design.pdf', hosted: 'notion' },
      { name: 'Figma', url: 'https://figma.example/board', hosted: 'external' },
    ]);
    expect({ attachments: properties['attachments'], anyUrl: JSON.stringify(properties).includes('Signature') }).toEqual({
      attachments: ['design.pdf', 'Figma'],
      anyUrl: false,
    });
  });

  it('reads the page’s times, authors and unique id from the properties Notion computes', async () => {
    const board = await boardFixture(
      {},
      {
        Created: { type: 'created_time' },
        Edited: { type: 'last_edited_time' },
        'Created by': { type: 'created_by' },
        'Edited by': { type: 'last_edited_by' },
        'Task ID': { type: 'unique_id', prefix: 'TASK' },
      },
    );
    const pageId = board.addTask('task');
    const page = board.fake.workspace.page(pageId);
    const [task] = tasksOf(await readAll(await board.source()));
    const person = { id: board.fake.workspace.person.id, name: 'Ada Lovelace' };
    expect(task?.properties).toMatchObject({
      created: page.created_time,
      edited: page.last_edited_time,
      createdBy: person,
      editedBy: person,
      taskId: { prefix: 'TASK', number: 1 },
    });
  });

  it('leaves buttons out without a word: they hold no value', async () => {
    const { board, properties } = await readWith('Start', { type: 'button' });
    expect({ start: properties['start'], warnings: warningsAbout(board, 'Start').length }).toEqual({ start: undefined, warnings: 0 });
  });

  it('keeps syncing past a property of a type Notion added after this source, leaving it out with one warning', async () => {
    const board = await boardFixture({}, { Mood: { type: 'unreleased', apiType: 'sentiment', value: { score: 0.8 } } });
    board.addTask('first');
    board.addTask('second');
    const tasks = tasksOf(await readAll(await board.source()));
    expect({
      titles: tasks.map((task) => task.title).sort(),
      mood: tasks.map((task) => task.properties?.['mood']),
      warnings: warningsAbout(board, 'Mood').map((line) => line.fields?.['reason']),
    }).toEqual({
      titles: ['first', 'second'],
      mood: [undefined, undefined],
      warnings: ['its type "sentiment" is unknown to this source'],
    });
  });

  it('leaves out, with a warning, a property whose key is one of the source’s own fields', async () => {
    const { board, properties } = await readWith('URL', { type: 'url' }, 'https://example.com/elsewhere');
    expect({ url: properties['url'], warnings: warningsAbout(board, 'URL').length }).toEqual({
      url: expect.stringContaining('notion.so'),
      warnings: 1,
    });
  });

  it('does not repeat the mapped properties, which the task’s own fields carry, and says nothing about them', async () => {
    const board = await boardFixture();
    board.addTask('task', { Priority: 'High', Tags: ['docs'], Description: 'text' });
    const [task] = tasksOf(await readAll(await board.source()));
    expect({ properties: Object.keys(task?.properties ?? {}).sort(), warnings: board.lines.filter((line) => line.level === 'warn') }).toEqual({
      properties: ['createdTime', 'lastEditedTime', 'priority', 'status', 'url'],
      warnings: [],
    });
  });

  it('reads a priority property the config does not map under priority, like any other property', async () => {
    const board = await boardFixture();
    board.addTask('task', { Priority: 'High' });
    const [task] = tasksOf(await readAll(await board.source({ properties: { title: 'Name', status: 'Status' } })));
    expect({ priority: task?.properties?.['priority'], warnings: board.lines.filter((line) => line.level === 'warn') }).toEqual({
      priority: 'High',
      warnings: [],
    });
  });

  it('leaves out, with a warning, the second of two properties whose names make the same key', async () => {
    const board = await boardFixture({}, { 'Due date': { type: 'date' }, 'due-date': { type: 'rich_text' } });
    board.addTask('task', { 'Due date': { start: '2026-12-01' }, 'due-date': 'tomorrow' });
    const [task] = tasksOf(await readAll(await board.source()));
    expect({ dueDate: task?.properties?.['dueDate'], warned: warningsAbout(board, 'due-date').length }).toEqual({
      dueDate: { start: '2026-12-01', end: null, timeZone: null },
      warned: 1,
    });
  });

  describe('as rules’ when conditions read them', () => {
    it.each([
      ['a select, as routing.yaml’s platform-team rule does', { path: '$.team', operator: 'equal', value: 'Platform' }],
      ['a date’s start', { path: '$.dueDate.start', operator: 'equal', value: '2026-12-01' }],
      ['a person by name', { path: '$.assignee.names', operator: 'contains', value: 'Ada Lovelace' }],
      ['a number', { path: '$.estimate', operator: 'greaterThan', value: 2 }],
    ])('lets a condition test %s', async (_, comparison) => {
      const board = await boardFixture(
        {},
        {
          Team: { type: 'select', options: ['Platform'] },
          'Due date': { type: 'date' },
          Assignee: { type: 'people' },
          Estimate: { type: 'number' },
        },
      );
      board.addTask('task', {
        Team: 'Platform',
        'Due date': { start: '2026-12-01' },
        Assignee: [board.fake.workspace.person.id],
        Estimate: 3,
      });
      const [task] = tasksOf(await readAll(await board.source()));
      const condition = compileCondition(conditionSchema.parse({ fact: 'properties', ...comparison }));
      expect(task !== undefined && condition(taskFacts(task))).toBe(true);
    });
  });
});
