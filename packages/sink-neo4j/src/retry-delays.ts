/** The first pause: short, since a deadlock or a lost connection usually clears at once. */
const FIRST_RETRY_DELAY_MS = 100;
/** The longest pause: a worker notices a restarted Neo4j at most this late. */
const MAX_RETRY_DELAY_MS = 1_000;

/**
 * The pauses between attempts of one call: doubling from 100 ms to 1 s, then every second, each shortened at random by
 * up to a fifth so that many workers waiting for the same Neo4j do not all knock at the same moment. Never ends; the
 * caller stops when its time is up.
 */
export function* retryDelays(random: () => number = Math.random): Generator<number, never, void> {
  for (let nominalMs = FIRST_RETRY_DELAY_MS; ; nominalMs = Math.min(nominalMs * 2, MAX_RETRY_DELAY_MS)) {
    yield Math.round(nominalMs * (1 - 0.2 * random()));
  }
}
