// Ctrl-C and SIGTERM during a run: remove what the run created, then exit 130/143.
export function cleanupOnSignals(): { register(cleanup: () => Promise<void>): void; dispose(): void } {
  let cleanup: (() => Promise<void>) | undefined
  const handler = (signal: NodeJS.Signals) => {
    process.stderr.write(`\n${signal}: removing what this run created…\n`)
    const done = () => process.exit(signal === 'SIGINT' ? 130 : 143)
    ;(cleanup ? cleanup() : Promise.resolve()).then(done, (error: Error) => {
      process.stderr.write(`cleanup failed: ${error.message}; run \`kubectl netpol cleanup\`\n`)
      done()
    })
  }
  process.once('SIGINT', handler)
  process.once('SIGTERM', handler)
  return {
    register: (fn) => { cleanup = fn },
    dispose: () => {
      process.off('SIGINT', handler)
      process.off('SIGTERM', handler)
    },
  }
}
