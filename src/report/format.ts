// Shared building blocks of the text renderers.
import Table from 'cli-table3'
import { stringify } from 'yaml'

/** A borderless, header-underlined table that stays narrow enough for truth tables. */
export function compactTable(head: string[]): Table.Table {
  return new Table({
    head,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 1 },
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '',
      'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: ' ',
    },
  })
}

export function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0 })
}

export function indent(text: string, by: string): string {
  return text.trimEnd().split('\n').map((line) => (line ? by + line : '')).join('\n')
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}
