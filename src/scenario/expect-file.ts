// The file edge of `probe --expect`: read and parse the expectation file.
import { readText } from '../snapshot/files.js'
import type { LocatedExpectation } from './live-expect.js'
import { parseExpectationFile } from './schema.js'

export async function readExpectationFile(file: string): Promise<LocatedExpectation[]> {
  return parseExpectationFile(await readText(file), file)
}
