import { join, resolve } from 'node:path'

/** `../shared/fixtures` next to the project: real MindSpore files, read-only, never copied into the repo. */
export const FIXTURES = resolve(__dirname, '../../../shared/fixtures')
export const REAL = join(FIXTURES, 'real')
export const ORACLE = join(FIXTURES, 'mindspore-oracle')
export const RANK_TABLES = join(FIXTURES, 'rank-tables')

export function real(name: string): string {
  return join(REAL, name)
}

export function oracle(...parts: string[]): string {
  return join(ORACLE, ...parts)
}
