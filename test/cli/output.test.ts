// Writing a rendered stream to stdout: everything arrives, in order, and a slow reader is waited
// for instead of the whole output piling up in the stream's buffer.
import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { writeChunks } from '../../src/cli/output.js'

describe('writeChunks', () => {
  it('waits for a slow reader to drain instead of buffering the whole output', async () => {
    const received: string[] = []
    let bufferedAtMost = 0
    const slow: Writable = new Writable({
      highWaterMark: 1024,
      write(chunk, _encoding, done) {
        bufferedAtMost = Math.max(bufferedAtMost, slow.writableLength)
        setTimeout(() => { received.push(chunk.toString()); done() }, 1)
      },
    })
    const lines = Array.from({ length: 200_000 }, (_, i) => `line ${i}\n`)
    await writeChunks(lines, slow)
    await new Promise<void>((resolve) => slow.end(resolve))
    expect(received.join('')).toBe(lines.join(''))
    // About 2.3 MB written; never more than one chunk (64 KiB) waiting at a time.
    expect(bufferedAtMost).toBeLessThanOrEqual(2 * 65536)
  })
})
