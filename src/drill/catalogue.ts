// The shipped drills: scenarios/drills/NAME.yaml, found by name.
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { InputError } from '../model/errors.js'
import { filesAt, readText } from '../snapshot/files.js'
import type { Drill } from './model.js'
import { parseDrill } from './schema.js'

const DRILLS_DIR = fileURLToPath(new URL('../../scenarios/drills/', import.meta.url))

async function drillNames(): Promise<string[]> {
  const files = await filesAt(DRILLS_DIR, { extensions: ['.yaml'], recursive: false, none: 'no drill is installed' })
  return files.map((f) => basename(f, '.yaml')).sort()
}

export async function loadAllDrills(): Promise<Drill[]> {
  return Promise.all((await drillNames()).map(loadDrill))
}

/** The shipped drill NAME; a name that is no drill is bad input naming the known ones. */
export async function loadDrill(name: string): Promise<Drill> {
  const file = join(DRILLS_DIR, `${name}.yaml`)
  const text = /^[a-z0-9-]+$/.test(name) ? await readText(file).catch(() => undefined) : undefined
  if (text === undefined) throw new InputError(`no drill "${name}" (see \`kubectl netpol drill list\`; known: ${(await drillNames()).join(', ')})`)
  return parseDrill(text, join('scenarios', 'drills', `${name}.yaml`), name)
}
