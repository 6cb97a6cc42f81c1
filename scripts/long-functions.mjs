// Lists the functions in src/ longer than a limit (default 60 lines): `node scripts/long-functions.mjs [limit]`.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import ts from 'typescript'

const limit = Number(process.argv[2] ?? 60)
const files = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [])
const long = []
for (const file of files('src')) {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true)
  const visit = (node) => {
    if (ts.isFunctionLike(node) && node.body) {
      const lines = source.getLineAndCharacterOfPosition(node.end).line - source.getLineAndCharacterOfPosition(node.getStart()).line + 1
      const name = node.name?.getText() ?? (ts.isVariableDeclaration(node.parent) ? node.parent.name.getText() : '(anonymous)')
      if (lines > limit) long.push(`${lines}\t${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}\t${name}`)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
}
console.log(long.sort((a, b) => parseInt(b) - parseInt(a)).join('\n') || `no function over ${limit} lines`)
