// A test world as a user hands it to -f: the manifest text in a file of its own, in a new temporary directory.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** The path of a new file holding `text`. */
export function manifestFile(text: string, name = 'world.yaml'): string {
  const file = join(mkdtempSync(join(tmpdir(), 'netpol-test-')), name)
  writeFileSync(file, text)
  return file
}
