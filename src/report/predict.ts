// Renders a PredictReport as a stream of text chunks: nothing the size of the matrix is held in
// memory. By default the rows are workload groups (`shop/frontend (Deployment, 2 pods)`); with
// `--all-pods`, pods. The default table is a truth table per port when it fits the terminal,
// otherwise a kubectl-style list, denied first; both end with the counts. Evidence (the rules that
// decide each side) is only computed for `-o wide` and `--explain`.
import type { Endpoint } from '../evaluate/endpoint.js'
import type { Verdict } from '../evaluate/evaluate.js'
import { groupLabel, groupSize, isTemplate, type EndpointGroup } from '../evaluate/groups.js'
import type { PortQuery } from '../evaluate/matrix.js'
import type { PairVerdict, Prediction } from '../evaluate/predict.js'
import { resolvePort } from '../evaluate/evaluate.js'
import { columnTable, columnsLine, GAP, shareWidths, truncate, widest } from './columns.js'
import { toYaml } from './format.js'
import { sideSummary, type DestinationGroupResult, type GroupResult, type MatrixRow, type PredictReport, type PredictResult, type PredictSummary, type SideSummary } from './model.js'

export type PredictFormat = 'table' | 'wide' | 'json' | 'yaml' | 'markdown'

export interface PredictView {
  format: PredictFormat
  /** Terminal width the table must fit. */
  width: number
  /** One row per pod pair instead of per workload group pair. */
  allPods: boolean
  /** Add the evidence: the rules deciding each side. */
  explain: boolean
}

export function renderPredict(report: PredictReport, view: PredictView): Iterable<string> {
  const grid = gridOf(report.prediction, view.allPods)
  switch (view.format) {
    case 'json': return jsonDocument(documentSections(report, grid, view))
    case 'yaml': return yamlDocument(documentSections(report, grid, view))
    case 'markdown': return markdown(grid)
    case 'wide': return list(grid, { width: Infinity, wide: true })
    case 'table': return view.explain ? list(grid, { width: Infinity, wide: true }) : table(grid, view.width)
  }
}

export function queryLabel(q: PortQuery): string {
  return `${q.protocol}/${q.port}`
}

// ---------------------------------------------------------------------------------------------
// The grid: rows and columns are groups, or pods with --all-pods

interface Unit {
  id: string
  /** `shop/frontend (Deployment, 2 pods)`, and the same with kubectl's short kind names. */
  label: string
  shortLabel: string
  /** `2 pods`, `template`: what a narrow column keeps of the label after the name. */
  size?: string
  group?: EndpointGroup
  endpoint: Endpoint
}

interface Grid {
  prediction: Prediction
  allPods: boolean
  sources: Unit[]
  destinations: Unit[]
  cell(query: number, from: Unit, to: Unit): PairVerdict
  /** Whether the destination is checked on the query: it declares that port (or the port was asked). */
  checks(query: number, to: Unit): boolean
  /** How many pod pairs the cell stands for, and how many of them are allowed. */
  podPairs(from: Unit, to: Unit, cell: PairVerdict): { allowed: number; denied: number }
  evidence(query: number, from: Unit, to: Unit): Verdict
}

function gridOf(prediction: Prediction, allPods: boolean): Grid {
  const checks = (q: number, to: Unit) => prediction.checks(q, to.endpoint)
  if (allPods) {
    const pods = (groups: EndpointGroup[]): Unit[] => groups.flatMap((g) => g.members.map((e) => ({ id: e.key, label: e.key, shortLabel: e.key, endpoint: e })))
    return {
      prediction, allPods,
      sources: pods(prediction.sources),
      destinations: pods(prediction.destinations),
      cell: (q, from, to) => prediction.pair(q, from.endpoint, to.endpoint),
      checks,
      podPairs: (_from, _to, cell) => (cell.allowed ? { allowed: 1, denied: 0 } : { allowed: 0, denied: 1 }),
      evidence: (q, from, to) => prediction.verdict(q, from.endpoint, to.endpoint),
    }
  }
  const groups = (list: EndpointGroup[]): Unit[] => list.map((g) => ({
    id: g.id, label: groupLabel(g), shortLabel: groupLabel(g, true), size: groupSize(g), group: g, endpoint: g.members[0],
  }))
  return {
    prediction, allPods,
    sources: groups(prediction.sources),
    destinations: groups(prediction.destinations),
    cell: (q, from, to) => prediction.cell(q, from.group!, to.group!),
    checks,
    podPairs: (from, to, cell) => groupPodPairs(from.group!, to.group!, cell),
    evidence: (q, from, to) => {
      // Distinct pods when the group has them: a pod with itself is only the loopback default.
      const other = from.group!.key === to.group!.key ? to.group!.members.find((m) => m !== from.endpoint) : undefined
      return prediction.verdict(q, from.endpoint, other ?? to.endpoint)
    },
  }
}

