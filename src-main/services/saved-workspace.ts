import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { SavedWorkspace } from '../api/contract'

/**
 * The workspace (open items and the pairs the user made) kept across sessions in the config folder. Its absence
 * is what "first launch" means: only then does the app open the sample by itself.
 */
export class SavedWorkspaceFile {
  constructor(private readonly file: string) {}

  load(): SavedWorkspace | null {
    let text: string
    try {
      text = readFileSync(this.file, 'utf8')
    } catch {
      return null
    }
    try {
      return sanitize(JSON.parse(text))
    } catch {
      // A damaged file is not a first launch: the user had a workspace, so the sample stays closed.
      return { items: [], pairs: [] }
    }
  }

  save(workspace: SavedWorkspace): boolean {
    try {
      mkdirSync(dirname(this.file), { recursive: true })
      writeFileSync(`${this.file}.tmp`, JSON.stringify(workspace, null, 2))
      renameSync(`${this.file}.tmp`, this.file)
      return true
    } catch {
      // A read-only config folder costs only the memory of the workspace.
      return false
    }
  }
}

function sanitize(value: unknown): SavedWorkspace {
  const record = (value ?? {}) as Partial<SavedWorkspace>
  const isPath = (p: unknown): p is string => typeof p === 'string' && p.length > 0
  return {
    items: (Array.isArray(record.items) ? record.items : [])
      .filter((i) => isPath(i?.path))
      .map((i) => ({ path: i.path, ...(i.sample === true ? { sample: true } : {}) })),
    pairs: (Array.isArray(record.pairs) ? record.pairs : [])
      .filter((p) => isPath(p?.strategy) && isPath(p?.folder))
      .map((p) => ({ strategy: p.strategy, folder: p.folder }))
  }
}
