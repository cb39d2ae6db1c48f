import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ClusterProfile, ServerAccess } from '../../src-main/engine/cluster/cluster-profile'
import { fakeNpuSmi, tcpReachable, waitForSshd, writeSshdConfig } from './sshd-node'
import { NamespaceNetwork, run, testNetwork } from './test-network'

export { testNetwork } from './test-network'

/**
 * A cluster of real OpenSSH nodes on this machine for tests (toolchain.md §8). As root: one network namespace per
 * node on a private bridge in 10.231.0.0/16 (or the network `testNetwork()` names), each sshd in its own mount
 * namespace where /mnt/data is that node's private folder (and /mnt/shared a folder some nodes share), so a file
 * pushed to node 1 is really absent on node 0; a node may sit behind another one, reachable only from that node's
 * namespace (its jump host). Without root or `ip netns`: several sshd on 127.0.0.1 ports with separate roots.
 * Everything started is stopped by PID in `close()`, also when the test fails or the process exits early.
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
  /** The node this one is reached through (`behind`); its profile entry names it as the jump host. */
  jump?: number
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
   * Nodes reachable only through another: `{ 3: 2 }` wires node 3 to node 2's namespace alone, so only node 2
   * (its jump host) reaches it. In loopback mode the node is an ordinary one, still reached through the jump.
   */
  behind?: Record<number, number>
  /** Force the loopback fallback even where namespaces work (to test the fallback itself). */
  mode?: ClusterMode
  /**
   * Names and addresses of this cluster's own, instead of `testNetwork()`'s: a prefix for namespaces, links and
   * the bridge, and the first two octets of its /16 (`10.232` or `10.232.`), so several test files never collide.
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
  /** Every node's access (or only `only`'s), keys pinned unless `pinKeys` is false. */
  profile(pinKeys?: boolean, only?: number[]): ClusterProfile
  /** Slows the link to a node (netns mode): uploads to it crawl, so a push can be stopped mid-file. */
  slowLink(node: number, rate: string): void
  /** Takes a slowLink off again. */
  clearLink(node: number): void
  stopNode(node: number): Promise<void>
  close(): Promise<void>
  /** A known_hosts file with every node's host key, for OpenSSH clients (mpirun's ssh) that must not guess. */
  knownHosts(): string
  /** The OpenSSH client command that logs in to the nodes with the client key, pinned keys and no prompts. */
  sshCommand(): string
  /** The bridge's network in CIDR form (`10.232.7.0/24`; `127.0.0.1/32` in loopback mode), for mpirun's --mca. */
  subnet: string
}

export function clusterMode(): ClusterMode {
  if (process.env.SHARDSCOPE_CLUSTER_MODE === 'loopback') return 'loopback'
  if (process.getuid?.() !== 0) return 'loopback'
  const probe = spawnSync('ip', ['netns', 'list'], { stdio: 'ignore' })
  return probe.status === 0 && spawnSync('unshare', ['--version'], { stdio: 'ignore' }).status === 0
    ? 'netns'
    : 'loopback'
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

interface Planned {
  index: number
  dir: string
  data: string
  address: string
  port: number
  remoteRoot: string
  dataDir: string
  hostKey: string
  command: [string, string[]]
  link?: string
  hidden: boolean
}

export async function startTestCluster(options: TestClusterOptions): Promise<TestCluster> {
  const mode = options.mode ?? clusterMode()
  const { prefix, subnet } = options.network
    ? testNetwork({
        SHARDSCOPE_TEST_NET_PREFIX: options.network.prefix,
        SHARDSCOPE_TEST_SUBNET: options.network.subnet.replace(/\.$/, '')
      })
    : testNetwork()
  const id = randomBytes(2).toString('hex')
  const scratch = mkdtempSync(join(tmpdir(), `${prefix}-`))
  const children: ChildProcess[] = []
  let network: NamespaceNetwork | undefined
  let closed = false
  const teardown = () => {
    if (closed) return
    closed = true
    for (const child of children) if (child.pid && child.exitCode === null) child.kill('SIGKILL')
    network?.teardown()
    rmSync(scratch, { recursive: true, force: true })
  }
  process.once('exit', teardown)

  try {
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(scratch, 'client_key')])
    const shared = join(scratch, 'shared')
    mkdirSync(shared)
    if (mode === 'netns') {
      mkdirSync('/run/sshd', { recursive: true })
      network = new NamespaceNetwork(prefix, subnet, id)
    }
    const namespaces = new Map<number, string>()
    // Jump hosts first: a hidden node's link goes into its jump host's namespace.
    const order = Array.from({ length: options.nodes }, (_, i) => i).sort(
      (a, b) => Number(options.behind?.[a] !== undefined) - Number(options.behind?.[b] !== undefined)
    )
    const planned: Planned[] = []
    for (const i of order) {
      const dir = join(scratch, `node${i}`)
      const data = join(dir, 'data')
      mkdirSync(data, { recursive: true })
      run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_ed25519')])
      writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(scratch, 'client_key.pub')))
      const hostKey = run('ssh-keygen', ['-lf', join(dir, 'host_ed25519.pub')]).split(' ')[1]!
      const model = options.npuSmi?.[i]
      const bin = model ? fakeNpuSmi(dir, model) : undefined
      const isShared = options.shared?.includes(i) === true
      const via = options.behind?.[i]
      if (network) {
        const placed = via === undefined ? network.addNode(i) : network.addHiddenNode(i, namespaces.get(via)!)
        namespaces.set(i, placed.ns)
        const config = writeSshdConfig(dir, placed.address, 22, bin)
        run('/usr/sbin/sshd', ['-t', '-f', config])
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
          `exec /usr/sbin/sshd -D -e -f '${config}'`
        ].join(' && ')
        planned.push({
          index: i,
          dir,
          data,
          address: placed.address,
          port: 22,
          remoteRoot: isShared ? '/mnt/shared' : '/mnt/data',
          dataDir: isShared ? shared : data,
          hostKey,
          command: [
            'ip',
            [
              'netns',
              'exec',
              placed.ns,
              'unshare',
              '--mount',
              ...(options.hostnames ? ['--uts'] : []),
              '--propagation',
              'private',
              'sh',
              '-c',
              script
            ]
          ],
          ...('link' in placed ? { link: placed.link as string } : {}),
          hidden: via !== undefined
        })
      } else {
        const port = await freePort()
        const config = writeSshdConfig(dir, '127.0.0.1', port, bin)
        run('/usr/sbin/sshd', ['-t', '-f', config])
        planned.push({
          index: i,
          dir,
          data,
          address: '127.0.0.1',
          port,
          remoteRoot: isShared ? shared : data,
          dataDir: isShared ? shared : data,
          hostKey,
          command: ['/usr/sbin/sshd', ['-D', '-e', '-f', config]],
          hidden: false
        })
      }
    }
    // All sshd start together; each is waited for in parallel.
    planned.sort((a, b) => a.index - b.index)
    const started = planned.map((node) => {
      const child = spawn(node.command[0], node.command[1], { stdio: ['ignore', 'ignore', 'pipe'] })
      children.push(child)
      let log = ''
      child.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)))
      // A hidden node cannot be reached from here: its pid file says its sshd is listening.
      const ready = node.hidden
        ? async () => existsSync(join(node.dir, 'sshd.pid'))
        : () => tcpReachable(node.address, node.port)
      return waitForSshd(child, () => log, ready).then(() => child)
    })
    await Promise.all(started)
    const nodes: TestNode[] = planned.map((node, i) => ({
      name: `node-${node.index}`,
      address: node.address,
      port: node.port,
      dataDir: node.dataDir,
      remoteRoot: node.remoteRoot,
      hostKey: node.hostKey,
      pid: children[i]!.pid!,
      ...(node.link ? { link: node.link } : {}),
      ...(options.behind?.[node.index] !== undefined ? { jump: options.behind[node.index]! } : {})
    }))
    return makeCluster(mode, nodes, children, scratch, network, teardown)
  } catch (err) {
    teardown()
    process.removeListener('exit', teardown)
    throw err
  }
}