function groupPodPairs(from: EndpointGroup, to: EndpointGroup, cell: PairVerdict): { allowed: number; denied: number } {
  const total = from.members.length * to.members.length
  // Pods of the same group on both sides: each with itself is allowed (loopback) whatever the cell says.
  // (A template with itself stands for distinct replicas.)
  const selves = from.key === to.key && !isTemplate(from) ? countShared(from.members, to.members) : 0
  return cell.allowed ? { allowed: total, denied: 0 } : { allowed: selves, denied: total - selves }
}

function countShared(a: Endpoint[], b: Endpoint[]): number {
  const keys = new Set(b.map((e) => e.key))
  return a.filter((e) => keys.has(e.key)).length
}

class Counts {
  allowed = 0
  denied = 0
  podAllowed = 0
  podDenied = 0
  cni = false
  /** A cell whose destination is not checked on its port. */
  unchecked = false

  add(grid: Grid, from: Unit, to: Unit, cell: PairVerdict): void {
    if (cell.allowed) this.allowed++
    else this.denied++
    const pods = grid.podPairs(from, to, cell)
    this.podAllowed += pods.allowed
    this.podDenied += pods.denied
    if (cell.cniDefined.length > 0) this.cni = true
  }

  summary(): PredictSummary {
    return { allowed: this.allowed, denied: this.denied, podPairs: { allowed: this.podAllowed, denied: this.podDenied } }
  }

  footer(grid: Grid): string {
    const pairs = grid.allPods ? 'pod pairs' : 'workload pairs'
    const pods = grid.allPods ? '' : ` (pod pairs: ${this.podAllowed} allowed, ${this.podDenied} denied)`
    return `${this.allowed} allowed, ${this.denied} denied ${pairs}${pods}\n`
  }
}

// ---------------------------------------------------------------------------------------------
// The default table: truth tables when they fit, otherwise a list

const LEGEND = '. allowed   X denied   * relies on a CNI-defined default (see `explain`)\n'
const UNCHECKED = '- not checked: the destination declares no such port (pass --port to check it)\n'

function* table(grid: Grid, width: number): Generator<string> {
  if (!truthTablesFit(grid, width)) {
    yield* list(grid, { width, wide: false })
    return
  }
  const counts = new Counts()
  for (let q = 0; q < grid.prediction.queries.length; q++) {
    if (q > 0) yield '\n'
    yield* truthTable(grid, q, counts)
  }
  yield '\n' + LEGEND + (counts.unchecked ? UNCHECKED : '')
  const groups = grid.allPods ? [] : grid.sources.concat(grid.destinations.filter((d) => !grid.sources.some((s) => s.id === d.id)))
  if (groups.some((g) => g.group!.workload.kind !== 'Pod' && g.group!.workload.kind !== 'External')) {
    yield '\n' + columnTable(['WORKLOAD', 'KIND', 'PODS', 'CLASS'], groups.map((g) => [
      g.id, g.group!.workload.kind, podCount(g.group!), String(g.group!.classId),
    ]))
  }
  yield '\n' + counts.footer(grid)
}

function podCount(group: EndpointGroup): string {
  return group.workload.kind === 'External' ? '-' : isTemplate(group) ? 'template' : String(group.members.length)
}

function truthTablesFit(grid: Grid, width: number): boolean {
  const labels = grid.prediction.queries.map(queryLabel)
  const first = widest([...labels, ...grid.sources.map((s) => s.id)])
  const columns = grid.destinations.reduce((sum, d) => sum + Math.max(2, d.id.length) + 1, 0)
  return first + 1 + columns <= width
}

function* truthTable(grid: Grid, q: number, counts: Counts): Generator<string> {
  const label = queryLabel(grid.prediction.queries[q])
  const widths = [widest(grid.sources.map((s) => s.id), label.length), ...grid.destinations.map((d) => Math.max(2, d.id.length))]
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join(' ').trimEnd() + '\n'
  yield line([label, ...grid.destinations.map((d) => d.id)])
  for (const from of grid.sources) {
    yield line([from.id, ...grid.destinations.map((to) => {
      if (!grid.checks(q, to)) {
        counts.unchecked = true
        return '-'
      }
      const cell = grid.cell(q, from, to)
      counts.add(grid, from, to, cell)
      return (cell.allowed ? '.' : 'X') + (cell.cniDefined.length > 0 ? '*' : '')
    })])
  }
}

