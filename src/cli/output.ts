// Writing a rendered report to stdout as it is produced: chunks are gathered to a few tens of
// kilobytes and written, waiting for the stream to drain when it asks to, so a large matrix never
// becomes one string.
import { once } from 'node:events'

const CHUNK = 1 << 16

export async function writeChunks(chunks: Iterable<string>, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  let pending = ''
  for (const chunk of chunks) {
    pending += chunk
    if (pending.length < CHUNK) continue
    const flushed = out.write(pending)
    pending = ''
    if (!flushed) await once(out, 'drain')
  }
  if (pending) out.write(pending)
}
