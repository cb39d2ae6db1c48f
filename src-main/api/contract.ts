/**
 * The one contract between the renderer and main: every request, its parameters and result, and every event.
 * The Electron preload and the browser-mode server both implement it; the renderer cannot tell them apart.
 * Type-only, apart from the few string constants at the end that both sides must agree on.
 */

export type TensorMapEntry = number | number[]

export interface AppInfo {
  shell: 'electron' | 'browser'
  version: string
  /** Whether native file dialogs exist (Electron); browser mode browses the server's disk instead. */
  nativeDialogs: boolean
  home: string
}

export interface SampleWorkspace {
  title: string
  description: string
  folder: string
  /** Folder of per-stage strategy files. */
  sourceStrategy: string
  destinationStrategy: string
}

export type ItemKind = 'strategy' | 'checkpoint-folder' | 'checkpoint' | 'rank-table'

/** What a dropped or opened path was recognised as, or why it was not. */
export type OpenedItem =
  | {
      ok: true
      kind: ItemKind
      path: string
      title: string
      detail: string
      /** A checkpoint folder written by `shardscope transform`: its manifest can be verified. */
      converted?: ConvertedFolder
    }
  | { ok: false; path: string; error: string }

/** What a converted folder's manifest says it was made from. */
export interface ConvertedFolder {
  outputs: number
  sourceFolder?: string
  /** The destination strategy the outputs were planned with: a file, or the folder of per-stage files. */
  destinationStrategy?: string
}

export interface DirectoryListing {
  path: string
  parent?: string
  entries: { name: string; path: string; kind: 'dir' | 'file'; size: number }[]
  /** More entries exist than a listing holds (see MAX_LISTED_ENTRIES); the user types the path instead. */
  truncated?: boolean
  /** Entries left out because their names start with a dot (counted as far as the listing read). */
  hidden: number
  /** The path names a regular file, not a folder: nothing is listed (a path typed into the file browser). */
  file?: true
}

export interface UploadFile {
  /** Path inside the dropped item, with `/` separators (e.g. `src/rank_0/checkpoint_0.ckpt`). */
  relativePath: string
  /** File content, base64. */
  data: string
}

export interface ParamRow {
  name: string
  stage: number
  /** Stages holding this parameter (a tied embedding lists several). */
  stages: number[]
  devMatrix: number[]
  tensorMap: TensorMapEntry[]
  optShardSize: number
  optShardStep: number
  field: number
  /** Known when a checkpoint folder accompanies the strategy (or the JSON records it). */
  shape?: number[]
  dtype?: string
  sliceShape?: number[]
  bytesPerRank?: number
  sharded: boolean
  optimizerState: boolean
}

/** What the explorer shows of a strategy, as the renderer expands it from a StrategyTable. */
export interface StrategyDescription {
  path: string
  format: 'protobuf' | 'json'
  merged: boolean
  stageCount: number
  stageDevices: number
  params: ParamRow[]
  /** Problems with the strategy itself or against the checkpoint folder, in words. */
  problems: string[]
}

/**
 * A strategy's rows as `strategy.describe` sends them. Thousands of layers share a handful of layouts, so each
 * distinct layout (with the shape and dtype of the tensors using it) travels once and rows name it by index; and
 * rows travel as columns, not one object each. A 20,000-parameter strategy is then under a fifth of the JSON
 * and a few arrays to decode instead of 20,000 objects. The renderer expands it into ParamRows.
 */
export interface StrategyTable {
  path: string
  format: 'protobuf' | 'json'
  merged: boolean
  stageCount: number
  stageDevices: number
  /** Problems with the strategy itself or against the checkpoint folder, in words. */
  problems: string[]
  layouts: StrategyTableLayout[]
  /** One entry per (stage, parameter) in each column, in the strategy's order. */
  rows: {
    names: string[]
    stages: number[]
    /** Index into `layouts`. */
    layouts: number[]
    /** 1 for an optimizer state (adam_m.…, moments.…), 0 for a weight. */
    optimizer: number[]
  }
  /** Parameters more than one stage holds (tied embeddings), with every stage holding them. */
  shared: { name: string; stages: number[] }[]
}

