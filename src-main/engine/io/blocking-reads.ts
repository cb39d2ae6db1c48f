import { readSync } from 'node:fs'
import { statfs as statfsOfPath } from 'node:fs/promises'
import type { ByteSource } from './byte-source'
import { readFully, type LocalFileSource } from './local-file'

/**
 * How a worker thread reads many small runs (record headers) of a file. `blocking`: `fs.readSync`, 5–15 µs of
 * CPU a read against 50–100 µs for an async `FileHandle.read`, and a blocked worker holds up nobody else.
 * `overlapped`: async reads with several files in flight, which hide the round trips of a network file system.
 */
export type ReadMode = 'blocking' | 'overlapped'

export type StatFs = (path: string) => Promise<{ type: number }>

// statfs(2) f_type of file systems whose reads cross a network (linux/magic.h and the file systems' sources).
const NETWORK_FILE_SYSTEMS = new Set([
  0x6969, // NFS
  0x517b, // SMB (old smbfs)
  0xff534d42, // CIFS
  0xfe534d42, // SMB2/3
  0x0bd00bd0, // Lustre
  0x65735546, // FUSE (sshfs, s3fs, gcsfuse, ...: may be remote)
  0x47504653, // GPFS / Spectrum Scale
  0x00c36400, // CephFS
  0x01021997, // 9p (v9fs)
  0x5346414f, // AFS
  0x6b414653, // kAFS
  0x73757245 // Coda
])

export function isNetworkFileSystem(type: number): boolean {
  // f_type is a signed word on some platforms: compare as unsigned 32 bits.
  return NETWORK_FILE_SYSTEMS.has(type >>> 0)
}

/** Blocking reads on a local file system; overlapped ones on a network one, or when the kind is unknown. */
export async function readModeFor(path: string, statfs: StatFs = statfsOfPath): Promise<ReadMode> {
  try {
    return isNetworkFileSystem((await statfs(path)).type) ? 'overlapped' : 'blocking'
  } catch {
    return 'overlapped'
  }
}

/**
 * A local file read with `fs.readSync` on its descriptor: for a worker thread walking record headers. Failures
 * are worded as `LocalFileSource` words them; closing this closes `file`.
 */
export class BlockingReads implements ByteSource {
  constructor(private readonly file: LocalFileSource) {}

  get name(): string {
    return this.file.name
  }

  get size(): number {
    return this.file.size
  }

  get fd(): number {
    return this.file.fd
  }

  async readInto(target: Uint8Array, offset: number, length: number, position: number): Promise<void> {
    await readFully(this, target, offset, length, position, (at, count, from) =>
      readSync(this.fd, target, at, count, from)
    )
  }

  async close(): Promise<void> {
    await this.file.close()
  }
}
