import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ClusterProfile } from '../../src-main/engine/cluster/cluster-profile'

/**
 * A cluster of real OpenSSH nodes on this machine for tests (toolchain.md §8). As root: one network namespace per
 * node on a private bridge in 10.231.0.0/16 (or the `network` given), each sshd in its own mount namespace where /mnt/data is that node's
 * private folder (and /mnt/shared a folder some nodes share), so a file pushed to node 1 is really absent on node
 * 0. Without root or `ip netns`: several sshd on 127.0.0.1 ports with separate roots. Everything started is
 * stopped by PID in `close()`, also when the test fails or the process exits early.
 */
export type ClusterMode = 'netns' | 'loopback'

export interface TestNode {
  name: string
  address: string
  port: number
  /** This node's private data as the host sees it (for assertions). */
  dataDir: string
  /** The same folder as the node sees it; use it as the remote root. */
  remoteRoot: string
  hostKey: string
  pid: number
  /** Host-side veth of the node's link (netns mode). */
  link?: string
}

export interface TestClusterOptions {
  nodes: number
  /** Nodes whose remote root is one shared folder. */
  shared?: number[]
  /** Nodes whose data is a tmpfs of this many bytes (a disk that fills up); netns mode only. */
  smallDisk?: { node: number; bytes: number }
  /** Hardware model of test/fixtures/npu-smi/<model> each node's fake npu-smi prints; absent: no npu-smi. */
  npuSmi?: Record<number, '910' | '910b' | '310p'>
  /**
   * Names and addresses of this cluster's own: a helper's prefix for namespaces, links and the bridge, and the
   * first two octets of its /16 (default `sscl` and `10.231.`), so tests of several helpers never collide.
   */
  network?: { prefix: string; subnet: string }
  /** Give each node its own UTS namespace with host name `node-<i>` (netns mode), as real servers have. */
  hostnames?: boolean
}

export interface TestCluster {
  mode: ClusterMode
  nodes: TestNode[]
  clientKey: string
  scratch: string
  /** The node's folder as the host sees it, even for a tmpfs that only exists inside its mount namespace. */
  hostPath(node: number, remotePath: string): string
  profile(pinKeys?: boolean): ClusterProfile
  /** Slows the link to a node (netns mode): uploads to it crawl, so a push can be stopped mid-file. */
  slowLink(node: number, rate: string): void
  stopNode(node: number): Promise<void>
  close(): Promise<void>
  /** A known_hosts file with every node's host key, for OpenSSH clients (mpirun's ssh) that must not guess. */
  knownHosts(): string
  /** The OpenSSH client command that logs in to the nodes with the client key, pinned keys and no prompts. */
  sshCommand(): string
  /** The bridge's network in CIDR form (`10.232.7.0/24`; `127.0.0.1/32` in loopback mode), for mpirun's --mca. */
  subnet: string
}

