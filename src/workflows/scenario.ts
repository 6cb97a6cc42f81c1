// scenario validate / scenario run: files → scenarios → evaluator (and, for run, the live cluster).
import { readdir, readFile, stat } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { InputError } from '../model/errors.js'
import type { Scenario } from '../scenario/model.js'
import { parseScenario } from '../scenario/schema.js'
import { validateScenario, type ScenarioValidation } from '../scenario/validate.js'

export interface ValidateReport {
  scenarios: ScenarioValidation[]
  summary: { scenarios: number; expectations: number; contradictions: number }
}

export async function validateScenarios(paths: string[]): Promise<ValidateReport> {
  const scenarios = (await loadScenarios(paths)).map(validateScenario)
  return {
    scenarios,
    summary: {
      scenarios: scenarios.length,
      expectations: scenarios.reduce((n, s) => n + s.expectations, 0),
      contradictions: scenarios.reduce((n, s) => n + s.contradictions.length, 0),
    },
  }
}

/** Every scenario of the files and directories (*.yaml, *.yml), all parsed before anything else happens. */
export async function loadScenarios(paths: string[]): Promise<Scenario[]> {
  if (paths.length === 0) throw new InputError('name at least one scenario file or directory')
  const files = (await Promise.all(paths.map(scenarioFilesAt))).flat()
  return Promise.all(files.map(async (file) => parseScenario(await readFile(file, 'utf8'), file)))
}

async function scenarioFilesAt(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => { throw new InputError('no such file or directory', { file: path }) })
  if (!info.isDirectory()) return [path]
  const entries = (await readdir(path)).filter((name) => ['.yaml', '.yml'].includes(extname(name))).sort()
  if (entries.length === 0) throw new InputError('directory contains no .yaml or .yml scenario', { file: path })
  return entries.map((name) => join(path, name))
}
