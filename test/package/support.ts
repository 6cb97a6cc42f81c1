// What the package tests share: the build output, the cached tools, and running a program with
// nothing but the given PATH (no node on it).
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { executablePath, hostTarget, MANIFEST } from '../../scripts/package/targets.js'

export { TOOLS_BIN } from '../../scripts/package/targets.js'

export const HOST = hostTarget()!
export const EXE = executablePath(HOST)

if (!existsSync(MANIFEST)) throw new Error('build/package/ is missing: run `npm run package` first')


export function runBare(command: string, args: string[], env: Record<string, string> = {}, input?: string) {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    env: { PATH: '/nonexistent', HOME: '/nonexistent', ...env },
    input,
    timeout: 60_000,
  })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}
