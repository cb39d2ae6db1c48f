import { isAbsolute } from 'node:path'
import type { RequestName, RequestParams } from '../api/contract'
import { ShardscopeError } from '../engine/errors'

/**
 * Every request from the renderer is checked here before any handler runs: known name, exact keys, types,
 * sizes. A renderer is display code; whatever it sends is treated as untrusted input.
 */
type Check<T> = (value: unknown, at: string) => T

const MAX_PATH = 4096
const MAX_UPLOAD_FILES = 10_000
/** Open items and pairs a workspace may hold; each is a path the user opened by hand. */
const MAX_WORKSPACE_ITEMS = 200
/** Uploads carry dropped files in browser mode; anything bigger must be opened by path instead. */
export const MAX_UPLOAD_BYTES = 64 * 1024 * 1024
/** An upload request as sent: the content as base64 plus room for the names and JSON of many small files. */
export const MAX_UPLOAD_REQUEST_BYTES = Math.ceil((MAX_UPLOAD_BYTES * 4) / 3) + 16 * 1024 * 1024

function fail(at: string, expected: string): never {
  throw new ShardscopeError('BAD_INPUT', `Invalid request: ${at} must be ${expected}.`)
}

const string =
  (max: number): Check<string> =>
  (value, at) =>
    typeof value === 'string' && value.length <= max
      ? value
      : fail(at, `a string of at most ${max} characters`)

const absolutePath: Check<string> = (value, at) => {
  const path = string(MAX_PATH)(value, at)
  if (path.includes('\0') || !isAbsolute(path)) fail(at, 'an absolute path')
  return path
}

const integer =
  (min: number, max: number): Check<number> =>
  (value, at) =>
    Number.isInteger(value) && (value as number) >= min && (value as number) <= max
      ? (value as number)
      : fail(at, `an integer from ${min} to ${max}`)

const oneOf =
  <T extends string>(...options: T[]): Check<T> =>
  (value, at) =>
    options.includes(value as T)
      ? (value as T)
      : fail(at, `one of ${options.map((o) => `"${o}"`).join(', ')}`)

const boolean: Check<boolean> = (value, at) =>
  typeof value === 'boolean' ? value : fail(at, 'true or false')

const optional = <T>(check: Check<T>): Check<T | undefined> & { optional: true } =>
  Object.assign((value: unknown, at: string) => (value === undefined ? undefined : check(value, at)), {
    optional: true as const
  })

function object<T extends Record<string, unknown>>(shape: { [K in keyof T]: Check<T[K]> }): Check<T> {
  return (value, at) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(at, 'an object')
    const record = value as Record<string, unknown>
    // Own properties only: `key in shape` would let `constructor`, `toString` or `__proto__` through.
    const unknown = Object.keys(record).filter((key) => !Object.hasOwn(shape, key))
    if (unknown.length > 0) fail(`${at}.${unknown[0]}`, 'absent (unknown field)')
    const result: Record<string, unknown> = {}
    for (const [key, check] of Object.entries(shape) as [string, Check<unknown>][]) {
      const checked = check(record[key], `${at}.${key}`)
      if (checked !== undefined) result[key] = checked
    }
    return result as T
  }
}

function array<T>(check: Check<T>, max: number): Check<T[]> {
  return (value, at) => {
    if (!Array.isArray(value) || value.length > max) fail(at, `a list of at most ${max} items`)
    return value.map((item, i) => check(item, `${at}[${i}]`))
  }
}

const relativePath: Check<string> = (value, at) => {
  const path = string(MAX_PATH)(value, at)
  const parts = path.split('/')
  if (path.includes('\0') || path.includes('\\') || parts.some((p) => p === '' || p === '.' || p === '..')) {
    fail(at, 'a relative path without "..", "." or empty parts')
  }
  return path
}

const base64: Check<string> = (value, at) => {
  const text = string(Math.ceil((MAX_UPLOAD_BYTES * 4) / 3) + 4)(value, at)
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) fail(at, 'base64 text')
  return text
}

const nothing = object<Record<string, never>>({})

const planRequest = object({
  source: object({ folder: absolutePath, strategy: optional(absolutePath) }),
  destination: object({ folder: absolutePath, strategy: optional(absolutePath) }),
  options: object({
    format: oneOf('ckpt', 'safetensors'),
    dtype: optional(string(32)),
    exclude: optional(string(1000)),
    crc: optional(boolean),
    verifyCrc: optional(boolean),
    prefix: optional(string(255)),
    ranks: optional(array(integer(0, 1 << 20), 1 << 16)),
    decryption: optional(object({ key: string(MAX_PATH + 1), mode: optional(string(16)) })),
    overwrite: optional(boolean)
  })
})

/** A host name or address mpirun can reach, and the like for Kubernetes names: no spaces, no shell. */
const token =
  (pattern: RegExp, expected: string, max = 255): Check<string> =>
  (value, at) => {
    const text = string(max)(value, at)
    return pattern.test(text) ? text : fail(at, expected)
  }
