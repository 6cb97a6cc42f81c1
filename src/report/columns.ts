// kubectl's table layout: upper-case headers, columns three spaces apart, no lines, the last
// column unpadded. Widths are decided before the first row, so a table can be written as a stream.

export const GAP = '   '

/** One line of a table whose column widths are known. */
export function columnsLine(cells: string[], widths: number[]): string {
  return cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]))).join(GAP).trimEnd() + '\n'
}

/** The length of the longest text, at least `least` (no spread: lists can be long). */
export function widest(texts: Iterable<string>, least = 0): number {
  let width = least
  for (const text of texts) if (text.length > width) width = text.length
  return width
}

/** A table whose widths come from its content. */
export function columnTable(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => widest(rows.map((r) => r[i] ?? ''), h.length))
  return [head, ...rows].map((row) => columnsLine(row, widths)).join('')
}

/**
 * Text cut to a width in the middle, marked with `…`: names of one workload's pods or of similar
 * workloads differ at their ends (`-0`, `-x2k9p`, `-canary`), so both ends stay.
 */
export function truncate(text: string, width: number): string {
  if (text.length <= width) return text
  if (width <= 1) return text.slice(0, width)
  const tail = Math.floor((width - 1) / 2)
  return `${text.slice(0, width - 1 - tail)}…${text.slice(text.length - tail)}`
}

/**
 * Widths for columns that share what is left of a line: each gets what it needs when all fit,
 * otherwise the narrow ones keep theirs and the rest share the remainder equally.
 */
export function shareWidths(needed: number[], available: number): number[] {
  const widths = [...needed]
  let open = needed.map((_, i) => i)
  let left = available
  while (open.length > 0) {
    const share = Math.floor(left / open.length)
    const narrow = open.filter((i) => needed[i] <= share)
    if (narrow.length === 0) {
      for (const i of open) widths[i] = Math.max(8, share)
      break
    }
    for (const i of narrow) left -= needed[i]
    open = open.filter((i) => needed[i] > share)
  }
  return widths
}

/** Which columns give way when a table is wider than the terminal. */
export interface Fit {
  /** Names: cut in the middle with `…` (both ends tell similar names apart). */
  cut?: number[]
  /** Free text: wrapped at spaces onto continuation lines, so nothing is lost. */
  wrap?: number[]
}

/**
 * A table that fits `width` (kubectl's layout): when the content is wider, the `cut` and `wrap`
 * columns share what the others leave, as `shareWidths` decides.
 */
export function fittedTable(head: string[], rows: string[][], width: number, { cut = [], wrap = [] }: Fit): string {
  const flexible = [...cut, ...wrap]
  const needed = head.map((h, i) => widest(rows.map((r) => r[i] ?? ''), h.length))
  const fixed = needed.reduce((sum, w, i) => sum + (flexible.includes(i) ? 0 : w), 0) + GAP.length * (head.length - 1)
  const shared = shareWidths(flexible.map((i) => needed[i]), width - fixed)
  const widths = needed.map((w, i) => (flexible.includes(i) ? Math.min(w, shared[flexible.indexOf(i)]) : w))
  return [head, ...rows].map((row) => {
    const cells = row.map((cell, i) => (wrap.includes(i) ? wrapText(cell, widths[i]) : [truncate(cell, widths[i])]))
    const height = Math.max(...cells.map((c) => c.length))
    return Array.from({ length: height }, (_, line) => columnsLine(cells.map((c) => c[line] ?? ''), widths)).join('')
  }).join('')
}

/** Lines of at most `width`, broken at spaces (a word longer than a line is cut into pieces). */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = []
  let line = ''
  for (let word of text.split(' ')) {
    while (word.length > width) {
      if (line) lines.push(line)
      lines.push(word.slice(0, width))
      word = word.slice(width)
      line = ''
    }
    if (!line) line = word
    else if (line.length + 1 + word.length <= width) line += ` ${word}`
    else {
      lines.push(line)
      line = word
    }
  }
  return [...lines, line]
}
