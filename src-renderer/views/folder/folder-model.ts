import type { FolderDescription, StrategyDescription } from '../../../src-main/api/contract'
import { formatBytes } from '../../app/format'
import { listWords, plural } from '../../app/format'

export interface FolderRow {
  rank: number
  stage?: number
  file?: string
  size?: number
  params?: number
  missing: boolean
}

/**
 * The folder's ranks in order, with a row for each missing one: those the folder itself lacks (gaps) and those
 * the active strategy expects beyond the last file.
 */
export function folderRows(
  folder: FolderDescription,
  strategy: StrategyDescription | undefined
): FolderRow[] {
  const devices = strategy?.stageDevices ?? 0
  const expected = strategy && devices > 0 ? strategy.stageCount * devices : 0
  const present = new Set(folder.ranks.map((r) => r.rank))
  const missing = new Set(folder.missingRanks)
  for (let rank = 0; rank < expected; rank++) if (!present.has(rank)) missing.add(rank)
  const stageOf = (rank: number) => (devices > 0 ? { stage: Math.floor(rank / devices) } : {})
  const rows: FolderRow[] = [
    ...folder.ranks.map((r) => ({ ...stageOf(r.rank), ...r, missing: false })),
    ...[...missing].map((rank) => ({ rank, ...stageOf(rank), missing: true }))
  ]
  return rows.sort((a, b) => a.rank - b.rank)
}

const FORMAT_WORDS: Record<FolderDescription['format'], string> = {
  ckpt: 'MindSpore .ckpt files',
  safetensors: '.safetensors files',
  mixed: 'a mix of .ckpt and .safetensors files'
}

/** "7 of 8 ranks (rank 3 missing) · 53.1 KiB in total, 7.59 KiB per file · MindSpore .ckpt files" */
export function folderSentence(folder: FolderDescription, rows: FolderRow[]): string {
  const missing = rows.filter((r) => r.missing).map((r) => r.rank)
  const present = rows.length - missing.length
  const ranks =
    missing.length === 0
      ? plural(present, 'rank')
      : `${present} of ${plural(rows.length, 'rank')} (${missingWords(missing)})`
  const sizes = folder.ranks.map((r) => r.size)
  const low = Math.min(...sizes)
  const high = Math.max(...sizes)
  const perFile =
    sizes.length === 0
      ? ''
      : low === high
        ? `, ${formatBytes(low)} per file`
        : `, ${formatBytes(low)} to ${formatBytes(high)} per file`
  return `${ranks} · ${formatBytes(folder.totalBytes)} in total${perFile} · ${FORMAT_WORDS[folder.format]}`
}

function missingWords(ranks: number[]): string {
  if (ranks.length > 12) return `${ranks.length} missing`
  return `rank${ranks.length === 1 ? '' : 's'} ${listWords(ranks)} missing`
}