function makeCluster(
  mode: ClusterMode,
  nodes: TestNode[],
  children: ChildProcess[],
  scratch: string,
  network: NamespaceNetwork | undefined,
  teardown: () => void
): TestCluster {
  const clientKey = join(scratch, 'client_key')
  const knownHosts = () => {
    const path = join(scratch, 'known_hosts')
    const lines = nodes.map((node) => {
      const key = readFileSync(join(scratch, node.name.replace('node-', 'node'), 'host_ed25519.pub'), 'utf8')
      const [type, blob] = key.split(' ')
      const host = node.port === 22 ? node.address : `[${node.address}]:${node.port}`
      return `${host} ${type} ${blob}`
    })
    writeFileSync(path, lines.join('\n') + '\n')
    return path
  }
  // Only addresses this test created: its own network's, or loopback.
  const checked = (node: TestNode) => {
    const own = network ? network.owns(node.address) : node.address === '127.0.0.1'
    if (!own) throw new Error(`refusing to target ${node.address}: not on this test's own network`)
    return node
  }
  return {
    mode,
    nodes,
    clientKey,
    scratch,
    subnet: network ? network.cidr : '127.0.0.1/32',
    knownHosts,
    sshCommand() {
      return `ssh -i ${clientKey} -o UserKnownHostsFile=${knownHosts()} -o BatchMode=yes -o LogLevel=ERROR`
    },
    hostPath(node, remotePath) {
      return join(`/proc/${nodes[node]!.pid}/root`, remotePath)
    },
    profile(pinKeys = true, only) {
      const servers: ClusterProfile['servers'] = {}
      for (const node of nodes.filter((_, i) => only === undefined || only.includes(i))) {
        const entry: Partial<ServerAccess> = {
          host: checked(node).address,
          port: node.port,
          remoteRoot: node.remoteRoot,
          ...(pinKeys ? { hostKey: node.hostKey } : {})
        }
        if (node.jump !== undefined) {
          const jump = checked(nodes[node.jump]!)
          entry.jump = {
            host: jump.address,
            port: jump.port,
            user: 'root',
            ...(pinKeys ? { hostKey: jump.hostKey } : {})
          }
        }
        servers[node.name] = entry
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
    clearLink(node) {
      const link = nodes[node]!.link
      if (link) spawnSync('tc', ['qdisc', 'del', 'dev', link, 'root'], { stdio: 'ignore' })
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
}

/** A line for the test output saying which mode ran, as the issue asks. */
export function describeMode(cluster: TestCluster): string {
  if (cluster.mode === 'netns')
    return `cluster tests: ${cluster.nodes.length} sshd nodes in network namespaces (mount namespaces, private /mnt/data)`
  const why = clusterMode() === 'netns' ? 'the loopback fallback, forced' : 'namespaces not permitted here'
  return `cluster tests: ${cluster.nodes.length} sshd on 127.0.0.1 ports with separate roots (${why})`
}
