import { readFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { connect as connectTcp } from 'node:net'
import type { Duplex } from 'node:stream'
import { Client, type ConnectConfig, type FileEntry, type SFTPWrapper, type Stats } from 'ssh2'
import type { ServerAccess } from '../../engine/cluster/cluster-profile'
import { ShardscopeError } from '../../engine/errors'
import { RemoteShell } from './remote-shell'
import { checkHostKey, HostKeyError } from './host-keys'
import { joinRemote, type ExecResult, type RemoteEntry, type RemoteWriter, type Transport } from './transport'

export interface SshTarget {
  server: string
  access: Partial<ServerAccess>
  /** A fingerprint the user trusted for this run (CLI --trust-host, the app's dialog) before it is pinned. */
  trust?: { host?: string; jump?: string }
}

/** Keys a connection accepted that were not pinned yet: the caller stores them in the profile. */
export interface NewTrust {
  server: string
  fingerprint: string
  jump: boolean
}

const CONNECT_TIMEOUT_MS = 10_000
const SFTP_FAILURE = 4
const SFTP_NO_SUCH_FILE = 2

function expandHome(path: string): string {
  return path.startsWith('~/') ? joinRemote(homedir(), path.slice(2)) : path
}

function unreachable(
  target: SshTarget,
  host: string,
  port: number,
  err: Error & { level?: string; code?: string | number }
) {
  if (err instanceof HostKeyError) return err
  const auth = err.level === 'client-authentication'
  const how = target.access.agent ? 'the ssh-agent' : `the key ${target.access.identityFile ?? '(none)'}`
  return new ShardscopeError(
    'IO_ERROR',
    auth
      ? `${target.server}: SSH login as ${target.access.user} at ${host}:${port} was refused with ${how}.`
      : `${target.server}: cannot reach ${host}:${port} (${err.code ?? err.message}).`
  )
}

async function authConfig(access: Partial<ServerAccess>, server: string): Promise<Partial<ConnectConfig>> {
  if (access.agent) {
    const agent = process.env.SSH_AUTH_SOCK
    if (!agent)
      throw new ShardscopeError('BAD_INPUT', `${server} uses "agent": true but SSH_AUTH_SOCK is not set.`)
    return { agent }
  }
  if (!access.identityFile) throw new ShardscopeError('BAD_INPUT', `${server} has no identity file or agent.`)
  const path = expandHome(access.identityFile)
  try {
    // Read here, in main, and handed only to ssh2: key material never leaves this process or reaches a log.
    return { privateKey: await readFile(path) }
  } catch {
    throw new ShardscopeError('BAD_INPUT', `${server}: cannot read the identity file ${path}.`, {
      file: path
    })
  }
}

function connectClient(config: ConnectConfig, onKeyError: () => HostKeyError | undefined): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client()
    client.once('ready', () => resolve(client))
    client.once('error', (err: Error) => {
      client.destroy()
      reject(onKeyError() ?? err)
    })
    client.connect({ readyTimeout: CONNECT_TIMEOUT_MS, keepaliveInterval: 15_000, ...config })
  })
}

