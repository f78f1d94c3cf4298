import { APIErrorCode, Client, isNotionClientError } from '@notionhq/client';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeNotionServer, type FakeNotionServer, type FakePropertyInput, type FakePropertySchema } from './index.js';

const servers: FakeNotionServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A fake database with the given properties besides its title, and the real client (its retries off) pointed at it. */
async function databaseWith(properties: Readonly<Record<string, FakePropertySchema>>) {
  const fake = await startFakeNotionServer({ rateLimit: false });
  servers.push(fake);
  const { dataSourceId } = fake.workspace.createDatabase({ title: 'Tasks', properties: { Name: { type: 'title' }, ...properties } });
  const client = new Client({ auth: fake.token, baseUrl: fake.url, retry: false, logger: () => {} });
  const addPage = (values: Readonly<Record<string, FakePropertyInput>> = {}) => fake.workspace.createPage(dataSourceId, { Name: 'page', ...values });
  return { fake, client, dataSourceId, addPage };
}

/** A page's property as `pages.retrieve` answers it, as plain JSON. */
async function retrievedProperty(client: Client, pageId: string, name: string): Promise<unknown> {
  const page = await client.pages.retrieve({ page_id: pageId });
  return 'properties' in page ? page.properties[name] : undefined;
}

describe('the fake Notion API’s property values, read with the real client', () => {
  it('answers a date with its start, end and time zone', async () => {
    const { client, addPage } = await databaseWith({ Due: { type: 'date' } });
    const pageId = addPage({ Due: { start: '2026-12-01', end: '2026-12-02' } });
    expect(await retrievedProperty(client, pageId, 'Due')).toMatchObject({
      type: 'date',
      date: { start: '2026-12-01', end: '2026-12-02', time_zone: null },
    });
  });

  it('answers people as user objects with their names', async () => {
    const { fake, client, addPage } = await databaseWith({ Assignee: { type: 'people' } });
    const pageId = addPage({ Assignee: [fake.workspace.person.id] });
    expect(await retrievedProperty(client, pageId, 'Assignee')).toMatchObject({
      type: 'people',
      people: [{ object: 'user', id: fake.workspace.person.id, name: 'Ada Lovelace', type: 'person' }],
    });
  });

  it('lists the first 25 related pages on a page and says there are more with has_more', async () => {
    const { client, addPage } = await databaseWith({ Related: { type: 'relation' } });
    const related = Array.from({ length: 30 }, () => addPage());
    const pageId = addPage({ Related: related });
    expect(await retrievedProperty(client, pageId, 'Related')).toMatchObject({
      type: 'relation',
      relation: related.slice(0, 25).map((id) => ({ id })),
      has_more: true,
    });
  });

  it('lists at most 25 people on a page', async () => {
    const { fake, client, addPage } = await databaseWith({ Watchers: { type: 'people' } });
    const people = Array.from({ length: 27 }, (_, index) => fake.workspace.addPerson(`Person ${index}`));
    const property = await retrievedProperty(client, addPage({ Watchers: people }), 'Watchers');
    expect(property).toMatchObject({ type: 'people', people: people.slice(0, 25).map((id) => ({ id })) });
  });

  it('pages through a whole relation with the property item endpoint', async () => {
    const { client, addPage } = await databaseWith({ Related: { type: 'relation' } });
    const related = Array.from({ length: 30 }, () => addPage());
    const pageId = addPage({ Related: related });
    const propertyId = (await retrievedProperty(client, pageId, 'Related')) as { id: string };
    const first = await client.pages.properties.retrieve({ page_id: pageId, property_id: propertyId.id, page_size: 20 });
    const second =
      first.object === 'list' && first.next_cursor !== null
        ? await client.pages.properties.retrieve({ page_id: pageId, property_id: propertyId.id, start_cursor: first.next_cursor })
        : undefined;
    const ids = [first, second].flatMap((answer) =>
      answer?.object === 'list' ? answer.results.flatMap((item) => (item.type === 'relation' ? [item.relation.id] : [])) : [],
    );
    expect({ ids, firstHasMore: first.object === 'list' && first.has_more, type: first.object === 'list' && first.property_item.type }).toEqual({
      ids: related,
      firstHasMore: true,
      type: 'relation',
    });
  });

  it('pages a title through the property item endpoint, one item per text object', async () => {
    const { client, addPage } = await databaseWith({});
    const pageId = addPage({ Name: 'x'.repeat(4500) });
    const answer = await client.pages.properties.retrieve({ page_id: pageId, property_id: 'title' });
    const lengths = answer.object === 'list' ? answer.results.map((item) => (item.type === 'title' ? item.title.plain_text.length : 0)) : [];
    expect(lengths).toEqual([2000, 2000, 500]);
  });

  it('refuses a property item cursor it did not give with a validation_error', async () => {
    const { client, addPage } = await databaseWith({ Related: { type: 'relation' } });
    const pageId = addPage({ Related: [addPage()] });
    const { id } = (await retrievedProperty(client, pageId, 'Related')) as { id: string };
    const error: unknown = await client.pages.properties
      .retrieve({ page_id: pageId, property_id: id, start_cursor: 'nonsense' })
      .catch((e: unknown) => e);
    expect(isNotionClientError(error) && error.code).toBe(APIErrorCode.ValidationError);
  });

  it('answers object_not_found for a property the page does not have', async () => {
    const { client, addPage } = await databaseWith({});
    const error: unknown = await client.pages.properties
      .retrieve({ page_id: addPage(), property_id: 'nope' })
      .catch((e: unknown) => e);
    expect(isNotionClientError(error) && error.code).toBe(APIErrorCode.ObjectNotFound);
  });

  it('answers a simple property through the property item endpoint as one property_item', async () => {
    const { client, addPage } = await databaseWith({ Points: { type: 'number' } });
    const pageId = addPage({ Points: 5 });
    const { id } = (await retrievedProperty(client, pageId, 'Points')) as { id: string };
    expect(await client.pages.properties.retrieve({ page_id: pageId, property_id: id })).toEqual({
      object: 'property_item',
      id,
      type: 'number',
      number: 5,
    });
  });

  it('answers a file uploaded to Notion with a signed URL that expires, and an external one as its link', async () => {
    const { client, addPage } = await databaseWith({ Files: { type: 'files' } });
    const pageId = addPage({
      Files: [
        { name: 'a.pdf', url: 'https://files.example/a.pdf', hosted: 'notion' },
        { name: 'b', url: 'https://b.example', hosted: 'external' },
      ],
    });
    expect(await retrievedProperty(client, pageId, 'Files')).toMatchObject({
      type: 'files',
      files: [
        { name: 'a.pdf', type: 'file', file: { url: expect.stringContaining('X-Amz-Signature'), expiry_time: expect.any(String) } },
        { name: 'b', type: 'external', external: { url: 'https://b.example' } },
      ],
    });
  });

  it('answers a formula with its result typed as Notion types it', async () => {
    const { client, addPage } = await databaseWith({ Score: { type: 'formula', expression: '1 + 1' } });
    expect(await retrievedProperty(client, addPage({ Score: 2 }), 'Score')).toMatchObject({
      type: 'formula',
      formula: { type: 'number', number: 2 },
    });
  });

  it('answers a rollup with its value and function', async () => {
    const { client, addPage } = await databaseWith({
      Related: { type: 'relation' },
      Count: { type: 'rollup', function: 'count', relation: 'Related' },
    });
    expect(await retrievedProperty(client, addPage({ Count: 3 }), 'Count')).toMatchObject({
      type: 'rollup',
      rollup: { type: 'number', number: 3, function: 'count' },
    });
  });

  it('numbers unique ids in creation order, with the configured prefix', async () => {
    const { client, addPage } = await databaseWith({ ID: { type: 'unique_id', prefix: 'TASK' } });
    addPage();
    expect(await retrievedProperty(client, addPage(), 'ID')).toMatchObject({ type: 'unique_id', unique_id: { prefix: 'TASK', number: 2 } });
  });

  it('answers a property of a type newer than the client as Notion would: its type name and its value', async () => {
    const { client, addPage } = await databaseWith({ Mood: { type: 'unreleased', apiType: 'sentiment', value: { score: 1 } } });
    expect(await retrievedProperty(client, addPage(), 'Mood')).toMatchObject({ type: 'sentiment', sentiment: { score: 1 } });
  });

  it('refuses to update a formula with a validation_error', async () => {
    const { client, addPage } = await databaseWith({ Score: { type: 'formula', expression: '1 + 1' } });
    const pageId = addPage();
    // The client's types rightly refuse this body, so it goes through the client's untyped request method.
    const error: unknown = await client
      .request({ path: `pages/${pageId}`, method: 'patch', body: { properties: { Score: { formula: { number: 3 } } } } })
      .catch((e: unknown) => e);
    expect(isNotionClientError(error) && error.code).toBe(APIErrorCode.ValidationError);
  });
});
