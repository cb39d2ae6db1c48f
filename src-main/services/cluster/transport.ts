/**
 * What the cluster services need from a node, and nothing more: run a command, and read, write and rename files.
 * SSH (ssh-transport.ts) is the one implementation; worker runs and tests reuse it through this interface.
 */
export interface RemoteEntry {
  name: string
  size: number
  isDirectory: boolean
}

export interface ExecResult {
  code: number
  stdout: string
  stderr: string
}

/** An open remote file written at explicit offsets; writes may be in flight together, in order. */
export interface RemoteWriter {
  write(data: Buffer, position: number): Promise<void>
  close(): Promise<void>
}

export interface Transport {
  readonly server: string
  /** Largest write the node takes in one request; bigger writes would be split and could land out of order. */
  readonly maxWriteBytes: number
  exec(command: string): Promise<ExecResult>
  stat(path: string): Promise<RemoteEntry | undefined>
  list(path: string): Promise<RemoteEntry[]>
  mkdirp(path: string): Promise<void>
  /** `truncate`: start empty; otherwise keep what is there (to continue a partial file). */
  openWrite(path: string, mode: 'truncate' | 'keep'): Promise<RemoteWriter>
  readSmallFile(path: string): Promise<Buffer>
  writeSmallFile(path: string, data: Buffer): Promise<void>
  /** Atomic, replacing the target if it exists (POSIX rename). */
  rename(from: string, to: string): Promise<void>
  remove(path: string): Promise<void>
  /** Removes an empty directory; false when it is not empty or not there. */
  removeDirectory(path: string): Promise<boolean>
  /** Bytes free for an unprivileged writer at `path`, when the node can say. */
  freeBytes(path: string): Promise<number | undefined>
  close(): Promise<void>
}

/** One argument quoted for a POSIX shell. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`
}

export function joinRemote(...parts: string[]): string {
  return parts
    .join('/')
    .replace(/\/{2,}/g, '/')
    .replace(/(.)\/$/, '$1')
}
