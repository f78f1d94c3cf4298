import { describe, expect, it } from 'vitest';
import { retryDelays } from './retry-delays.js';

function first(count: number, random: () => number): number[] {
  const delays = retryDelays(random);
  return Array.from({ length: count }, () => delays.next().value);
}

describe('retry delays', () => {
  it('doubles from 100 ms and then waits a second between attempts for as long as Neo4j stays away', () => {
    expect(first(8, () => 0)).toEqual([100, 200, 400, 800, 1_000, 1_000, 1_000, 1_000]);
  });

  it('shortens each pause at random by up to a fifth, so waiting workers spread out, and never lengthens one', () => {
    expect(first(6, () => 0.999_999)).toEqual([80, 160, 320, 640, 800, 800]);
  });
});
