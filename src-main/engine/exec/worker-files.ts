import { LOCK_NAME } from './destination-lock'

/** Held for a moment by a worker while it checks the folder and writes its manifest, so workers set up in turn. */
export const SETUP_LOCK_NAME = '.shardscope-lock.setup'

const WORKER_FILE =
  /^(shardscope-manifest|\.shardscope-lock|\.shardscope-progress)\.worker-(\d+)-of-(\d+)(\.json)?$/

export type WorkerFileKind = 'manifest' | 'lock' | 'progress'

const KINDS: Record<string, WorkerFileKind> = {
  'shardscope-manifest': 'manifest',
  '.shardscope-lock': 'lock',
  '.shardscope-progress': 'progress'
}

export function workerFileName(kind: WorkerFileKind, index: number, count: number): string {
  const stem = Object.keys(KINDS).find((k) => KINDS[k] === kind)!
  return `${stem}.worker-${index}-of-${count}${kind === 'lock' ? '' : '.json'}`
}

/** For a worker's manifest, lock or progress file name: what it is and whose; undefined for any other name. */
export function parseWorkerFile(
  name: string
): { kind: WorkerFileKind; index: number; count: number } | undefined {
  const match = WORKER_FILE.exec(name)
  if (!match) return undefined
  const kind = KINDS[match[1]!]!
  // Locks have no extension, manifests and progress files are JSON: anything else is not ours.
  if ((kind === 'lock') !== (match[4] === undefined)) return undefined
  return { kind, index: Number(match[2]), count: Number(match[3]) }
}

/** Top-level names that are Shardscope's bookkeeping, whoever's: locks of any scope and workers' files. */
export function isBookkeeping(name: string): boolean {
  return name === LOCK_NAME || name === SETUP_LOCK_NAME || parseWorkerFile(name) !== undefined
}
