/**
 * A writer on a stream whose reader may go away: `kurultai run | head` ends with a broken pipe (EPIPE), which is how
 * such a pipeline stops, not a failure. Once the stream fails, writes are dropped and `onClosed` hears why, once, instead
 * of the stream's unhandled 'error' event crashing the process.
 */
export function readerClosableOutput(stream: NodeJS.WritableStream, onClosed: (error: Error) => void): (text: string) => void {
  let open = true;
  stream.on('error', (error: Error) => {
    if (!open) return;
    open = false;
    onClosed(error);
  });
  return (text) => {
    if (open) stream.write(text);
  };
}

/** Whether a stream failed because its reader went away (the end of a pipeline) rather than for a reason worth telling. */
export function isReaderGone(error: Error): boolean {
  const code = 'code' in error ? error.code : undefined;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}
