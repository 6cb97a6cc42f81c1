import { complete, formatCompletion, type Positionals } from '../cli/completion.js'
import { BaseCommand } from '../cli/base.js'
import { loadAllDrills } from '../drill/catalogue.js'

/** What kubectl (through kubectl_complete-netpol) and the completion scripts call: the words typed so far, the last one to complete. */
export default class CompleteWords extends BaseCommand {
  static override summary = 'Complete a command line (used by shell completion).'
  static override hidden = true
  static override strict = false

  async run(): Promise<void> {
    const commands = this.config.commands.map((c) => ({
      id: c.id,
      summary: c.summary,
      hidden: c.hidden,
      flags: Object.values(c.flags).map((f) => ({
        name: f.name, char: f.char, description: f.description, type: f.type, ...(f.type === 'option' && f.options ? { options: f.options } : {}),
      })),
    }))
    const words = this.argv.length > 0 ? this.argv : ['']
    const takesDrill = this.config.commands.filter((c) => c.id.startsWith('drill:') && Object.hasOwn(c.args, 'name')).map((c) => c.id)
    process.stdout.write(formatCompletion(complete(words, commands, this.config.topics, await drillNames(words, takesDrill))))
  }
}

/** Drill names for the drill commands that take one (read only when a drill command is being completed). */
async function drillNames(words: string[], commandIds: string[]): Promise<Positionals> {
  if (words[0] !== 'drill' || words.length < 3) return {}
  const drills = (await loadAllDrills()).map((d) => ({ value: d.name, description: d.title }))
  return Object.fromEntries(commandIds.map((id) => [id, drills]))
}
