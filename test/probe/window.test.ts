import { describe, expect, it } from 'vitest'
import { defaultWindow, MAX_DEFAULT_WINDOW, roundsFor, slotsToFill, throughWindow, type NodeCapacity } from '../../src/probe/window.js'

const node = (allocatablePods: number, pods: number, schedulable = true, name = 'n'): NodeCapacity => ({ name, allocatablePods, pods, schedulable })

describe('the default probe-pod window', () => {
  it('takes half the free pod slots of schedulable nodes, leaving the other half to the workloads', () => {
    expect(defaultWindow([node(110, 100)])).toEqual({ size: 5, freeSlots: 10 })
  })

  it('is capped, however much room there is', () => {
    expect(defaultWindow([node(110, 2), node(110, 0, true, 'm')]).size).toBe(MAX_DEFAULT_WINDOW)
  })

  it('ignores nodes probe pods cannot land on (cordoned or tainted)', () => {
    expect(defaultWindow([node(110, 100), node(110, 0, false, 'cordoned')])).toEqual({ size: 5, freeSlots: 10 })
  })

  it('is at least one pod on a full cluster: that pod then waits for a slot', () => {
    expect(defaultWindow([node(110, 112)])).toEqual({ size: 1, freeSlots: 0 })
  })
})

describe('turns through the window', () => {
  it('sources take ceil(sources / window) rounds', () => {
    expect([roundsFor(60, 20), roundsFor(61, 20), roundsFor(3, 20)]).toEqual([3, 4, 1])
  })

  it('a waiting source gets a slot only while fewer probe pods than the window exist, terminating ones included', () => {
    expect(slotsToFill({ present: 3, window: 5, waiting: 10 })).toBe(2)
    expect(slotsToFill({ present: 5, window: 5, waiting: 10 })).toBe(0)
    expect(slotsToFill({ present: 0, window: 5, waiting: 2 })).toBe(2)
  })
})

describe('taking sources through the window', () => {
  async function simulate(sources: number, window: number, workMs: (source: number) => number, startMs: (source: number) => number = () => 1) {
    const events: string[] = []
    let present = 0
    let peak = 0
    const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
    await throughWindow({
      sources: Array.from({ length: sources }, (_, i) => i),
      window,
      start: (batch) => {
        present += batch.length
        peak = Math.max(peak, present)
        events.push(`start ${batch.join(',')}`)
        return batch.map((source) => tick(startMs(source)).then(() => { events.push(`running ${source}`) }))
      },
      work: async (source) => { events.push(`work ${source}`); await tick(workMs(source)) },
      release: async (source) => { await tick(1); present--; events.push(`gone ${source}`) },
    })
    return { events, peak }
  }

  it('never has more probe pods than the window, and every source gets its turn', async () => {
    const { events, peak } = await simulate(7, 3, (s) => 2 + (s % 3) * 3)
    expect(peak).toBe(3)
    expect(events.filter((e) => e.startsWith('gone')).map((e) => Number(e.split(' ')[1])).sort()).toEqual([0, 1, 2, 3, 4, 5, 6])
  })

  it('a freed slot goes to the next waiting source at once, without waiting for the rest of its batch', async () => {
    const { events } = await simulate(4, 2, (s) => (s === 0 ? 40 : 1))
    expect(events.indexOf('start 2')).toBeLessThan(events.indexOf('gone 0'))
    expect(events.indexOf('start 3')).toBeLessThan(events.indexOf('gone 0'))
  })

  it('a source is probed as soon as its own container runs, not when the rest of its batch does', async () => {
    const { events } = await simulate(3, 3, () => 1, (s) => (s === 2 ? 40 : 1))
    expect(events.indexOf('work 0')).toBeLessThan(events.indexOf('running 2'))
    expect(events.indexOf('gone 1')).toBeLessThan(events.indexOf('running 2'))
  })

  it('a source whose work fails still frees its slot', async () => {
    const released: number[] = []
    await expect(throughWindow({
      sources: [0, 1, 2], window: 1,
      start: (batch) => batch.map(async () => undefined),
      work: async (s) => { if (s === 0) throw new Error('boom') },
      release: async (s) => { released.push(s) },
    })).rejects.toThrow('boom')
    expect(released).toContain(0)
  })
})
