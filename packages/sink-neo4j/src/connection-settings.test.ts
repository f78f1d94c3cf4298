import { describe, expect, it } from 'vitest';
import { displayUri, neo4jSinkOptionsSchema, resolveConnectionSettings } from './connection-settings.js';

describe('connection settings', () => {
  it('takes each setting from the config before the environment', () => {
    const env = { NEO4J_URI: 'bolt://env:7687', NEO4J_USERNAME: 'env-user', NEO4J_PASSWORD: 'env-secret', NEO4J_DATABASE: 'envdb' };

    const settings = resolveConnectionSettings({ uri: 'neo4j://config:7687', username: 'config-user', password: 'config-secret' }, env);

    expect(settings).toEqual({
      uri: 'neo4j://config:7687',
      auth: { kind: 'basic', username: 'config-user', password: 'config-secret' },
      database: 'envdb',
    });
  });

  it('connects without authentication when no username is given anywhere', () => {
    expect(resolveConnectionSettings({}, { NEO4J_URI: 'bolt://localhost:7687', NEO4J_PASSWORD: 'unused' })).toEqual({
      uri: 'bolt://localhost:7687',
      auth: { kind: 'none' },
      database: undefined,
    });
  });

  it('reports a missing URI rather than guessing one', () => {
    expect(resolveConnectionSettings({}, { NEO4J_URI: '' })).toEqual({ missing: 'uri' });
  });

  it('drops credentials written into a URI before it is shown', () => {
    expect(displayUri('neo4j+s://user:secret@db.example.com:7687')).toBe('neo4j+s://db.example.com:7687');
  });

  it('shows no part of a password that holds an unescaped @, / or #', () => {
    expect(displayUri('bolt://user:p@ss/w#rd@db.example.com:7687')).toBe('bolt://db.example.com:7687');
  });

  it('takes credentials written into the URI out of it and logs in with them, percent-decoded', () => {
    expect(resolveConnectionSettings({ uri: 'bolt://kurultai:s%40cret%25@db:7687' }, {})).toEqual({
      uri: 'bolt://db:7687',
      auth: { kind: 'basic', username: 'kurultai', password: 's@cret%' },
      database: undefined,
    });
  });

  it('ranks credentials in the URI after the config and before the environment', () => {
    const env = { NEO4J_URI: 'bolt://uri-user:uri-secret@db:7687', NEO4J_USERNAME: 'env-user', NEO4J_PASSWORD: 'env-secret' };

    expect(resolveConnectionSettings({}, env)).toMatchObject({ auth: { username: 'uri-user', password: 'uri-secret' } });
    expect(resolveConnectionSettings({ username: 'config-user', password: 'config-secret' }, env)).toMatchObject({
      auth: { username: 'config-user', password: 'config-secret' },
    });
  });

  it('takes the password from the environment when the URI names only the user', () => {
    expect(resolveConnectionSettings({}, { NEO4J_URI: 'bolt://kurultai@db:7687', NEO4J_PASSWORD: 'env-secret' })).toMatchObject({
      uri: 'bolt://db:7687',
      auth: { kind: 'basic', username: 'kurultai', password: 'env-secret' },
    });
  });

  it('rejects an option it does not know, so a misspelt setting is not silently ignored', () => {
    const parsed = neo4jSinkOptionsSchema.safeParse({ url: 'bolt://localhost:7687' });

    expect(parsed.success).toBe(false);
  });
});