/** One distinct layout of a StrategyTable: the ParamRow fields rows using it have in common. */
export type StrategyTableLayout = Omit<ParamRow, 'name' | 'stage' | 'stages' | 'optimizerState'>

export interface FolderDescription {
  path: string
  format: 'ckpt' | 'safetensors' | 'mixed'
  totalBytes: number
  ranks: { rank: number; file: string; size: number; params: number; stage?: number }[]
  missingRanks: number[]
  problems: { severity: 'error' | 'warning'; message: string }[]
}

export interface RankTableDescription {
  path: string
  servers: { id: string; ip?: string; devices: number }[]
  ranks: { rank: number; server: string; device: number }[]
  problems: string[]
}

export interface PlanRequest {
  source: { folder: string; strategy?: string }
  /** No strategy: merge into one full checkpoint. */
  destination: { folder: string; strategy?: string }
  options: {
    format: 'ckpt' | 'safetensors'
    dtype?: string
    exclude?: string
    crc?: boolean
    /** Check the CRC-32 of every source that has one, also of files the run reads only in part (`--verify-crc`). */
    verifyCrc?: boolean
    /** File-name prefix of the outputs (`<prefix><rank>.ckpt`); `checkpoint_` by default, as the CLI's. */
    prefix?: string
    /** Destination ranks to write; all by default. */
    ranks?: number[]
    /** As the CLI's `--dec-key` (hex digits, or `@/absolute/key/file`) and `--dec-mode`. */
    decryption?: { key: string; mode?: string }
    /** Replace a previous conversion in the destination (the CLI's `--overwrite`), once the user confirmed. */
    overwrite?: boolean
  }
}

export interface PlanProblem {
  severity: 'error' | 'warning' | 'note'
  message: string
  /** For problems the app acts on, e.g. `destination-other-conversion` asks to confirm an overwrite. */
  code?: string
  /** The files concerned, e.g. what an overwrite would delete (relative to the destination). */
  paths?: string[]
}

export interface PlanRankSummary {
  rank: number
  stage: number
  output: string
  sourceRanks: number[]
  params: number
  bytesRead: number
  bytesWritten: number
  peakBuffer: number
}

export interface PlanSummary {
  planId: string
  source: { folder: string; stageCount: number; stageDevices: number; rankCount: number }
  destination: { folder: string; stageCount: number; stageDevices: number; rankCount: number }
  ranks: PlanRankSummary[]
  /** Bytes each source rank feeds each destination rank: the flow diagram. */
  flows: { source: number; destination: number; bytes: number }[]
  problems: PlanProblem[]
  /** Parameter names in output order, for the per-parameter preview. */
  params: string[]
}

export interface PlanParamDetail {
  name: string
  action: 'reshard' | 'copy'
  dtype: string
  outDtype: string
  fullShape: number[]
  /** The destination rank's block in the full tensor. */
  offset: number[]
  shape: number[]
  /** Source blocks, in full-tensor coordinates, that assemble it. */
  pieces: { sourceRank: number; offset: number[]; extent: number[]; bytes: number }[]
}

export type JobState = 'running' | 'done' | 'failed' | 'cancelled'

export interface JobProgress {
  jobId: string
  state: JobState
  ranks: {
    rank: number
    output: string
    state: string
    bytesDone: number
    bytesTotal: number
    paramsDone: number
    paramsTotal: number
  }[]
  bytesDone: number
  bytesTotal: number
  paramsDone: number
  paramsTotal: number
  ranksDone: number
  ranksSkipped: number
  ranksTotal: number
  elapsedSeconds: number
  etaSeconds?: number
  bytesPerSecond: number
}

