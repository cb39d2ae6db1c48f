import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import type { ItemKind, RecentItem } from '../api/contract'

const LIMIT = 12

/** The paths a user opened lately, kept in their config folder across sessions. */
export class RecentItems {
  constructor(
    readonly file = join(
      process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'),
      'shardscope',
      'recent.json'
    )
  ) {}

  list(): RecentItem[] {
    try {
      const items = JSON.parse(readFileSync(this.file, 'utf8')) as RecentItem[]
      return Array.isArray(items) ? items.slice(0, LIMIT) : []
    } catch {
      return []
    }
  }

  add(path: string, kind: ItemKind): void {
    this.write(
      [
        { path, kind, openedAt: new Date().toISOString() },
        ...this.list().filter((i) => i.path !== path)
      ].slice(0, LIMIT)
    )
  }

  remove(path: string): RecentItem[] {
    const items = this.list().filter((i) => i.path !== path)
    this.write(items)
    return items
  }

  private write(items: RecentItem[]): void {
    try {
      mkdirSync(dirname(this.file), { recursive: true })
      writeFileSync(this.file, JSON.stringify(items, null, 2))
    } catch {
      // A read-only home only costs the list of recent items.
    }
  }
}
