// Turns workflow events into listr2 progress on stderr (a live task list on a terminal, plain
// lines otherwise), so stdout carries only the report. On a terminal an update replaces the task's
// title; elsewhere listr2's simple renderer prints no title changes, so each update is a line of
// task output instead (the probe tally throttles its own to one a second).
import { Listr, ListrLogger, ProcessOutput } from 'listr2'
import { NothingFound } from '../model/errors.js'

export type ProgressUpdate = (title: string) => void

export async function withProgress<T>(title: string, work: (update: ProgressUpdate) => Promise<T>, quiet: boolean): Promise<T> {
  if (quiet) return work(() => {})
  const logger = new ListrLogger({ processOutput: new ProcessOutput(process.stderr, process.stderr) })
  const plain = !process.stderr.isTTY
  let result: T | undefined
  let nothing: NothingFound | undefined
  const tasks = new Listr([{
    title,
    task: async (_ctx, task) => {
      try {
        result = await work((text) => {
          if (plain) task.output = text
          else task.title = text
        })
        task.title = title
      } catch (error) {
        // An empty scope is not a failure: the task ends skipped, with kubectl's words.
        if (!(error instanceof NothingFound)) throw error
        nothing = error
        task.title = title
        task.skip(error.message)
      }
    },
  }], {
    renderer: 'default',
    fallbackRenderer: 'simple',
    fallbackRendererCondition: plain,
    rendererOptions: { logger },
    fallbackRendererOptions: { logger },
    exitOnError: true,
    registerSignalListeners: false,
  })
  await tasks.run()
  if (nothing) throw Object.assign(nothing, { shown: true })
  return result as T
}

/** Progress goes to stderr; when stdout carries JSON or YAML it is shown only on a terminal. */
export function quietProgress(machineReadable: boolean): boolean {
  return machineReadable ? !process.stderr.isTTY : false
}