export interface JobResult {
  jobId: string
  destination: string
  manifest: string
  seconds: number
  outputs: {
    rank: number
    output: string
    size: number
    /** As the manifest records them: always XXH3-128 (`xxh3_128`), SHA-256 when the run was asked for it. */
    hashes: { sha256?: string; xxh3_128?: string }
    skipped: boolean
  }[]
  verified: boolean
}

/** The workspace as the user left it: what was open and which strategy describes which checkpoint folder. */
export interface SavedWorkspace {
  items: { path: string; sample?: boolean }[]
  /** Pairs the user made: the checkpoint folder a strategy describes. */
  pairs: { strategy: string; folder: string }[]
}

/** How well a checkpoint folder fits a strategy, so the app can suggest a pairing (never make one). */
export interface PairMatch {
  strategy: string
  folder: string
  fit: 'good' | 'partial' | 'none'
  /** In words: "8 ranks; 117 of 117 parameter names found". */
  reason: string
}

export type VerifyStatus = 'ok' | 'missing' | 'size-mismatch' | 'checksum-mismatch' | 'unverifiable'

export interface VerifiedOutputRow {
  output: string
  rank: number
  status: VerifyStatus
  size: number
  expectedSize: number
}

export interface FolderVerification {
  verifyId: string
  folder: string
  manifest: string
  verified: boolean
  outputs: VerifiedOutputRow[]
}

/** A command the Electron application menu shows; the renderer owns the list, main only draws it. */
export interface MenuCommand {
  id: string
  label: string
  menu: 'file' | 'recent' | 'view' | 'help'
  /** Electron accelerator syntax, e.g. `CmdOrCtrl+O`. */
  accelerator?: string
}

export interface RecentItem {
  path: string
  kind: ItemKind
  openedAt: string
}

/** A cluster as the Cluster view shows it: servers × devices, where each destination rank lands, file sets. */
export interface ClusterRequest {
  /** HCCL rank table (JSON) or MPI hostfile. */
  layout: string
  profile?: string
  /** A converted output folder (with shardscope-manifest.json). */
  output?: string
  remoteRoot?: string
  name?: string
}

export interface ClusterDescription {
  layout: string
  kind: 'rank-table' | 'hostfile'
  servers: {
    id: string
    address?: string
    devices: { deviceId: number; rank: number; destination: boolean; stage?: number }[]
    files?: { path: string; size: number; rank?: number }[]
    bytes?: number
    ssh?: { host?: string; port?: number; user?: string; remoteFolder?: string; hostKey?: string }
  }[]
  stageCount?: number
  problems: string[]
  warnings: string[]
  pushName?: string
  launch?: { commands: { server: string; nodeRank: number; msrun: string }[]; mindformers: string[] }
}

export interface ClusterNpu {
  deviceId: number
  name?: string
  memoryKind: 'HBM' | 'DDR'
  totalBytes: number
  usedBytes?: number
}

export interface ClusterHostKey {
  kind: 'unknown' | 'changed'
  fingerprint: string
  expected?: string
  /** The key of the server's jump host, pinned as its `jump.hostKey`. */
  jump?: true
}

export interface ClusterProbe {
  probes: {
    server: string
    status: 'ok' | 'no-npu-smi' | 'failed'
    /** `local`: the server is this machine, probed through its driver. */
    via?: 'npu-smi' | 'local'
    npus?: ClusterNpu[]
    message?: string
    hostKey?: ClusterHostKey
  }[]
  fits: {
    rank: number
    server: string
    deviceId: number
    shardBytes: number
    status: string
    message: string
  }[]
  /** This machine's NPUs from its driver, when Shardscope runs on an Ascend host. */
  local?: { status: 'ok' | 'unavailable'; source?: 'dcmi' | 'acl'; npus?: ClusterNpu[]; message?: string }
}

export interface ClusterPushEvent {
  server: string
  state: string
  file?: { relativePath: string; bytesDone: number; size: number; outcome?: string }
  bytesSent: number
  bytesTotal: number
  message?: string
}

