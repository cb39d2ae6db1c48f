import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'

/**
 * The names and addresses a test cluster may use: interface and namespace names start with `prefix`, addresses
 * lie in `<subnet>.0.0/16`. Several agents share this machine, each with its own pair, chosen with
 * SHARDSCOPE_TEST_NET_PREFIX and SHARDSCOPE_TEST_SUBNET (default sscl and 10.231).
 */
export function testNetwork(env: NodeJS.ProcessEnv = process.env): { prefix: string; subnet: string } {
  const prefix = env.SHARDSCOPE_TEST_NET_PREFIX || 'sscl'
  const subnet = env.SHARDSCOPE_TEST_SUBNET || '10.231'
  if (!/^[a-z]{2,5}$/.test(prefix))
    throw new Error(`SHARDSCOPE_TEST_NET_PREFIX must be 2 to 5 lower-case letters, got "${prefix}"`)
  const match = /^10\.(\d{1,3})$/.exec(subnet)
  if (!match || Number(match[1]) > 255)
    throw new Error(`SHARDSCOPE_TEST_SUBNET must be "10.<0-255>" (a /16 of 10.0.0.0/8), got "${subnet}"`)
  return { prefix, subnet }
}

export function run(cmd: string, args: string[]): string {
  const result = spawnSync(cmd, args, { encoding: 'utf8' })
  if (result.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} failed: ${result.stderr || result.error?.message}`)
  return result.stdout
}

const quiet = (cmd: string, args: string[]) => void spawnSync(cmd, args, { stdio: 'ignore' })

/** /24s of the test subnet that no interface or route on this machine uses yet (another cluster's). */
function freeOctets(subnet: string, count: number): number[] {
  const used = run('ip', ['-o', 'addr', 'show']) + run('ip', ['route', 'show', 'table', 'all'])
  const chosen: number[] = []
  for (let attempt = 0; chosen.length < count && attempt < 1000; attempt++) {
    const octet = 1 + (randomBytes(1)[0]! % 250)
    if (!chosen.includes(octet) && !used.includes(`${subnet}.${octet}.`)) chosen.push(octet)
  }
  if (chosen.length < count) throw new Error(`no free /24 left in ${subnet}.0.0/16 for a test cluster`)
  return chosen
}

/**
 * One test cluster's network: a bridge on `<subnet>.<octet>.0/24` the nodes hang from, and a second /24 for
 * nodes reachable only through another node's namespace. The host routes that second /24 to nowhere
 * (`unreachable`), so a direct attempt fails at once and nothing ever leaves the machine. All of it goes
 * in `teardown()`.
 */
export class NamespaceNetwork {
  readonly bridge: string
  private readonly octet: number
  private readonly hiddenOctet: number
  private readonly links: string[] = []
  private readonly namespaces: string[] = []
  private hiddenRoute = false

  constructor(
    private readonly prefix: string,
    private readonly subnet: string,
    private readonly id: string
  ) {
    ;[this.octet, this.hiddenOctet] = freeOctets(subnet, 2) as [number, number]
    this.bridge = `${prefix}${id}br`
    run('ip', ['link', 'add', this.bridge, 'type', 'bridge'])
    run('ip', ['addr', 'add', `${this.gateway}/24`, 'dev', this.bridge])
    run('ip', ['link', 'set', this.bridge, 'up'])
  }

  /** The bridge's /24 in CIDR form, for tools (mpirun) that must keep to it. */
  get cidr(): string {
    return `${this.subnet}.${this.octet}.0/24`
  }

  private get gateway(): string {
    return `${this.subnet}.${this.octet}.1`
  }

  /** Whether an address is one this network gave out: nothing else may be connected to. */
  owns(address: string): boolean {
    return (
      address.startsWith(`${this.subnet}.${this.octet}.`) ||
      address.startsWith(`${this.subnet}.${this.hiddenOctet}.`)
    )
  }

  private namespace(index: number): string {
    const ns = `${this.prefix}-${this.id}-${index}`
    run('ip', ['netns', 'add', ns])
    this.namespaces.push(ns)
    run('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up'])
    return ns
  }

  private veth(host: string, peer: string, peerNamespace: string): void {
    run('ip', ['link', 'add', host, 'type', 'veth', 'peer', 'name', peer])
    this.links.push(host)
    run('ip', ['link', 'set', peer, 'netns', peerNamespace])
  }

  /** Node `index` on the bridge: its namespace, address and the host side of its link. */
  addNode(index: number): { ns: string; address: string; link: string } {
    const ns = this.namespace(index)
    const link = `${this.prefix}${this.id}h${index}`
    const peer = `${this.prefix}${this.id}n${index}`
    this.veth(link, peer, ns)
    run('ip', ['link', 'set', link, 'master', this.bridge])
    run('ip', ['link', 'set', link, 'up'])
    const address = `${this.subnet}.${this.octet}.${10 + index}`
    run('ip', ['netns', 'exec', ns, 'ip', 'addr', 'add', `${address}/24`, 'dev', peer])
    run('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', peer, 'up'])
    return { ns, address, link }
  }

  /** Node `index` wired only to `viaNamespace` (its jump host), on the hidden /24. */
  addHiddenNode(index: number, viaNamespace: string): { ns: string; address: string } {
    if (!this.hiddenRoute) {
      run('ip', ['route', 'add', 'unreachable', `${this.subnet}.${this.hiddenOctet}.0/24`])
      this.hiddenRoute = true
    }
    const ns = this.namespace(index)
    const near = `${this.prefix}${this.id}j${index}`
    const far = `${this.prefix}${this.id}k${index}`
    this.veth(near, far, ns)
    run('ip', ['link', 'set', near, 'netns', viaNamespace])
    const jumpSide = `${this.subnet}.${this.hiddenOctet}.${100 + index}`
    const address = `${this.subnet}.${this.hiddenOctet}.${10 + index}`
    run('ip', ['netns', 'exec', viaNamespace, 'ip', 'addr', 'add', `${jumpSide}/32`, 'dev', near])
    run('ip', ['netns', 'exec', viaNamespace, 'ip', 'link', 'set', near, 'up'])
    run('ip', ['netns', 'exec', viaNamespace, 'ip', 'route', 'add', `${address}/32`, 'dev', near])
    run('ip', ['netns', 'exec', ns, 'ip', 'addr', 'add', `${address}/32`, 'dev', far])
    run('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', far, 'up'])
    run('ip', ['netns', 'exec', ns, 'ip', 'route', 'add', `${jumpSide}/32`, 'dev', far])
    return { ns, address }
  }

  teardown(): void {
    // Deleting a namespace deletes the veth ends inside it, and so their peers.
    for (const link of this.links) quiet('ip', ['link', 'del', link])
    quiet('ip', ['link', 'del', this.bridge])
    if (this.hiddenRoute)
      quiet('ip', ['route', 'del', 'unreachable', `${this.subnet}.${this.hiddenOctet}.0/24`])
    for (const ns of this.namespaces) quiet('ip', ['netns', 'del', ns])
  }
}
