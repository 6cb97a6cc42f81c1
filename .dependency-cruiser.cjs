// The dependency rules `npm test` enforces (see ARCHITECTURE.md). Type-only imports count: a type
// cycle is a cycle too.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycle anywhere, type-only imports included.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'pure-core',
      severity: 'error',
      comment: 'The core (model, evaluate, plan, reconcile) is pure functions over plain data: no cluster, no files (fs), no CLI, nothing above it.',
      from: { path: '^src/(model|evaluate|plan|reconcile)/' },
      to: { path: ['^src/(kube|snapshot|cli|commands|workflows|report|probe|scenario|drill)/', '^(node:)?fs(/promises)?$'] },
    },
    {
      name: 'renderers-below-workflows',
      severity: 'error',
      comment: 'Renderers read the report model; they never import a workflow.',
      from: { path: '^src/(report|cli)/|^src/(drill|scenario)/render\\.ts$' },
      to: { path: '^src/(workflows|commands)/' },
    },
    {
      name: 'workflows-independent',
      severity: 'error',
      comment: 'No workflow imports another: what two workflows share lives below them.',
      from: { path: '^src/workflows/([^/]+)\\.ts$', pathNot: '^src/workflows/drill\\.ts$' },
      to: { path: '^src/workflows/', pathNot: '^src/workflows/$1\\.ts$' },
    },
    {
      name: 'workflows-independent-drill',
      severity: 'error',
      comment: 'The same for the drill workflow, which still takes the world building (createWorld, the DNS pods, polling) from the scenario workflow until that moves into a module of its own (issue 8, the client branch). Then delete this rule and the exception above.',
      from: { path: '^src/workflows/drill\\.ts$' },
      to: { path: '^src/workflows/', pathNot: '^src/workflows/(drill|scenario)\\.ts$' },
    },
    {
      name: 'only-commands-import-commands',
      severity: 'error',
      comment: 'Commands are the top: nothing imports them.',
      from: { pathNot: '^src/commands/' },
      to: { path: '^src/commands/' },
    },
    {
      name: 'no-orphans',
      severity: 'error',
      comment: 'A module nothing imports is dead code (commands are loaded by oclif).',
      from: { orphan: true, pathNot: ['^src/commands/', '\\.d\\.ts$'] },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
}