export interface ClusterPushResult {
  pushId: string
  servers: {
    server: string
    state: string
    alreadyComplete: boolean
    sharedWith?: string
    hashTool?: string
    remoteFolder?: string
    message?: string
    movedAside: string[]
    files: {
      relativePath: string
      size: number
      sha256?: string
      outcome: string
      sentBytes: number
      resumedFrom: number
    }[]
    bytesSent: number
    bytesTotal: number
    hostKey?: ClusterHostKey
  }[]
  sharedStorage: string[][]
  bytesSent: number
}

/** How a planned conversion runs (not what it is): threads, fsync, and SHA-256 besides XXH3-128 (`--sha256`). */
export interface RunOptions {
  jobs?: number
  fsync?: boolean
  sha256?: boolean
}

/** "Run on the cluster": the planned conversion as workers under a launcher (README, "Converting on the cluster"). */
export interface ClusterRunRequest {
  /** What the planner's plan was made from: every worker plans the same request and converts its share. */
  request: PlanRequest
  run?: RunOptions
  launcher: 'mpirun' | 'slurm' | 'k8s'
  workers: number
  /** A rank table or hostfile: one worker per server, each writing the ranks its server loads. */
  layout?: string
  /** Cluster profile: SSH addresses of the servers (mpirun) and of the login node. */
  profile?: string
  /** Where the launch files are written. */
  outDir: string
  /** Start it (mpirun, sbatch); otherwise only write the files. */
  start: boolean
  /** Start it on this server of the profile over SSH instead of here. */
  login?: string
  /** mpirun without a rank table: `host:slots` entries; none runs every worker on this machine. */
  hosts?: { host: string; slots: number }[]
  slurm?: { partition?: string; time?: string; cpusPerTask?: number }
  k8s?: { image: string; claim?: string; hostPath?: string; mountPath: string; cpu?: string; memory?: string }
}

export interface ClusterRunLaunched {
  runId: string
  destination: string
  workers: number
  basis: 'balanced' | 'rank-table'
  shares: { index: number; ranks: number[]; server?: string }[]
  files: { path: string; content: string }[]
  howTo: string
  started: boolean
}

export interface ClusterWorkerProgress {
  index: number
  count: number
  server?: string
  host: string
  state: 'planning' | 'running' | 'complete' | 'failed' | 'cancelled'
  ranks: number[]
  ranksDone: number
  ranksSkipped: number
  bytesDone: number
  bytesTotal: number
  bytesPerSecond: number
  etaSeconds?: number
  message?: string
  updatedAt: string
}

export interface ClusterRunProgress {
  runId: string
  /** Read from the workers' progress files in the destination (those this machine can see). */
  workers: ClusterWorkerProgress[]
  /** The launcher process Shardscope started: running, or its exit code and last output. */
  launcher?: { state: 'running' | 'exited'; code?: number; output: string }
}

