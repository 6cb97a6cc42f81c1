import type { WireObject } from '../kube/client.js'
import { createRunObject, EXEC_CONCURRENCY, type EngineContext } from './context.js'

/** Runs `work` over the items with at most `size` at a time. */
export async function inBatches<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items]
  await Promise.all(Array.from({ length: Math.min(size, queue.length) }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item)
  }))
}

/**
 * Creates one pod per item (`manifest`), EXEC_CONCURRENCY at a time, and returns the created ones
 * by namespace/name. A create that fails is handed to `failed` with its error and never throws.
 */
export async function createPods<T>(
  context: EngineContext, items: T[], manifest: (item: T) => object, failed: (item: T, error: Error) => void,
): Promise<Map<string, T>> {
  const created = new Map<string, T>()
  await inBatches(items, EXEC_CONCURRENCY, async (item) => {
    try {
      const pod = await createRunObject(context, manifest(item) as WireObject)
      created.set(`${pod.namespace}/${pod.name}`, item)
    } catch (error) {
      failed(item, error as Error)
    }
  })
  return created
}
