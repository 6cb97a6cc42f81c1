// kubectl's table layout for the text reports: plain aligned columns, upper-case headers, no box
// lines, fitted to the terminal width.
import { describe, expect, it } from 'vitest'
import { fittedTable, wrapText } from '../../src/report/columns.js'

describe('a table fitted to the terminal width', () => {
  const rows = [['shop/frontend-with-a-long-name', 'TCP/80', 'ingress: isolated by shop/deny-all, no rule matches']]

  it('prints columns three spaces apart with the last one unpadded, as they are when they fit', () => {
    expect(fittedTable(['FROM', 'PORT', 'RULE'], rows, 200, { cut: [0], wrap: [2] })).toBe(
      'FROM                             PORT     RULE\n' +
      'shop/frontend-with-a-long-name   TCP/80   ingress: isolated by shop/deny-all, no rule matches\n')
  })

  it('cuts names in the middle and wraps text at spaces so that no line is wider than the width', () => {
    const text = fittedTable(['FROM', 'PORT', 'RULE'], rows, 60, { cut: [0], wrap: [2] })
    expect(text).toBe(
      'FROM                       PORT     RULE\n' +
      'shop/fronten…a-long-name   TCP/80   ingress: isolated by\n' +
      '                                    shop/deny-all, no rule\n' +
      '                                    matches\n')
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(60)
  })

  it('wraps a word longer than the line into pieces', () => {
    expect(wrapText('a verylongword b', 5)).toEqual(['a', 'veryl', 'ongwo', 'rd b'])
  })
})