/** Connects (through the jump host when one is set), checking every host key against the pins. */
export async function connectSsh(target: SshTarget, accepted: NewTrust[] = []): Promise<SshTransport> {
  const { access, server } = target
  const host = access.host
  if (!host)
    throw new ShardscopeError('BAD_INPUT', `${server} has no SSH address (host) in the cluster profile.`)
  const port = access.port ?? 22
  const auth = await authConfig(access, server)
  let jumpClient: Client | undefined
  let sock: Duplex | undefined
  if (access.jump) {
    const jump = access.jump
    let jumpError: HostKeyError | undefined
    try {
      jumpClient = await connectClient(
        {
          host: jump.host,
          port: jump.port,
          username: jump.user,
          ...auth,
          hostVerifier: (key) => {
            const verdict = checkHostKey(server, jump.host, key, jump.hostKey, target.trust?.jump, true)
            if (!verdict.ok) jumpError = verdict.error
            else if (verdict.newlyTrusted)
              accepted.push({ server, fingerprint: verdict.fingerprint, jump: true })
            return verdict.ok
          }
        },
        () => jumpError
      )
    } catch (err) {
      throw unreachable(target, jump.host, jump.port, err as Error)
    }
    const through = jumpClient
    sock = await new Promise<Duplex>((resolve, reject) =>
      through.forwardOut('127.0.0.1', 0, host, port, (err, stream) =>
        err ? reject(unreachable(target, host, port, err)) : resolve(stream)
      )
    )
  }
  let keyError: HostKeyError | undefined
  let client: Client
  // Our own socket (ssh2 waits for it to connect), so uploads can cork it: see SshTransport.openWrite.
  sock ??= connectTcp({ host, port })
  try {
    client = await connectClient(
      {
        sock,
        username: access.user,
        ...auth,
        hostVerifier: (key) => {
          const verdict = checkHostKey(server, host, key, access.hostKey, target.trust?.host)
          if (!verdict.ok) keyError = verdict.error
          else if (verdict.newlyTrusted)
            accepted.push({ server, fingerprint: verdict.fingerprint, jump: false })
          return verdict.ok
        }
      },
      () => keyError
    )
  } catch (err) {
    sock.destroy()
    jumpClient?.end()
    throw unreachable(target, host, port, err as Error)
  }
  // The node starts the command shell while it starts SFTP: both are sessions, and a session is slow to start.
  const shell = RemoteShell.open((cb) => client.exec('sh', cb)).catch(() => undefined)
  const sftp = await new Promise<SFTPWrapper>((resolve, reject) =>
    client.sftp((err, s) =>
      err
        ? reject(
            new ShardscopeError(
              'IO_ERROR',
              `${server}: the SFTP subsystem is not available (${err.message}).`
            )
          )
        : resolve(s)
    )
  )
  return new SshTransport(server, client, sftp, sock, jumpClient, shell)
}

function call<T>(
  what: string,
  fn: (cb: (err: (Error & { code?: number | string }) | undefined | null, value: T) => void) => void
): Promise<T> {
  return new Promise((resolve, reject) =>
    fn((err, value) =>
      err ? reject(Object.assign(new Error(`${what}: ${err.message}`), { code: err.code })) : resolve(value)
    )
  )
}

export class SshTransport implements Transport {
  readonly maxWriteBytes: number

  constructor(
    readonly server: string,
    private readonly client: Client,
    private readonly sftp: SFTPWrapper,
    private readonly socket: Duplex,
    private readonly jump?: Client,
    /** Opened with the connection, so the node has started it by the first command (see remote-shell.ts). */
    private shell?: Promise<RemoteShell | undefined>
  ) {
    this.maxWriteBytes = Math.max(4096, sftp._maxWriteLen ?? 32 * 1024)
  }

  private openShell(): Promise<RemoteShell | undefined> {
    return RemoteShell.open((cb) => this.client.exec('sh', cb)).catch(() => undefined)
  }

  async exec(command: string): Promise<ExecResult> {
    // A command may remove any folder: the known ones are checked again afterwards.
    this.forgetDirectories()
    let shell = await (this.shell ??= this.openShell())
    if (shell && !shell.alive) shell = await (this.shell = this.openShell())
    // One command at a time goes through the shell; one started while it is busy gets a session of its own.
    if (shell?.idle)
      return shell.run(command).catch((err: Error) => {
        throw new ShardscopeError('IO_ERROR', `${this.server}: a command stopped halfway (${err.message}).`)
      })
    return this.execInSession(command)
  }

