// Shell completion, answered the way kubectl asks plugins (cobra's protocol): the words typed
// after `kubectl netpol`, the last one being the word to complete (possibly ''), in; one candidate
// per line (`value<TAB>description`) and a final `:<directive>` line out. The shell scripts of
// `completion` and the `kubectl_complete-netpol` executable both call `__complete`.

/** Cobra's ShellCompDirective values that we use. */
export const DIRECTIVE = { default: 0, noSpace: 2, noFileComp: 4 } as const

export interface CompletableFlag {
  name: string
  char?: string
  description?: string
  type: 'boolean' | 'option'
  options?: readonly string[]
}

export interface CompletableCommand {
  /** oclif id, `drill:start`. */
  id: string
  summary?: string
  hidden?: boolean
  flags: CompletableFlag[]
}

export interface CompletableTopic {
  name: string
  description?: string
}

export interface Completion {
  candidates: Array<{ value: string; description?: string }>
  directive: number
}

/** Flags whose values are file paths: the shell completes them. */
const FILE_FLAGS = new Set(['filename', 'kubeconfig', 'junit', 'expect'])

type Candidate = Completion['candidates'][number]

/** Values of a command's positional argument, by command id (e.g. drill names for `drill:start`). */
export type Positionals = Record<string, Candidate[]>

export function complete(words: string[], commands: CompletableCommand[], topics: CompletableTopic[], positionals: Positionals = {}): Completion {
  const toComplete = words.at(-1) ?? ''
  const typed = words.slice(0, -1)
  const visible = commands.filter((c) => !c.hidden)
  const { command, path } = findCommand(typed, visible)
  if (!command) return nextWords(path, toComplete, visible, topics)
  const previous = typed.at(-1)
  const valueOf = previous ? flagNamed(previous, command.flags) : undefined
  if (valueOf && valueOf.type === 'option' && !previous!.includes('=')) return flagValues(valueOf, toComplete)
  if (toComplete.startsWith('-')) return flagCandidates(toComplete, command.flags)
  const values = positionals[command.id]
  if (values) return { candidates: values.filter((v) => v.value.startsWith(toComplete)), directive: DIRECTIVE.noFileComp }
  return { candidates: [], directive: DIRECTIVE.default }
}

/** The longest command id the leading non-flag words spell, and those words. */
function findCommand(typed: string[], commands: CompletableCommand[]): { command?: CompletableCommand; path: string[] } {
  const path: string[] = []
  for (const word of typed) {
    if (word.startsWith('-')) break
    path.push(word)
    const command = commands.find((c) => c.id === path.join(':'))
    if (command) return { command, path }
  }
  return { path }
}

function nextWords(path: string[], toComplete: string, commands: CompletableCommand[], topics: CompletableTopic[]): Completion {
  const prefix = path.length > 0 ? `${path.join(':')}:` : ''
  const seen = new Map<string, string | undefined>()
  for (const { id, summary } of commands) {
    if (!id.startsWith(prefix)) continue
    const next = id.slice(prefix.length).split(':')[0]
    const topic = topics.find((t) => t.name === `${prefix}${next}`)
    if (!seen.has(next)) seen.set(next, topic && id !== topic.name ? topic.description : summary)
  }
  const candidates = [...seen].filter(([value]) => value.startsWith(toComplete)).map(([value, description]) => ({ value, description }))
  return { candidates, directive: DIRECTIVE.noFileComp }
}

function flagNamed(word: string, flags: CompletableFlag[]): CompletableFlag | undefined {
  const name = word.split('=')[0]
  if (name.startsWith('--')) return flags.find((f) => f.name === name.slice(2))
  if (/^-[A-Za-z]$/.test(name)) return flags.find((f) => f.char === name.slice(1))
  return undefined
}

function flagValues(flag: CompletableFlag, toComplete: string): Completion {
  if (flag.options) {
    return { candidates: flag.options.filter((o) => o.startsWith(toComplete)).map((value) => ({ value })), directive: DIRECTIVE.noFileComp }
  }
  return { candidates: [], directive: FILE_FLAGS.has(flag.name) ? DIRECTIVE.default : DIRECTIVE.noFileComp }
}

function flagCandidates(toComplete: string, flags: CompletableFlag[]): Completion {
  const candidates = flags
    .flatMap((f) => [`--${f.name}`, ...(f.char ? [`-${f.char}`] : [])].map((value) => ({ value, description: firstSentence(f.description) })))
    .filter((c) => c.value.startsWith(toComplete))
  return { candidates, directive: DIRECTIVE.noFileComp }
}

function firstSentence(text: string | undefined): string | undefined {
  return text?.split(/(?<=\.)\s/)[0]
}

export function formatCompletion({ candidates, directive }: Completion): string {
  return [...candidates.map((c) => (c.description ? `${c.value}\t${c.description.replace(/\s+/g, ' ')}` : c.value)), `:${directive}`].join('\n') + '\n'
}

export type Shell = 'bash' | 'zsh' | 'fish'
export const SHELLS: readonly Shell[] = ['bash', 'zsh', 'fish']

/** A completion script for `kubectl-netpol` typed directly (kubectl itself uses kubectl_complete-netpol). */
export function completionScript(shell: Shell, bin: string): string {
  const fn = `_${bin.replace(/[^A-Za-z0-9]/g, '_')}`
  switch (shell) {
    case 'bash': return `# bash completion for ${bin}; load with: source <(${bin} completion bash)
${fn}() {
  local out directive
  out=$(${bin} __complete "\${COMP_WORDS[@]:1:COMP_CWORD-1}" "\${COMP_WORDS[COMP_CWORD]}" 2>/dev/null) || return
  directive=\${out##*:}
  COMPREPLY=()
  local line
  while IFS= read -r line; do
    [[ $line == :* ]] && continue
    COMPREPLY+=("\${line%%$'\\t'*}")
  done <<< "$out"
  if [[ \${#COMPREPLY[@]} -eq 0 && $directive -eq 0 ]]; then
    COMPREPLY=($(compgen -f -- "\${COMP_WORDS[COMP_CWORD]}"))
  fi
}
complete -o bashdefault -F ${fn} ${bin}
`
    case 'zsh': return `#compdef ${bin}
# zsh completion for ${bin}; load with: source <(${bin} completion zsh)
${fn}() {
  local -a lines candidates
  lines=("\${(@f)$(${bin} __complete "\${(@)words[2,CURRENT-1]}" "\${words[CURRENT]}" 2>/dev/null)}")
  local directive=\${lines[-1]#:}
  local line
  for line in "\${(@)lines[1,-2]}"; do
    candidates+=("\${\${line%%$'\\t'*}//:/\\\\:}:\${line#*$'\\t'}")
  done
  if (( \${#candidates} )); then
    _describe '${bin}' candidates
  elif [[ $directive == 0 ]]; then
    _files
  fi
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then ${fn} "$@"; else compdef ${fn} ${bin}; fi
`
    case 'fish': return `# fish completion for ${bin}; load with: ${bin} completion fish | source
function __${fn}_complete
  set -l tokens (commandline -opc) (commandline -ct)
  set -l out (${bin} __complete $tokens[2..-1] 2>/dev/null)
  set -l directive (string replace ':' '' -- $out[-1])
  for line in $out[1..-2]
    echo $line
  end
  if test (count $out) -le 1; and test "$directive" = 0
    __fish_complete_path (commandline -ct)
  end
end
complete -c ${bin} -f -a '(__${fn}_complete)'
`
  }
}
