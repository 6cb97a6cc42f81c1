// Shell completion as users get it: kubectl's plugin completion calling bin/kubectl_complete-netpol,
// and the scripts of `completion bash|zsh|fish` in the real shells (spawned: completion runs in them).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli as run } from './in-process.js'

const BIN = join(import.meta.dirname, '../../bin')
// kubectl-netpol and kubectl_complete-netpol on PATH, as an install puts them.
const pathDir = mkdtempSync(join(tmpdir(), 'netpol-completion-'))
symlinkSync(join(BIN, 'run.js'), join(pathDir, 'kubectl-netpol'))
symlinkSync(join(BIN, 'kubectl_complete-netpol'), join(pathDir, 'kubectl_complete-netpol'))
const env = { ...process.env, PATH: `${pathDir}:${process.env.PATH}`, KUBECONFIG: '/dev/null' }
const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0
const shell = (cmd: string, args: string[]) => spawnSync(cmd, args, { env, encoding: 'utf8', timeout: 60_000 })

describe('__complete (cobra\'s protocol: candidates, then :directive)', () => {
  it.each([
    { words: [''], includes: ['predict\tPredict which connections', 'drill\tCKA/CKS-style', 'completion\t'], directive: ':4' },
    { words: ['drill', 'st'], includes: ['start\tBuild a drill'], directive: ':4' },
    { words: ['predict', '-o', ''], includes: ['table', 'wide', 'json', 'yaml', 'markdown'], directive: ':4' },
    { words: ['explain', '--fr'], includes: ['--from\tSource: NAMESPACE/POD'], directive: ':4' },
    { words: ['drill', 'hint', 'allow-from-namespace-'], includes: ['allow-from-namespace-label\t', 'allow-from-namespace-name\t'], directive: ':4' },
    { words: ['predict', '-f', ''], includes: [], directive: ':0' },
  ])('$words', async ({ words, includes, directive }) => {
    const { code, stdout } = await run(['__complete', ...words])
    expect(code).toBe(0)
    const lines = stdout.trimEnd().split('\n')
    expect(lines.at(-1)).toBe(directive)
    for (const line of includes) expect(lines.some((l) => l.startsWith(line))).toBe(true)
  })

  it('hides itself', async () => {
    expect((await run(['__complete', ''])).stdout).not.toContain('__complete')
  })
})

describe.skipIf(!has('kubectl'))('kubectl netpol <TAB> through kubectl\'s plugin completion', () => {
  it('kubectl finds kubectl_complete-netpol on PATH and shows its candidates', () => {
    const { stdout } = shell('kubectl', ['__complete', 'netpol', 'drill', 'st'])
    expect(stdout).toContain('start\tBuild a drill')
    expect(stdout.trimEnd().split('\n').at(-1)).toBe(':4')
  })
})

describe('completion scripts in the real shells', () => {
  it('bash', () => {
    const script = 'source <(kubectl-netpol completion bash); COMP_WORDS=(kubectl-netpol predict -o j); COMP_CWORD=3; _kubectl_netpol; echo "${COMPREPLY[@]}"'
    expect(shell('bash', ['-c', script]).stdout).toBe('json\n')
  })

  it.skipIf(!has('zsh'))('zsh', () => {
    // _describe and _files belong to the completion system; stand-ins print what they were given.
    const script = 'compdef() { :; }; source <(kubectl-netpol completion zsh); _describe() { print -l -- "${(@P)2}"; }; _files() { echo FILES; }; ' +
      'words=(kubectl-netpol drill st); CURRENT=3; _kubectl_netpol; words=(kubectl-netpol predict -f ""); CURRENT=4; _kubectl_netpol'
    expect(shell('zsh', ['-c', script]).stdout).toBe("start:Build a drill's namespaces and pods in the cluster and print its task.\nFILES\n")
  })

  it.skipIf(!has('fish'))('fish', () => {
    const { stdout } = shell('fish', ['-c', 'kubectl-netpol completion fish | source; complete -C"kubectl-netpol predict -o y"'])
    expect(stdout).toBe('yaml\n')
  })
})
