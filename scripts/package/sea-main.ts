// Entry point of the single-file executable: the CLI of bin/run.js with its command table
// compiled in. oclif's explicit command discovery imports its target module at run time, and a
// single executable has no module files to import, so the plugin is handed the table that import
// would have produced (oclif returns a table it already holds instead of loading the target).
import { Config, Plugin, flush, handle, run, type Interfaces } from '@oclif/core'
import { dirname } from 'node:path'
import packageJson from '../../package.json' with { type: 'json' }
import { COMMANDS } from 'kubectl-netpol:commands'

async function main(): Promise<void> {
  const root = dirname(process.execPath)
  const pjson = {
    ...packageJson,
    oclif: { ...packageJson.oclif, commands: { strategy: 'explicit', target: 'kubectl-netpol:commands', identifier: 'COMMANDS' } },
  } as unknown as Interfaces.PJSON
  const plugin = new Plugin({ root, pjson, isRoot: true, ignoreManifest: true })
  Object.assign(plugin, { commandCache: COMMANDS })
  await plugin.load()
  const config = await Config.load({ root, pjson, plugins: new Map([[plugin.name, plugin]]) })
  // process.argv of a single executable is [executable, executable, ...arguments].
  await run(process.argv.slice(2), config)
  await flush()
}

main().catch(handle)
