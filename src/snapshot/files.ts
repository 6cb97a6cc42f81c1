// The filesystem edge of the offline snapshot: manifest files, directories and stdin → parsed documents.
import { readdir, readFile, stat } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { loadAll } from 'js-yaml'
import { parseAllDocuments, type YAMLError } from 'yaml'
import type { ClusterSnapshot } from '../model/cluster.js'
import { InputError, type InputLocation } from '../model/errors.js'
import { snapshotFromObjects, type ManifestDocument, type SnapshotOptions } from './objects.js'

const MANIFEST_EXTENSIONS = ['.yaml', '.yml', '.json']
const STDIN_PATH = '-'
const STDIN_NAME = '<stdin>'

export interface LoadOptions {
  /** Read for the path `-`; defaults to process.stdin. */
  stdin?: AsyncIterable<string | Buffer>
}

export async function loadSnapshotFromFiles(paths: string[], options: SnapshotOptions & LoadOptions = {}): Promise<ClusterSnapshot> {
  return snapshotFromObjects(await loadManifestFiles(paths, options), options)
}

/** Every document of every manifest; directories are searched recursively for *.yaml, *.yml and *.json. */
export async function loadManifestFiles(paths: string[], options: LoadOptions = {}): Promise<ManifestDocument[]> {
  const documents: ManifestDocument[] = []
  for (const path of paths) {
    if (path === STDIN_PATH) {
      documents.push(...parseManifest(STDIN_NAME, await readAll(options.stdin ?? process.stdin)))
      continue
    }
    const files = await filesAt(path, { extensions: MANIFEST_EXTENSIONS, recursive: true, none: 'directory contains no .yaml, .yml or .json files' })
    const searched = files.length !== 1 || files[0] !== path
    for (const file of files) {
      documents.push(...parseManifest(file, await readText(file)).map((d) => (searched ? { ...d, searched } : d)))
    }
  }
  return documents
}

export interface FileSearch {
  /** Lowercase, with the dot: `.yaml`. */
  extensions: string[]
  /** Search subdirectories too. */
  recursive: boolean
  /** The error when a directory holds no such file. */
  none: string
}

/**
 * The input files a path names: the file itself, or the files of a directory with one of the
 * extensions, sorted by name. Shared by manifests (-f), scenario files and the drill catalogue.
 */
export async function filesAt(path: string, search: FileSearch): Promise<string[]> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new InputError(error.code === 'ENOENT' ? 'no such file or directory' : `cannot read: ${error.message}`, { file: path })
  })
  if (!info.isDirectory()) return [path]
  const files = await filesUnder(path, search)
  if (files.length === 0) throw new InputError(search.none, { file: path })
  return files
}

async function filesUnder(directory: string, search: FileSearch): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true })
  const sorted = entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const files: string[] = []
  for (const entry of sorted) {
    const path = join(directory, entry.name)
    if (entry.isDirectory()) {
      if (search.recursive) files.push(...(await filesUnder(path, search)))
    } else if (search.extensions.includes(extname(entry.name).toLowerCase())) files.push(path)
  }
  return files
}

export async function readText(file: string): Promise<string> {
  return readFile(file, 'utf8').catch((error: Error) => {
    throw new InputError(`cannot read: ${error.message}`, { file })
  })
}

async function readAll(stream: AsyncIterable<string | Buffer>): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
  return Buffer.concat(chunks).toString('utf8')
}

function parseManifest(file: string, text: string): ManifestDocument[] {
  return file.toLowerCase().endsWith('.json') ? [parseJson(file, text)] : parseYaml(file, text)
}

/**
 * kubectl reads YAML with sigs.k8s.io/yaml (go-yaml v2), which is more lenient than the `yaml`
 * package about tabs inside flow collections and the indentation of multi-line quoted scalars. A
 * file the strict parser rejects is read again with js-yaml, which accepts what go-yaml accepts
 * there; when that fails too, the strict parser's error (with its line and column) is reported.
 * Scalars are YAML 1.2 (`y`, `yes`, `on` stay strings, `010` is 10), where go-yaml reads YAML 1.1
 * booleans and octal: the README says so.
 */
function parseYaml(file: string, text: string): ManifestDocument[] {
  const documents = parseAllDocuments(text)
  const failed = Array.from(documents).findIndex((d) => d.errors.length > 0)
  if (failed < 0) return Array.from(documents, (document, index) => ({ file, index, object: document.toJS() as unknown }))
  const lenient = readLeniently(text)
  if (lenient) return lenient.map((object, index) => ({ file, index, object }))
  throw yamlSyntaxError(Array.from(documents)[failed].errors[0], { file, document: failed })
}

function readLeniently(text: string): unknown[] | undefined {
  try {
    return loadAll(text)
  } catch {
    return undefined
  }
}

function parseJson(file: string, text: string): ManifestDocument {
  try {
    return { file, index: 0, object: JSON.parse(text) as unknown }
  } catch (error) {
    const reason = (error as Error).message
    const offset = /at position (\d+)/.exec(reason)?.[1]
    const where = offset === undefined ? '' : ` at ${lineAndColumn(text, Number(offset))}`
    throw new InputError(`JSON syntax error${where}: ${reason.replace(/ in JSON at position \d+.*$/, '')}`, { file, document: 0 })
  }
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n')
  return `line ${before.length}, column ${before[before.length - 1].length + 1}`
}

/** One line for a YAML syntax error: the position and the reason (yaml's message repeats the position and adds a code excerpt). */
export function yamlSyntaxError(error: YAMLError, location: InputLocation): InputError {
  const position = error.linePos?.[0]
  const where = position ? ` at line ${position.line}, column ${position.col}` : ''
  const reason = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')
  return new InputError(`YAML syntax error${where}: ${reason}`, location)
}
