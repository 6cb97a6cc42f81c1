// Which hints of each drill were given, kept in the user's state directory
// ($XDG_STATE_HOME/kubectl-netpol/drill-hints.json, default ~/.local/state).
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'

function hintStateFile(): string {
  const base = process.env.XDG_STATE_HOME || join(homedir(), '.local', 'state')
  return join(base, 'kubectl-netpol', 'drill-hints.json')
}

async function hintState(): Promise<Record<string, number>> {
  const text = await readFile(hintStateFile(), 'utf8').catch(() => '{}')
  try {
    return JSON.parse(text) as Record<string, number>
  } catch {
    return {}
  }
}

export async function hintsShown(name: string): Promise<number> {
  return (await hintState())[name] ?? 0
}

export async function saveHintsShown(name: string, shown: number): Promise<void> {
  const state = await hintState()
  if ((state[name] ?? 0) === shown) return
  const file = hintStateFile()
  await mkdir(dirname(file), { recursive: true })
  await writeFile(file, JSON.stringify({ ...state, [name]: shown }, null, 2) + '\n')
}
