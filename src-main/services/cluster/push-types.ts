import type { FileHashes } from './content-hash'
import type { HostKeyProblem } from './host-keys'

/**
 * A file planned for one server: where it is here and where it goes under the pushed folder. Its `sha256` and
 * `xxh3_128` are what the manifest vouches for (absent for the strategy files, which it does not hash); the
 * bytes sent must match them.
 */
export interface PlannedFile extends FileHashes {
  relativePath: string
  localPath: string
  size: number
  rank?: number
}

export type FileOutcome =
  'sent' | 'resumed' | 'already-verified' | 'resent-after-mismatch' | 'pending' | 'failed'

export interface FileResult {
  relativePath: string
  size: number
  rank?: number
  sha256?: string
  xxh3_128?: string
  outcome: FileOutcome
  sentBytes: number
  resumedFrom: number
}

export type ServerState =
  | 'queued'
  | 'connecting'
  | 'checking'
  | 'uploading'
  | 'verifying'
  | 'publishing'
  | 'done'
  | 'failed'
  | 'cancelled'

export interface ServerResult {
  server: string
  state: ServerState
  /** `done` with nothing sent: everything on the node was already published and verified. */
  alreadyComplete: boolean
  /** Another server that shares this one's storage and wrote the files for both. */
  sharedWith?: string
  hashTool?: string
  remoteFolder?: string
  message?: string
  /** Old checkpoint files found in a destination rank_N/, moved to .shardscope-replaced/ so only the new one stays. */
  movedAside: string[]
  files: FileResult[]
  bytesSent: number
  bytesTotal: number
  /** Set when the failure was an unknown or changed host key, so a shell can offer to trust it. */
  hostKey?: HostKeyProblem
}

export interface PushEvent {
  server: string
  state: ServerState
  file?: { relativePath: string; bytesDone: number; size: number; outcome?: FileOutcome }
  bytesSent: number
  bytesTotal: number
  message?: string
}