export interface Requests {
  'app.info': { params: Record<string, never>; result: AppInfo }
  'sample.open': { params: Record<string, never>; result: SampleWorkspace }
  'path.open': { params: { path: string }; result: OpenedItem }
  'path.list': { params: { path?: string }; result: DirectoryListing }
  /** `start`: the folder the dialog opens in (the field's current folder, or the last one browsed). */
  'path.pick': { params: { kind: 'file' | 'folder'; start?: string }; result: { paths: string[] } }
  'path.reveal': { params: { path: string }; result: { revealed: boolean } }
  'upload.files': { params: { name: string; files: UploadFile[] }; result: OpenedItem }
  'strategy.describe': { params: { path: string; folder?: string }; result: StrategyTable }
  'folder.describe': { params: { path: string; strategy?: string }; result: FolderDescription }
  'rankTable.describe': { params: { path: string }; result: RankTableDescription }
  'plan.create': { params: PlanRequest; result: PlanSummary }
  'plan.param': { params: { planId: string; rank: number; param: string }; result: PlanParamDetail }
  /** `sha256`: also record each output's SHA-256 (the CLI's `--sha256`); XXH3-128 is always recorded. */
  'job.start': {
    params: { planId: string } & RunOptions
    result: { jobId: string }
  }
  'job.cancel': { params: { jobId: string }; result: { cancelled: boolean } }
  'recent.list': { params: Record<string, never>; result: RecentItem[] }
  'cluster.describe': { params: ClusterRequest; result: ClusterDescription }
  'cluster.probe': { params: ClusterRequest & { profile: string }; result: ClusterProbe }
  'cluster.push': {
    params: ClusterRequest & { profile: string; output: string; jobs?: number }
    result: { pushId: string }
  }
  'cluster.cancel': { params: { pushId: string }; result: { cancelled: boolean } }
  'cluster.trustHost': {
    params: { profile: string; server: string; fingerprint: string; jump?: boolean }
    result: { pinned: boolean }
  }
  'recent.remove': { params: { path: string }; result: RecentItem[] }
  /** The saved workspace, or null on the very first launch. */
  'workspace.load': { params: Record<string, never>; result: SavedWorkspace | null }
  'workspace.save': { params: SavedWorkspace; result: { saved: boolean } }
  'pair.match': { params: { strategies: string[]; folders: string[] }; result: PairMatch[] }
  /** Re-hashes a converted folder's outputs against its manifest; results arrive as verify events. */
  'folder.verify': { params: { path: string }; result: { verifyId: string; total: number } }
  'verify.cancel': { params: { verifyId: string }; result: { cancelled: boolean } }
  'menu.set': { params: { commands: MenuCommand[] }; result: { installed: boolean } }
  'clusterRun.launch': { params: ClusterRunRequest; result: ClusterRunLaunched }
  'clusterRun.progress': { params: { runId: string }; result: ClusterRunProgress }
  'clusterRun.cancel': { params: { runId: string }; result: { cancelled: boolean } }
}

export type RequestName = keyof Requests
export type RequestParams<K extends RequestName> = Requests[K]['params']
export type RequestResult<K extends RequestName> = Requests[K]['result']

export type AppEvent =
  | { type: 'job.progress'; progress: JobProgress }
  | { type: 'job.finished'; result: JobResult }
  | { type: 'job.failed'; jobId: string; state: 'failed' | 'cancelled'; message: string }
  | { type: 'cluster.progress'; pushId: string; event: ClusterPushEvent }
  | { type: 'cluster.finished'; result: ClusterPushResult }
  | { type: 'cluster.failed'; pushId: string; state: 'failed' | 'cancelled'; message: string }
  | { type: 'verify.checked'; verifyId: string; output: VerifiedOutputRow }
  | { type: 'verify.finished'; result: FolderVerification }
  | { type: 'verify.failed'; verifyId: string; message: string }
  | { type: 'menu.command'; id: string }

/** An error as the renderer receives it: one sentence, never a stack. */
export interface ApiError {
  code: string
  message: string
}

/** What both transports expose to the renderer. */
export interface ShardscopeApi {
  request<K extends RequestName>(name: K, params: RequestParams<K>): Promise<RequestResult<K>>
  onEvent(listener: (event: AppEvent) => void): () => void
}

/** The channel names the Electron preload and main agree on. */
export const IPC_REQUEST = 'shardscope:request'
export const IPC_EVENT = 'shardscope:event'

/** Browser mode: the WebSocket carrying the contract, and the HTTP route dropped files are uploaded to. */
export const API_PATH = '/api'
export const UPLOAD_PATH = '/api/upload'
/**
 * Browser mode's WebSocket subprotocols: the page offers `shardscope.v1` and `shardscope.token.<token>`; the
 * server checks the token and selects `shardscope.v1`. A header the page sets explicitly, unlike a cookie,
 * is never sent by the browser to another server, nor on behalf of another page.
 */
export const SESSION_PROTOCOL = 'shardscope.v1'
export const TOKEN_PROTOCOL_PREFIX = 'shardscope.token.'
