// Progress as CI sees it: stderr is not a terminal here, so listr2's plain renderer runs; every
// update must reach stderr as a line of its own (that renderer prints no title changes).
import { afterEach, describe, expect, it, vi } from 'vitest'
import { withProgress } from '../../src/cli/progress.js'

afterEach(() => { vi.restoreAllMocks() })

describe('progress without a terminal', () => {
  it('prints the task, each update as a line, and the task done, all on stderr', async () => {
    const written: string[] = []
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => { written.push(String(chunk)); return true })
    const stdout = vi.spyOn(process.stdout, 'write')
    const result = await withProgress('Probing NetworkPolicy enforcement', async (update) => {
      update('Read 40 pods and 20 policies')
      update('Probing: 3/40 sources, 120/1600 checks, round 1/2 (window 20 probe pods), ETA 12s')
      return 42
    }, false)
    expect(result).toBe(42)
    const lines = written.join('').split('\n').filter(Boolean)
    expect(lines.map((l) => l.slice(2))).toEqual([
      'Probing NetworkPolicy enforcement',
      'Read 40 pods and 20 policies',
      'Probing: 3/40 sources, 120/1600 checks, round 1/2 (window 20 probe pods), ETA 12s',
      'Probing NetworkPolicy enforcement',
    ])
    expect(stdout).not.toHaveBeenCalled()
  })
})