/** One row per connection, denied first, names cut to fit the width (wide: all columns, nothing cut). */
function* list(grid: Grid, { width, wide }: { width: number; wide: boolean }): Generator<string> {
  const { queries } = grid.prediction
  const ports = queries.map(queryLabel)
  const portWidth = widest(ports, 4)
  const verdictWidth = 'VERDICT'.length + 1
  const labelOf = (u: Unit) => (wide ? u.label : u.shortLabel)
  const needed = [grid.sources, grid.destinations].map((units) => widest(units.map(labelOf), 4))
  const [fromWidth, toWidth] = wide ? needed : shareWidths(needed, width - portWidth - verdictWidth - 3 * GAP.length)
  const head = ['FROM', 'TO', 'PORT', 'VERDICT', ...(wide ? ['EGRESS', 'INGRESS', 'CNI-DEFINED'] : [])]
  const widths = [fromWidth, toWidth, portWidth, verdictWidth, 28, 28]
  const fromCells = grid.sources.map((u) => fit(u, fromWidth, wide).padEnd(fromWidth) + GAP)
  const toCells = grid.destinations.map((u) => fit(u, toWidth, wide).padEnd(toWidth) + GAP)
  const portCells = ports.map((p) => p.padEnd(portWidth) + GAP)
  yield columnsLine(head, widths)
  const counts = new Counts()
  for (const allowed of [false, true]) {
    for (let q = 0; q < queries.length; q++) {
      for (let f = 0; f < grid.sources.length; f++) {
        let rows = ''
        for (let t = 0; t < grid.destinations.length; t++) {
          if (!grid.checks(q, grid.destinations[t])) continue
          const cell = grid.cell(q, grid.sources[f], grid.destinations[t])
          if (cell.allowed !== allowed) continue
          counts.add(grid, grid.sources[f], grid.destinations[t], cell)
          const verdict = (allowed ? 'allowed' : 'denied') + (cell.cniDefined.length > 0 ? '*' : '')
          const row = fromCells[f] + toCells[t] + portCells[q] + verdict
          rows += (wide ? `${row.padEnd(row.length + verdictWidth - verdict.length)}${GAP}${evidenceCells(grid, q, grid.sources[f], grid.destinations[t], cell)}` : row) + '\n'
        }
        if (rows) yield rows
      }
    }
  }
  if (counts.cni) yield '* relies on a CNI-defined default (see `explain`)\n'
  yield counts.footer(grid)
}

function fit(unit: Unit, width: number, wide: boolean): string {
  if (wide) return unit.label
  // Which workload it is matters more than its kind, and its kind less than how many pods it
  // stands for (-o wide shows all): the kind goes first, then the size, then the name is cut.
  const fitting = [unit.shortLabel, ...(unit.size ? [`${unit.id} (${unit.size})`] : []), unit.id].find((label) => label.length <= width)
  return fitting ?? cutName(unit.id, width)
}

/** `shop/fr…nd`: the namespace stays whole while the name has room. */
function cutName(id: string, width: number): string {
  const slash = id.indexOf('/') + 1
  return slash > 0 && width - slash >= 4 ? id.slice(0, slash) + truncate(id.slice(slash), width - slash) : truncate(id, width)
}

function evidenceCells(grid: Grid, q: number, from: Unit, to: Unit, cell: PairVerdict): string {
  const verdict = grid.evidence(q, from, to)
  const side = (s: SideSummary) => s.decidedBy ?? (!s.isolated ? 'not isolated' : s.allowedBy.length > 0 ? s.allowedBy.join(',') : 'no rule matches')
  return [side(sideSummary(verdict.egress)).padEnd(28), side(sideSummary(verdict.ingress)).padEnd(28), cell.cniDefined.join(',') || '-'].join(GAP).trimEnd()
}

function* markdown(grid: Grid): Generator<string> {
  for (let q = 0; q < grid.prediction.queries.length; q++) {
    if (q > 0) yield '\n'
    yield `| ${queryLabel(grid.prediction.queries[q])} | ${grid.destinations.map((d) => d.label).join(' | ')} |\n`
    yield `|${' --- |'.repeat(grid.destinations.length + 1)}\n`
    for (const from of grid.sources) {
      const cells = grid.destinations.map((to) => {
        if (!grid.checks(q, to)) return '-'
        const cell = grid.cell(q, from, to)
        return (cell.allowed ? '.' : 'X') + (cell.cniDefined.length > 0 ? '*' : '')
      })
      yield `| ${from.label} | ${cells.join(' | ')} |\n`
    }
  }
}

// ---------------------------------------------------------------------------------------------
// JSON and YAML: the same sections, each list written item by item

type Section = { key: string; items: () => Iterable<unknown> } | { key: string; value: () => unknown }

