// The command table that build.ts generates from src/commands (see sea-main.ts).
declare module 'kubectl-netpol:commands' {
  import type { Command } from '@oclif/core'
  export const COMMANDS: Record<string, Command.Class>
}