const hostName = token(/^[A-Za-z0-9][\w.:-]*$/, 'a host name or address')
const quantity = token(/^\d+(\.\d+)?(m|[KMGTPE]i?)?$/, 'a Kubernetes quantity such as "4" or "8Gi"', 32)

const clusterRunRequest = object({
  request: planRequest,
  run: optional(
    object({ jobs: optional(integer(1, 256)), fsync: optional(boolean), sha256: optional(boolean) })
  ),
  launcher: oneOf('mpirun', 'slurm', 'k8s'),
  workers: integer(1, 65_536),
  layout: optional(absolutePath),
  profile: optional(absolutePath),
  outDir: absolutePath,
  start: boolean,
  login: optional(string(255)),
  hosts: optional(array(object({ host: hostName, slots: integer(1, 4096) }), 4096)),
  slurm: optional(
    object({
      partition: optional(token(/^[\w.-]+$/, 'a Slurm partition name', 128)),
      time: optional(token(/^[\d:-]+$/, 'a Slurm time limit such as 2:00:00', 32)),
      cpusPerTask: optional(integer(1, 1024))
    })
  ),
  k8s: optional(
    object({
      image: token(/^[\w./:@-]+$/, 'a container image reference', 512),
      claim: optional(token(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'a PersistentVolumeClaim name', 253)),
      hostPath: optional(absolutePath),
      mountPath: absolutePath,
      cpu: optional(quantity),
      memory: optional(quantity)
    })
  )
})

const SCHEMAS: { [K in RequestName]: Check<RequestParams<K>> } = {
  'app.info': nothing,
  'sample.open': nothing,
  'path.open': object({ path: absolutePath }),
  'path.list': object({ path: optional(absolutePath) }),
  'path.pick': object({ kind: oneOf('file', 'folder'), start: optional(absolutePath) }),
  'path.reveal': object({ path: absolutePath }),
  'upload.files': object({
    name: string(255),
    files: array(object({ relativePath, data: base64 }), MAX_UPLOAD_FILES)
  }),
  'strategy.describe': object({ path: absolutePath, folder: optional(absolutePath) }),
  'folder.describe': object({ path: absolutePath, strategy: optional(absolutePath) }),
  'rankTable.describe': object({ path: absolutePath }),
  'plan.create': planRequest,
  'plan.param': object({ planId: string(64), rank: integer(0, 1 << 20), param: string(4096) }),
  'job.start': object({
    planId: string(64),
    jobs: optional(integer(1, 256)),
    fsync: optional(boolean),
    sha256: optional(boolean)
  }),
  'job.cancel': object({ jobId: string(64) }),
  'recent.list': nothing,
  'cluster.describe': object({
    layout: absolutePath,
    profile: optional(absolutePath),
    output: optional(absolutePath),
    remoteRoot: optional(absolutePath),
    name: optional(string(128))
  }),
  'cluster.probe': object({
    layout: absolutePath,
    profile: absolutePath,
    output: optional(absolutePath),
    remoteRoot: optional(absolutePath),
    name: optional(string(128))
  }),
  'cluster.push': object({
    layout: absolutePath,
    profile: absolutePath,
    output: absolutePath,
    remoteRoot: optional(absolutePath),
    name: optional(string(128)),
    jobs: optional(integer(1, 64))
  }),
  'cluster.cancel': object({ pushId: string(64) }),
  'cluster.trustHost': object({
    profile: absolutePath,
    server: string(255),
    fingerprint: string(60),
    jump: optional(boolean)
  }),
  'recent.remove': object({ path: absolutePath }),
  'workspace.load': nothing,
  'workspace.save': object({
    items: array(object({ path: absolutePath, sample: optional(boolean) }), MAX_WORKSPACE_ITEMS),
    pairs: array(object({ strategy: absolutePath, folder: absolutePath }), MAX_WORKSPACE_ITEMS)
  }),
  'pair.match': object({
    strategies: array(absolutePath, MAX_WORKSPACE_ITEMS),
    folders: array(absolutePath, MAX_WORKSPACE_ITEMS)
  }),
  'folder.verify': object({ path: absolutePath }),
  'verify.cancel': object({ verifyId: string(64) }),
  'clusterRun.launch': clusterRunRequest,
  'clusterRun.progress': object({ runId: string(64) }),
  'clusterRun.cancel': object({ runId: string(64) }),
  'menu.set': object({
    commands: array(
      object({
        id: string(200),
        label: string(300),
        menu: oneOf('file', 'recent', 'view', 'help'),
        accelerator: optional(string(40))
      }),
      200
    )
  })
}

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(SCHEMAS, name)
}

/** The request's parameters, checked; throws one sentence naming the offending field. */
export function validateRequest<K extends RequestName>(
  name: unknown,
  params: unknown
): { name: K; params: RequestParams<K> } {
  if (!isRequestName(name)) {
    throw new ShardscopeError(
      'BAD_INPUT',
      `Invalid request: unknown request ${JSON.stringify(String(name)).slice(0, 80)}.`
    )
  }
  return { name: name as K, params: (SCHEMAS[name] as Check<RequestParams<K>>)(params ?? {}, 'params') }
}