function documentSections(report: PredictReport, grid: Grid, view: PredictView): Section[] {
  const counts = new Counts()
  const rows: Section[] = grid.allPods
    ? [{ key: 'results', items: () => podResults(grid, view.explain, counts) }]
    : [
      { key: 'sources', items: () => grid.sources.map(groupResult) },
      { key: 'destinations', items: () => grid.destinations.map((d): DestinationGroupResult => ({ ...groupResult(d), ports: checkedPorts(grid, d) })) },
      { key: 'matrix', items: () => matrixRows(grid, view.explain, counts) },
    ]
  return [
    ...rows,
    { key: 'summary', value: () => counts.summary() },
    { key: 'warnings', value: () => report.warnings },
    { key: 'notes', value: () => report.notes },
  ]
}

function groupResult(unit: Unit): GroupResult {
  const group = unit.group!
  const pods = group.workload.kind === 'External' ? {} : { pods: group.members.map((m) => m.key) }
  return { id: group.id, kind: group.workload.kind, class: group.classId, ...pods, ...(isTemplate(group) ? { template: true } : {}) }
}

/** The ports a destination group is checked on, as the matrix rows name them. */
function checkedPorts(grid: Grid, unit: Unit): PortQuery[] {
  return grid.prediction.queries.filter((_, q) => grid.checks(q, unit))
}

function* matrixRows(grid: Grid, explain: boolean, counts: Counts): Generator<MatrixRow> {
  const { queries } = grid.prediction
  for (let q = 0; q < queries.length; q++) {
    for (const from of grid.sources) {
      const row: MatrixRow = { port: queries[q].port, protocol: queries[q].protocol, from: from.id, allowed: [], denied: [] }
      for (const to of grid.destinations) {
        if (!grid.checks(q, to)) continue
        const cell = grid.cell(q, from, to)
        counts.add(grid, from, to, cell)
        ;(cell.allowed ? row.allowed : row.denied).push(to.id)
        if (cell.cniDefined.length > 0) (row.cniDefined ??= {})[to.id] = [...cell.cniDefined]
        if (explain) {
          const verdict = grid.evidence(q, from, to)
          ;(row.explanations ??= {})[to.id] = {
            ...(typeof queries[q].port === 'string' ? { resolvedPort: verdict.resolvedPort } : {}),
            egress: sideSummary(verdict.egress), ingress: sideSummary(verdict.ingress),
          }
        }
      }
      yield row
    }
  }
}

function* podResults(grid: Grid, explain: boolean, counts: Counts): Generator<PredictResult> {
  const { queries } = grid.prediction
  for (let q = 0; q < queries.length; q++) {
    const { port, protocol } = queries[q]
    for (const from of grid.sources) {
      for (const to of grid.destinations) {
        if (!grid.checks(q, to)) continue
        const cell = grid.cell(q, from, to)
        counts.add(grid, from, to, cell)
        const result: PredictResult = { from: from.id, to: to.id, port, protocol, allowed: cell.allowed }
        if (typeof port === 'string') result.resolvedPort = resolvePort(port, to.endpoint)
        if (cell.cniDefined.length > 0) result.cniDefined = [...cell.cniDefined]
        if (explain) {
          const verdict = grid.evidence(q, from, to)
          result.egress = sideSummary(verdict.egress)
          result.ingress = sideSummary(verdict.ingress)
        }
        yield result
      }
    }
  }
}

/** A JSON object with one line per list item, written as it is produced. */
function* jsonDocument(sections: Section[]): Generator<string> {
  yield '{\n'
  for (const [i, section] of sections.entries()) {
    const end = i === sections.length - 1 ? '\n' : ',\n'
    if ('value' in section) {
      yield `  ${JSON.stringify(section.key)}: ${JSON.stringify(section.value())}${end}`
      continue
    }
    yield `  ${JSON.stringify(section.key)}: [`
    let first = true
    let chunk = ''
    for (const item of section.items()) {
      chunk += (first ? '\n    ' : ',\n    ') + JSON.stringify(item)
      first = false
      if (chunk.length > 1 << 16) {
        yield chunk
        chunk = ''
      }
    }
    yield `${chunk}${first ? '' : '\n  '}]${end}`
  }
  yield '}\n'
}

function* yamlDocument(sections: Section[]): Generator<string> {
  for (const section of sections) {
    if ('value' in section) {
      yield toYaml({ [section.key]: section.value() })
      continue
    }
    let empty = true
    for (const item of section.items()) {
      if (empty) yield `${section.key}:\n`
      empty = false
      yield toYaml([item])
    }
    if (empty) yield `${section.key}: []\n`
  }
}
