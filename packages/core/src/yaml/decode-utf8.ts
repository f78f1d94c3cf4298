/** Bytes read as UTF-8 text, or the text before the first sequence that is not UTF-8 and that sequence's first byte. */
export type Utf8Decoding = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly textBefore: string; readonly byte: number };

/**
 * Decodes strictly (a leading byte order mark is dropped). On failure, finds where the bad bytes start: the longest
 * prefix that decodes as the start of a UTF-8 text, found by bisection since the decoder does not say where it failed.
 * Only a file already refused pays for the search.
 */
export function decodeUtf8(bytes: Uint8Array): Utf8Decoding {
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { ok: false, ...firstInvalidSequence(bytes) };
  }
}

function firstInvalidSequence(bytes: Uint8Array): { readonly textBefore: string; readonly byte: number } {
  let valid = 0;
  let invalid = bytes.length + 1;
  while (invalid - valid > 1) {
    const middle = Math.floor((valid + invalid) / 2);
    if (decodeStart(bytes, middle) === undefined) invalid = middle;
    else valid = middle;
  }
  // The longest good prefix may end inside a sequence the decoder still waits on: the bad sequence starts there.
  const textBefore = decodeStart(bytes, valid) ?? '';
  const start = new TextEncoder().encode(textBefore).length;
  return { textBefore: textBefore.replace(/^\uFEFF/u, ''), byte: bytes[start] ?? 0 };
}

/** The text of the first `end` bytes, less an unfinished sequence at their end; undefined if they are not UTF-8. */
function decodeStart(bytes: Uint8Array, end: number): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(0, end), { stream: true });
  } catch {
    return undefined;
  }
}
