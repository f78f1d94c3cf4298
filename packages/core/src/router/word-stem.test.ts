import { describe, expect, it } from 'vitest';
import { stemWord } from './word-stem.js';

describe('stemWord', () => {
  it.each([
    ['writing', 'write'],
    ['wrote', 'write'],
    ['written', 'write'],
    ['built', 'build'],
    ['coding', 'code'],
    ['monitoring', 'monitor'],
    ['logging', 'log'],
    ['scheduled', 'schedule'],
    ['updated', 'update'],
    ['prioritise', 'prioritize'],
    ['organisation', 'organization'],
  ])('gives "%s" the stem of "%s"', (inflected, base) => {
    expect(stemWord(inflected)).toBe(stemWord(base));
  });

  it.each([
    ['latest', 'test'],
    ['contest', 'test'],
    ['decode', 'code'],
    ['status', 'stat'],
    ['documentation', 'document'],
  ])('keeps "%s" apart from "%s"', (word, other) => {
    expect(stemWord(word)).not.toBe(stemWord(other));
  });

  it('leaves words of three letters or fewer as they are', () => {
    expect(['ops', 'ci', 'bug', 'ran'].map(stemWord)).toEqual(['ops', 'ci', 'bug', 'run']);
  });
});
