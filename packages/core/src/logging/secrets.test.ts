import { describe, expect, it } from 'vitest';
import { Secrets } from './secrets.js';

describe('Secrets', () => {
  it('masks every occurrence of a registered value in a text', () => {
    const secrets = new Secrets();
    secrets.add('ntn_s3cr3t');
    expect(secrets.redact('token ntn_s3cr3t, again ntn_s3cr3t')).toBe('token [redacted], again [redacted]');
  });

  it('masks a secret containing another secret whole', () => {
    const secrets = new Secrets();
    secrets.add('abcd');
    secrets.add('xxabcdxx');
    expect(secrets.redact('see xxabcdxx')).toBe('see [redacted]');
  });

  it('leaves values too short to be told from ordinary text alone', () => {
    const secrets = new Secrets();
    secrets.add('3');
    expect(secrets.redact('limit 3')).toBe('limit 3');
    expect(secrets.size).toBe(0);
  });

  it('redacts strings nested in objects, arrays and errors', () => {
    const secrets = new Secrets();
    secrets.add('hunter22');
    const redacted = secrets.redactValue({ a: ['x hunter22'], b: { c: new Error('bad hunter22') }, n: 4 });
    expect(redacted).toEqual({ a: ['x [redacted]'], b: { c: 'bad [redacted]' }, n: 4 });
  });
});
