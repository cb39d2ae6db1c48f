import type { ChildProcess } from 'node:child_process'
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'

const FIXTURES = join(__dirname, '../fixtures/npu-smi')

/** An npu-smi that prints the documented output of one hardware model (test/fixtures/npu-smi/<model>). */
export function fakeNpuSmi(dir: string, model: string): string {
  const bin = join(dir, 'bin')
  mkdirSync(bin, { recursive: true })
  const script = `#!/bin/sh
F='${join(FIXTURES, model)}'
case "$*" in
  "info -l") cat "$F/info-l.txt" ;;
  "info -m") cat "$F/info-m.txt" ;;
  "info -t usages -i "*" -c "*) cat "$F/usages-$5-$7.txt" ;;
  *) echo "npu-smi: unsupported arguments: $*" >&2; exit 1 ;;
esac
`
  writeFileSync(join(bin, 'npu-smi'), script)
  chmodSync(join(bin, 'npu-smi'), 0o755)
  return bin
}

/** A throwaway sshd's configuration (toolchain.md §8): its own keys, pid file and authorized keys in `dir`. */
export function writeSshdConfig(dir: string, address: string, port: number, bin?: string): string {
  const path = join(dir, 'sshd_config')
  writeFileSync(
    path,
    [
      `ListenAddress ${address}`,
      `Port ${port}`,
      `HostKey ${join(dir, 'host_ed25519')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin prohibit-password',
      'UsePAM no',
      'StrictModes no',
      // A node may be another node's jump host.
      'AllowTcpForwarding yes',
      'Subsystem sftp internal-sftp',
      `SetEnv PATH=${bin ? `${bin}:` : ''}/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
      ''
    ].join('\n')
  )
  return path
}

/**
 * Resolves once `connect()` reaches the sshd (run inside the node's namespace where the host cannot reach it),
 * rejects when the sshd exits or ten seconds pass.
 */
export function waitForSshd(
  child: ChildProcess,
  log: () => string,
  reachable: () => Promise<boolean>
): Promise<void> {
  const deadline = Date.now() + 10_000
  return new Promise((resolve, reject) => {
    const attempt = async () => {
      if (child.exitCode !== null) return reject(new Error(`sshd exited: ${log()}`))
      if (await reachable()) return resolve()
      if (Date.now() > deadline) return reject(new Error(`sshd did not start: ${log()}`))
      setTimeout(() => void attempt(), 50)
    }
    void attempt()
  })
}

export function tcpReachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => {
      socket.destroy()
      resolve(false)
    })
  })
}
