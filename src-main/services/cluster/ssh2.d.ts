// The parts of ssh2 1.17 that the transport uses. Written here rather than taken from @types/ssh2, whose
// dependency on @types/node 18 would install a second, conflicting copy of Node's types.
declare module 'ssh2' {
  import type { EventEmitter } from 'node:events'
  import type { Duplex, Readable } from 'node:stream'

  export interface ConnectConfig {
    host?: string
    port?: number
    username?: string
    privateKey?: Buffer | string
    agent?: string
    sock?: Duplex
    readyTimeout?: number
    keepaliveInterval?: number
    keepaliveCountMax?: number
    hostVerifier?: (key: Buffer) => boolean
  }

  export interface Stats {
    size: number
    mode: number
    isDirectory(): boolean
    isFile(): boolean
  }

  export interface FileEntry {
    filename: string
    attrs: Stats
  }

  type Callback<T = void> = (err: (Error & { code?: number | string }) | undefined | null, result: T) => void

  export interface SFTPWrapper extends EventEmitter {
    /** Set from the server's limits@openssh.com answer. */
    _maxWriteLen?: number
    open(path: string, flags: string, cb: Callback<Buffer>): void
    close(handle: Buffer, cb: Callback): void
    write(handle: Buffer, buf: Buffer, off: number, len: number, position: number, cb: Callback): void
    stat(path: string, cb: Callback<Stats>): void
    readdir(path: string, cb: Callback<FileEntry[]>): void
    mkdir(path: string, cb: Callback): void
    unlink(path: string, cb: Callback): void
    rmdir(path: string, cb: Callback): void
    readFile(path: string, cb: Callback<Buffer>): void
    writeFile(path: string, data: Buffer | string, cb: Callback): void
    ext_openssh_rename(from: string, to: string, cb: Callback): void
    ext_openssh_statvfs(
      path: string,
      cb: Callback<{ f_bavail: number; f_frsize: number; f_bsize: number }>
    ): void
    end(): void
  }

  export interface ClientChannel extends Duplex {
    stderr: Readable
  }

  export class Client extends EventEmitter {
    connect(config: ConnectConfig): this
    sftp(cb: Callback<SFTPWrapper>): void
    exec(command: string, cb: Callback<ClientChannel>): void
    forwardOut(
      srcIP: string,
      srcPort: number,
      dstIP: string,
      dstPort: number,
      cb: Callback<ClientChannel>
    ): void
    end(): void
    destroy(): void
  }
}
