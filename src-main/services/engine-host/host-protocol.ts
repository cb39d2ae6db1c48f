import type { AppEvent, RequestName, RequestParams, RequestResult } from '../../api/contract'
import type { WorkerError } from '../../engine/exec/worker-protocol'

/**
 * Requests that read the user's files: describing strategies, folders and rank tables, recognising paths and
 * listing folders. Any of them may meet a hostile or enormous input, so they run in the reader process.
 */
export const READER_REQUESTS = [
  'path.open',
  'path.list',
  'strategy.describe',
  'folder.describe',
  'rankTable.describe',
  'pair.match',
  'cluster.describe'
] as const satisfies readonly RequestName[]

/** Planning and running conversions: the runner process keeps the plans and drives the jobs. */
export const RUNNER_REQUESTS = [
  'plan.create',
  'plan.param',
  'job.start',
  'job.cancel',
  'folder.verify',
  'verify.cancel',
  'clusterRun.launch',
  'clusterRun.progress',
  'clusterRun.cancel'
] as const satisfies readonly RequestName[]

/**
 * Probing and pushing to cluster nodes: SSH, hashing what is sent, the node's answers. A process of its own, so
 * a push neither slows the window nor shares a fate with a conversion; SSH keys are read there, never in main
 * or the renderer.
 */
export const CLUSTER_REQUESTS = [
  'cluster.probe',
  'cluster.push',
  'cluster.cancel',
  'cluster.trustHost'
] as const satisfies readonly RequestName[]

export type ReaderRequest = (typeof READER_REQUESTS)[number]
export type RunnerRequest = (typeof RUNNER_REQUESTS)[number]
export type ClusterHostRequest = (typeof CLUSTER_REQUESTS)[number]
export type HostedRequest = ReaderRequest | RunnerRequest | ClusterHostRequest

export type HostHandlers<K extends HostedRequest> = {
  [N in K]: (params: RequestParams<N>) => Promise<RequestResult<N>>
}

/** Main to an engine process: a request the app service has already validated. */
export interface ToHost {
  id: number
  name: HostedRequest
  params: unknown
}

/** An engine process to main: a reply, or an event (job progress) to pass on to the shells. */
export type FromHost =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: WorkerError }
  | { event: AppEvent }

/** What the process is started with (its argv[2], as JSON). */
export interface HostConfig {
  /** Heap limit of the planner's worker thread, in MiB. */
  planMemoryMb: number
  /** The largest reply, as JSON bytes, main will take: receiving and re-encoding one blocks main. */
  maxReplyBytes: number
}

/** 128 MiB of JSON: a 100,000-parameter strategy description is about 30 MiB. */
export const MAX_REPLY_BYTES = 128 * 1024 * 1024