  private execInSession(command: string): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      this.client.exec(command, (err, channel) => {
        if (err)
          return reject(
            new ShardscopeError('IO_ERROR', `${this.server}: cannot run a command (${err.message}).`)
          )
        const out: Buffer[] = []
        const errs: Buffer[] = []
        channel.on('data', (chunk: Buffer) => out.push(chunk))
        channel.stderr.on('data', (chunk: Buffer) => errs.push(chunk))
        channel.on('close', (code: number | null | undefined) =>
          resolve({
            code: code ?? 255,
            stdout: Buffer.concat(out).toString('utf8'),
            stderr: Buffer.concat(errs).toString('utf8')
          })
        )
      })
    })
  }

  async stat(path: string): Promise<RemoteEntry | undefined> {
    try {
      const stats = await call<Stats>('stat', (cb) => this.sftp.stat(path, cb))
      return { name: path.split('/').pop() ?? path, size: stats.size, isDirectory: stats.isDirectory() }
    } catch (err) {
      if ((err as { code?: number }).code === SFTP_NO_SUCH_FILE) return undefined
      throw err
    }
  }

  async list(path: string): Promise<RemoteEntry[]> {
    try {
      const entries = await call<FileEntry[]>('readdir', (cb) => this.sftp.readdir(path, cb))
      return entries.map((e) => ({
        name: e.filename,
        size: e.attrs.size,
        isDirectory: e.attrs.isDirectory()
      }))
    } catch (err) {
      if ((err as { code?: number }).code === SFTP_NO_SUCH_FILE) return []
      throw err
    }
  }

  /** Directories known to exist on this connection, and creations under way (two uploads share a parent). */
  private readonly directories = new Map<string, Promise<void>>()

  /** One round trip when the folder exists; otherwise its missing ancestors are created first. */
  mkdirp(path: string): Promise<void> {
    const normal = joinRemote('/', path)
    let made = this.directories.get(normal)
    if (!made) {
      made = this.makeDirectory(normal)
      this.directories.set(normal, made)
      made.catch(() => this.directories.delete(normal))
    }
    return made
  }

  private async makeDirectory(path: string): Promise<void> {
    if (path === '/' || (await this.stat(path))?.isDirectory) return
    await this.mkdirp(path.slice(0, path.lastIndexOf('/')) || '/')
    await call('mkdir', (cb) => this.sftp.mkdir(path, cb)).catch(async (err) => {
      if (!(await this.stat(path))?.isDirectory) throw err
    })
  }

  private forgetDirectories(under?: string): void {
    for (const dir of this.directories.keys())
      if (under === undefined || dir === under || dir.startsWith(`${under}/`)) this.directories.delete(dir)
  }

  async openWrite(path: string, mode: 'truncate' | 'keep'): Promise<RemoteWriter> {
    const flags = mode === 'truncate' ? 'w' : (await this.stat(path)) ? 'r+' : 'w'
    const handle = await call<Buffer>('open', (cb) => this.sftp.open(path, flags, cb))
    const sftp = this.sftp
    return {
      write: (data, position) => {
        this.corkForThisTick()
        return call('write', (cb) => sftp.write(handle, data, 0, data.length, position, cb))
      },
      close: () => call('close', (cb) => sftp.close(handle, cb))
    }
  }

  private corked = false

  /**
   * ssh2 writes each 32 KiB SSH packet of an SFTP write to the socket on its own; corked until the next tick,
   * the eight packets of a 256 KiB write leave in one writev: one system call instead of eight.
   */
  private corkForThisTick(): void {
    if (this.corked) return
    this.corked = true
    this.socket.cork()
    process.nextTick(() => {
      this.corked = false
      this.socket.uncork()
    })
  }

  readSmallFile(path: string): Promise<Buffer> {
    return call<Buffer>('read', (cb) => this.sftp.readFile(path, cb))
  }

  writeSmallFile(path: string, data: Buffer): Promise<void> {
    return call('write', (cb) => this.sftp.writeFile(path, data, cb))
  }

  rename(from: string, to: string): Promise<void> {
    return call('rename', (cb) => this.sftp.ext_openssh_rename(from, to, cb))
  }

  async removeDirectory(path: string): Promise<boolean> {
    this.forgetDirectories(joinRemote('/', path))
    try {
      await call('rmdir', (cb) => this.sftp.rmdir(path, cb))
      return true
    } catch {
      return false
    }
  }

  async remove(path: string): Promise<void> {
    await call('unlink', (cb) => this.sftp.unlink(path, cb)).catch((err) => {
      if ((err as { code?: number }).code !== SFTP_NO_SUCH_FILE) throw err
    })
  }

  async freeBytes(path: string): Promise<number | undefined> {
    try {
      const vfs = await call<{ f_bavail: number; f_frsize: number; f_bsize: number }>('statvfs', (cb) =>
        this.sftp.ext_openssh_statvfs(path, cb)
      )
      return vfs.f_bavail * (vfs.f_frsize || vfs.f_bsize)
    } catch {
      return undefined
    }
  }

  async close(): Promise<void> {
    void this.shell?.then((shell) => shell?.close())
    this.sftp.end()
    this.client.end()
    this.jump?.end()
  }
}

export function isDiskFull(err: unknown): boolean {
  const code = (err as { code?: number }).code
  return code === SFTP_FAILURE && /no space|quota|failure/i.test((err as Error).message)
}