const FIXTURES = join(__dirname, '../fixtures/npu-smi')
const SUBNET_PREFIX = '10.231.'
const run = (cmd: string, args: string[]) => {
  const result = spawnSync(cmd, args, { encoding: 'utf8' })
  if (result.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} failed: ${result.stderr || result.error?.message}`)
  return result.stdout
}
const quiet = (cmd: string, args: string[]) => void spawnSync(cmd, args, { stdio: 'ignore' })

export function clusterMode(): ClusterMode {
  if (process.env.SHARDSCOPE_CLUSTER_MODE === 'loopback') return 'loopback'
  if (process.getuid?.() !== 0) return 'loopback'
  const probe = spawnSync('ip', ['netns', 'list'], { stdio: 'ignore' })
  return probe.status === 0 && spawnSync('unshare', ['--version'], { stdio: 'ignore' }).status === 0
    ? 'netns'
    : 'loopback'
}

function fakeNpuSmi(dir: string, model: string): string {
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

function waitForPort(host: string, port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) return reject(new Error(`sshd exited: ${log()}`))
      const socket = connect({ host, port })
      socket.once('connect', () => {
        socket.destroy()
        resolve()
      })
      socket.once('error', () => {
        socket.destroy()
        if (Date.now() > deadline) reject(new Error(`sshd on ${host}:${port} did not start: ${log()}`))
        else setTimeout(attempt, 50)
      })
    }
    attempt()
  })
}

export async function startTestCluster(options: TestClusterOptions): Promise<TestCluster> {
  const mode = clusterMode()
  const id = randomBytes(2).toString('hex')
  const prefix = options.network?.prefix ?? 'sscl'
  const subnetPrefix = options.network?.subnet ?? SUBNET_PREFIX
  if (!/^[a-z]{2,6}$/.test(prefix) || !/^10\.\d{1,3}\.$/.test(subnetPrefix))
    throw new Error(`bad test network ${prefix} ${subnetPrefix}: a short lower-case prefix and "10.N."`)
  const scratch = mkdtempSync(join(tmpdir(), `${prefix}-`))
  const children: ChildProcess[] = []
  const links: string[] = []
  const namespaces: string[] = []
  const bridge = `${prefix}${id}br`
  const octet = 1 + (randomBytes(1)[0]! % 250)
  let closed = false
  const teardown = () => {
    if (closed) return
    closed = true
    for (const child of children) if (child.pid && child.exitCode === null) child.kill('SIGKILL')
    for (const link of links) quiet('ip', ['link', 'del', link])
    if (mode === 'netns') quiet('ip', ['link', 'del', bridge])
    for (const ns of namespaces) quiet('ip', ['netns', 'del', ns])
    rmSync(scratch, { recursive: true, force: true })
  }
  process.once('exit', teardown)

  try {
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(scratch, 'client_key')])
    const shared = join(scratch, 'shared')
    mkdirSync(shared)
    if (mode === 'netns') {
      mkdirSync('/run/sshd', { recursive: true })
      run('ip', ['link', 'add', bridge, 'type', 'bridge'])
      run('ip', ['addr', 'add', `${subnetPrefix}${octet}.1/24`, 'dev', bridge])
      run('ip', ['link', 'set', bridge, 'up'])
    }
    const nodes: TestNode[] = []
    for (let i = 0; i < options.nodes; i++) {
      const dir = join(scratch, `node${i}`)
      const data = join(dir, 'data')
      mkdirSync(data, { recursive: true })
      run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_ed25519')])
      writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(scratch, 'client_key.pub')))
      const hostKey = run('ssh-keygen', ['-lf', join(dir, 'host_ed25519.pub')]).split(' ')[1]!
      const address = mode === 'netns' ? `${subnetPrefix}${octet}.${10 + i}` : '127.0.0.1'
      const port = mode === 'netns' ? 22 : 20000 + (randomBytes(2).readUInt16BE() % 20000)
      const model = options.npuSmi?.[i]
      const bin = model ? fakeNpuSmi(dir, model) : undefined
      const isShared = options.shared?.includes(i) === true
      const remoteRoot =
        mode === 'netns' ? (isShared ? '/mnt/shared' : '/mnt/data') : isShared ? shared : data
      writeFileSync(
        join(dir, 'sshd_config'),
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
          'Subsystem sftp internal-sftp',
          `SetEnv PATH=${bin ? `${bin}:` : ''}/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
          ''
        ].join('\n')
      )
      run('/usr/sbin/sshd', ['-t', '-f', join(dir, 'sshd_config')])
      let child: ChildProcess
      let link: string | undefined
      if (mode === 'netns') {
        const ns = `${prefix}-${id}-${i}`
        link = `${prefix}${id}h${i}`
        const peer = `${prefix}${id}n${i}`
        run('ip', ['netns', 'add', ns])
        namespaces.push(ns)
        run('ip', ['link', 'add', link, 'type', 'veth', 'peer', 'name', peer])
        links.push(link)
        run('ip', ['link', 'set', peer, 'netns', ns])
        run('ip', ['link', 'set', link, 'master', bridge])
        run('ip', ['link', 'set', link, 'up'])
        run('ip', ['netns', 'exec', ns, 'ip', 'addr', 'add', `${address}/24`, 'dev', peer])
        run('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', peer, 'up'])
        run('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up'])
        const disk =
          options.smallDisk?.node === i
            ? `mount -t tmpfs -o size=${options.smallDisk.bytes} tmpfs /mnt/data`
            : `mount --bind '${data}' /mnt/data`
        const script = [
          ...(options.hostnames ? [`hostname node-${i}`] : []),
          'mount -t tmpfs -o size=1m tmpfs /mnt',
          'mkdir -p /mnt/data /mnt/shared',
          disk,
          `mount --bind '${shared}' /mnt/shared`,
          `exec /usr/sbin/sshd -D -e -f '${join(dir, 'sshd_config')}'`
        ].join(' && ')
        child = spawn(
          'ip',
          [
            'netns',
            'exec',
            ns,
            'unshare',
            '--mount',
            ...(options.hostnames ? ['--uts'] : []),
            '--propagation',
            'private',
            'sh',
            '-c',
            script
          ],
          { stdio: ['ignore', 'ignore', 'pipe'] }
        )
      } else {
        child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')], {
          stdio: ['ignore', 'ignore', 'pipe']
        })
      }
      children.push(child)
      let log = ''
      child.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)))
      await waitForPort(address, port, child, () => log)
      nodes.push({
        name: `node-${i}`,
        address,
        port,
        dataDir: isShared ? shared : data,
        remoteRoot,
        hostKey,
        pid: child.pid!,
        ...(link ? { link } : {})
      })
    }
    const clientKey = join(scratch, 'client_key')
    const knownHosts = () => {
      const path = join(scratch, 'known_hosts')
      const lines = nodes.map((node, i) => {
        const key = readFileSync(join(scratch, `node${i}`, 'host_ed25519.pub'), 'utf8').split(' ')
        const host = node.port === 22 ? node.address : `[${node.address}]:${node.port}`
        return `${host} ${key[0]} ${key[1]}`
      })
      writeFileSync(path, lines.join('\n') + '\n')
      return path
    }
    const cluster: TestCluster = {
      mode,
      nodes,
      clientKey,
      scratch,
      subnet: mode === 'netns' ? `${subnetPrefix}${octet}.0/24` : '127.0.0.1/32',
      knownHosts,
      sshCommand() {
        return `ssh -i ${clientKey} -o UserKnownHostsFile=${knownHosts()} -o BatchMode=yes -o LogLevel=ERROR`
      },
      hostPath(node, remotePath) {
        return join(`/proc/${nodes[node]!.pid}/root`, remotePath)
      },
      profile(pinKeys = true) {
        const servers: ClusterProfile['servers'] = {}
        for (const node of nodes) {
          // Only addresses this test created: its own bridge's subnet, or loopback.
          const own =
            mode === 'netns'
              ? node.address.startsWith(`${subnetPrefix}${octet}.`)
              : node.address === '127.0.0.1'
          if (!own) throw new Error(`refusing to target ${node.address}: not on this test's own network`)
          servers[node.name] = {
            host: node.address,
            port: node.port,
            remoteRoot: node.remoteRoot,
            ...(pinKeys ? { hostKey: node.hostKey } : {})
          }
        }
        return {
          format: 'shardscope-cluster',
          version: 1,
          defaults: { user: 'root', identityFile: clientKey },
          servers
        }
      },
      slowLink(node, rate) {
        const link = nodes[node]!.link
        if (!link) return
        run('tc', [
          'qdisc',
          'add',
          'dev',
          link,
          'root',
          'tbf',
          'rate',
          rate,
          'burst',
          '16kb',
          'latency',
          '400ms'
        ])
      },
      async stopNode(node) {
        const child = children[node]!
        if (child.exitCode !== null) return
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        await exited
      },
      async close() {
        const waits = children
          .filter((c) => c.exitCode === null)
          .map((c) => new Promise((resolve) => c.once('exit', resolve)))
        for (const child of children) if (child.exitCode === null) child.kill('SIGTERM')
        await Promise.race([Promise.all(waits), new Promise((resolve) => setTimeout(resolve, 3000))])
        teardown()
        process.removeListener('exit', teardown)
      }
    }
    return cluster
  } catch (err) {
    teardown()
    process.removeListener('exit', teardown)
    throw err
  }
}

/** A line for the test output saying which mode ran, as the issue asks. */
export function describeMode(cluster: TestCluster): string {
  return cluster.mode === 'netns'
    ? `cluster tests: ${cluster.nodes.length} sshd nodes in network namespaces (mount namespaces, private /mnt/data)`
    : `cluster tests: ${cluster.nodes.length} sshd on 127.0.0.1 ports with separate roots (namespaces not permitted here)`
}
