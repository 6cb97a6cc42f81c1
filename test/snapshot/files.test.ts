import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { Readable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { InputError } from '../../src/model/errors.js'
import { loadManifestFiles, loadSnapshotFromFiles } from '../../src/snapshot/files.js'

let root: string

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'netpol-files-'))
})

afterEach(async () => {
  await rm(root, { recursive: true, force: true })
})

async function write(relative: string, text: string): Promise<string> {
  const path = join(root, relative)
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, text)
  return path
}

async function inputErrorOf(run: () => Promise<unknown>): Promise<InputError> {
  const error = await run().then(() => undefined, (e: unknown) => e)
  if (error instanceof InputError) return error
  throw new Error(`expected an InputError, got ${String(error)}`)
}

const POD = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n'

describe('loadManifestFiles', () => {
  it('reads every document of a multi-document YAML file, keeping empty documents for the index', async () => {
    const file = await write('all.yaml', `${POD}---\n# only a comment\n---\nkind: Namespace\nmetadata:\n  name: shop\n`)
    expect(await loadManifestFiles([file])).toEqual([
      { file, index: 0, object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' } } },
      { file, index: 1, object: null },
      { file, index: 2, object: { kind: 'Namespace', metadata: { name: 'shop' } } },
    ])
  })

  it('reads JSON files', async () => {
    const file = await write('pod.json', JSON.stringify({ kind: 'Pod', metadata: { name: 'p' } }))
    expect(await loadManifestFiles([file])).toEqual([{ file, index: 0, object: { kind: 'Pod', metadata: { name: 'p' } } }])
  })

  it('recurses into directories, taking .yaml, .yml and .json files in sorted order', async () => {
    await write('b.yml', 'kind: B\n')
    await write('a/z.json', '{"kind": "AZ"}')
    await write('a/notes.txt', 'kind: Ignored\n')
    await write('c.yaml', 'kind: C\n')
    await write('README.md', '# not a manifest\n')
    const kinds = (await loadManifestFiles([root])).map((doc) => (doc.object as { kind: string }).kind)
    expect(kinds).toEqual(['AZ', 'B', 'C'])
  })

  it('reads a file named explicitly whatever its extension', async () => {
    const file = await write('manifest.txt', POD)
    expect(await loadManifestFiles([file])).toHaveLength(1)
  })

  it('reads - from stdin', async () => {
    const docs = await loadManifestFiles(['-'], { stdin: Readable.from([Buffer.from(POD), '---\nkind: Namespace\n']) })
    expect(docs.map((doc) => [doc.file, doc.index])).toEqual([['<stdin>', 0], ['<stdin>', 1]])
  })

  it('keeps the order of the given paths', async () => {
    const second = await write('2.yaml', 'kind: Second\n')
    const first = await write('1.yaml', 'kind: First\n')
    const kinds = (await loadManifestFiles([second, first])).map((doc) => (doc.object as { kind: string }).kind)
    expect(kinds).toEqual(['Second', 'First'])
  })
})

describe('file errors', () => {
  it.each([
    {
      rule: 'YAML syntax error names the document and the line and column',
      name: 'bad.yaml',
      text: `${POD}---\nkind: Pod\nmetadata:\n  name: x\n   labels: [\n`,
      document: 1,
      message: /YAML syntax error at line 8, column 9: Nested mappings are not allowed in compact mappings$/,
    },
    {
      rule: 'duplicate YAML keys are a syntax error',
      name: 'dup.yaml',
      text: 'kind: Pod\nkind: Service\n',
      document: 0,
      message: /YAML syntax error at line 2, column 1: Map keys must be unique/,
    },
    {
      rule: 'JSON syntax error names the line and column',
      name: 'bad.json',
      text: '{\n  "kind": "Pod",\n  "metadata": {"name": "p",}\n}\n',
      document: 0,
      message: /JSON syntax error at line 3, column 28: Expected double-quoted property name$/,
    },
    {
      rule: 'truncated JSON is a syntax error',
      name: 'short.json',
      text: '{"kind": ',
      document: 0,
      message: /JSON syntax error: Unexpected end of JSON input/,
    },
  ])('$rule', async ({ name, text, document, message }) => {
    const file = await write(name, text)
    const error = await inputErrorOf(() => loadManifestFiles([file]))
    expect(error.location).toEqual({ file, document })
    expect(error.message).toMatch(message)
  })

  it('a missing file is named', async () => {
    const missing = join(root, 'nope.yaml')
    const error = await inputErrorOf(() => loadManifestFiles([missing]))
    expect(error.location).toEqual({ file: missing })
    expect(error.message).toBe(`${missing}: no such file or directory`)
  })

  it('a directory without manifests is an error', async () => {
    await write('only.txt', 'hello')
    const error = await inputErrorOf(() => loadManifestFiles([root]))
    expect(error.message).toMatch(/contains no \.yaml, \.yml or \.json files/)
  })
})

describe('loadSnapshotFromFiles', () => {
  it('loads and converts, with validation errors pointing at the file and document', async () => {
    await write('ok.yaml', `${POD}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny\nspec:\n  podSelector: {}\n  ingress: []\n`)
    const snapshot = await loadSnapshotFromFiles([root])
    expect(snapshot.pods.map((pod) => pod.name)).toEqual(['web'])
    expect(snapshot.policies[0].spec).toStrictEqual({ podSelector: {}, ingress: [] })

    const bad = await write('sub/bad.yaml', 'kind: Namespace\nmetadata:\n  name: a\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p\nspec:\n  podSelector: {}\n  ingress:\n  - ports:\n    - port: "80"\n')
    const error = await inputErrorOf(() => loadSnapshotFromFiles([root]))
    expect(error.location).toEqual({ file: bad, document: 1, field: 'spec.ingress[0].ports[0].port' })
  })

  it('passes the default namespace through', async () => {
    const file = await write('pod.yaml', POD)
    expect((await loadSnapshotFromFiles([file], { defaultNamespace: 'dev' })).pods[0].namespace).toBe('dev')
  })
})

describe('YAML as kubectl (sigs.k8s.io/yaml) reads it', () => {
  it.each([
    { rule: 'a tab at the start of a line inside a flow sequence', text: 'kind: Pod\nmetadata:\n  name: p\n  labels: {a: b}\nspec:\n  containers: [\n\t{name: c, ports: [{containerPort: 80}]}]\n', path: ['spec', 'containers', 0, 'name'], expected: 'c' },
    { rule: 'a multi-line quoted scalar whose closing line is indented only as far as its key', text: 'kind: Pod\nmetadata:\n  name: p\n  annotations:\n    note: "first\n    second"\n', path: ['metadata', 'annotations', 'note'], expected: 'first second' },
  ])('accepts $rule', async ({ text, path, expected }) => {
    const [doc] = await loadManifestFiles([await write('m.yaml', text)])
    let value: unknown = doc.object
    for (const key of path) value = (value as Record<string | number, unknown>)[key]
    expect(value).toEqual(expected)
  })

  it('still rejects what kubectl rejects (a tab as indentation), with the line', async () => {
    const error = await inputErrorOf(async () => loadManifestFiles([await write('m.yaml', 'kind: Pod\nmetadata:\n\tname: p\n')]))
    expect(error.message).toMatch(/m\.yaml, document 0: YAML syntax error at line 3/)
  })
})

describe('non-manifest files found in a -f directory', () => {
  it('are skipped with a warning, not a fatal error; named explicitly they are an error', async () => {
    await write('pod.yaml', POD)
    const results = await write('results.json', '[{"from": "a", "to": "b"}]')
    const snapshot = await loadSnapshotFromFiles([root])
    expect(snapshot.pods.map((p) => p.name)).toEqual(['web'])
    expect(snapshot.skipped?.files).toEqual([`${results} is not a Kubernetes object (a list)`])
    await expect(loadSnapshotFromFiles([results])).rejects.toThrow(/expected a Kubernetes object/)
  })
})
