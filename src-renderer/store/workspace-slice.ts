import type { StateCreator } from 'zustand'
import type {
  AppInfo,
  FolderDescription,
  OpenedItem,
  PairMatch,
  RankTableDescription,
  RecentItem,
  SampleWorkspace,
  StrategyDescription,
  UploadFile
} from '../../src-main/api/contract'
import { client } from '../api/client'
import { expandStrategyTable } from '../api/strategy-table'
import type { AppState } from './app-store'
import {
  itemsOfKind,
  pairedFolder,
  pairedStrategy,
  toSaved,
  withPair,
  type Pair,
  type WorkspaceItem
} from './workspace-model'

export interface WorkspaceSlice {
  info?: AppInfo
  recent: RecentItem[]
  sample?: SampleWorkspace
  /** What the user opened, in the order it was opened; each can be closed. */
  items: WorkspaceItem[]
  /** Which checkpoint folder each strategy describes, as the user paired them. */
  pairs: Pair[]
  /** How well open folders fit open strategies: suggestions for pairing, never pairs. */
  matches: PairMatch[]
  activeStrategy?: string
  activeFolder?: string
  strategy?: StrategyDescription
  /** The paired folder the active strategy was described with (shapes, dtypes, bytes come from it alone). */
  strategyFolder?: string
  folder?: FolderDescription
  folderStrategy?: string
  rankTable?: RankTableDescription
  busy: string | undefined
  error?: string
  /** Loads the saved workspace; only on the very first launch (none saved) is the sample opened. */
  init(options?: { sample?: boolean }): Promise<void>
  openSample(options?: { automatic?: boolean }): Promise<void>
  closeSample(): Promise<void>
  openPaths(paths: string[]): Promise<void>
  openUpload(name: string, files: UploadFile[]): Promise<void>
  closeItem(path: string): Promise<void>
  /** Makes an opened strategy, folder or rank table the one the views show. */
  activate(path: string): Promise<void>
  pair(strategy: string, folder: string): Promise<void>
  unpair(pair: Pair): Promise<void>
  removeRecent(path: string): Promise<void>
  clearError(): void
}

export const createWorkspaceSlice: StateCreator<AppState, [], [], WorkspaceSlice> = (set, get) => {
  const guarded = async (label: string, work: () => Promise<void>) => {
    set({ busy: label, error: undefined })
    try {
      await work()
    } catch (err) {
      set({ error: (err as Error).message })
    } finally {
      set({ busy: undefined })
    }
  }

  // A slower answer about an earlier choice must not replace the current one.
  let describing = 0
  const describe = async () => {
    const ticket = ++describing
    const { activeStrategy, activeFolder, pairs } = get()
    const strategyFolder = pairedFolder(pairs, activeStrategy)
    const folderStrategy = pairedStrategy(pairs, activeFolder)
    const [strategy, folder] = await Promise.all([
      activeStrategy
        ? client
            .request('strategy.describe', {
              path: activeStrategy,
              ...(strategyFolder ? { folder: strategyFolder } : {})
            })
            .then(expandStrategyTable)
        : undefined,
      activeFolder
        ? client.request('folder.describe', {
            path: activeFolder,
            ...(folderStrategy ? { strategy: folderStrategy } : {})
          })
        : undefined
    ])
    if (ticket !== describing) return
    set({ strategy, strategyFolder, folder, folderStrategy })
    get().keepSelection()
  }

  const persist = () => {
    const { items, pairs } = get()
    void client.request('workspace.save', toSaved(items, pairs)).catch(() => undefined)
  }

  const refreshMatches = () => {
    const { items } = get()
    const strategies = itemsOfKind(items, 'strategy')
    const folders = itemsOfKind(items, 'checkpoint-folder')
    if (strategies.length === 0 || folders.length === 0) {
      set({ matches: [] })
      return
    }
    void client.request('pair.match', { strategies, folders }).then(
      (matches) => set({ matches }),
      () => set({ matches: [] })
    )
  }

  const add = (item: WorkspaceItem) =>
    set((s) => ({ items: [...s.items.filter((i) => i.path !== item.path), item] }))

  const changed = async (describeAgain: boolean) => {
    persist()
    refreshMatches()
    if (describeAgain) await describe()
  }

  /** Opening something makes it what the views show: the user just asked to see it. */
  const show = async (item: OpenedItem) => {
    if (!item.ok) return
    if (item.kind === 'strategy') set({ activeStrategy: item.path })
    else if (item.kind === 'checkpoint-folder') set({ activeFolder: item.path })
    else if (item.kind === 'rank-table') {
      set({ rankTable: await client.request('rankTable.describe', { path: item.path }) })
      // A rank table is read for the cluster it describes.
      await get().openCluster(item.path)
    }
  }

  return {
    recent: [],
    items: [],
    pairs: [],
    matches: [],
    busy: undefined,
    async init(options = {}) {
      const [info, recent, saved] = await Promise.all([
        client.request('app.info', {}),
        client.request('recent.list', {}),
        client.request('workspace.load', {})
      ])
      set({ info, recent })
      if (saved === null) {
        if (options.sample !== false) await get().openSample({ automatic: true })
        else persist()
        return
      }
      const opened = await Promise.all(saved.items.map((i) => client.request('path.open', { path: i.path })))
      const restored = saved.items.map((i, n) => ({
        path: i.path,
        opened: opened[n]!,
        ...(i.sample ? { sample: true } : {})
      }))
      const open = new Set(restored.filter((i) => i.opened.ok).map((i) => i.path))
      // Items opened while this was loading stay; what was kept from last time goes first.
      set((s) => ({
        items: [...restored, ...s.items.filter((i) => !restored.some((r) => r.path === i.path))],
        pairs: [...saved.pairs.filter((p) => open.has(p.strategy) && open.has(p.folder)), ...s.pairs],
        activeStrategy: s.activeStrategy ?? itemsOfKind(restored, 'strategy')[0],
        activeFolder: s.activeFolder ?? itemsOfKind(restored, 'checkpoint-folder')[0]
      }))
      if (restored.some((i) => i.sample)) {
        set({ sample: await client.request('sample.open', {}) })
      }
      await changed(true)
    },
    async openSample(options = {}) {
      await guarded('Preparing the sample workspace…', async () => {
        const sample = await client.request('sample.open', {})
        const paths = [sample.folder, sample.sourceStrategy, sample.destinationStrategy]
        const opened = await Promise.all(paths.map((path) => client.request('path.open', { path })))
        opened.forEach((item) => add({ path: item.path, opened: item, sample: true }))
        set((s) => ({
          sample,
          // The sample's own folder and strategy belong together; that is the sample, not a guess.
          pairs: withPair(s.pairs, { strategy: sample.sourceStrategy, folder: sample.folder }),
          // Opened by itself on first launch, it must not take the place of what the user opened meanwhile.
          activeStrategy: options.automatic && s.activeStrategy ? s.activeStrategy : sample.sourceStrategy,
          activeFolder: options.automatic && s.activeFolder ? s.activeFolder : sample.folder
        }))
        get().suggestPlanRequest({
          sourceFolder: sample.folder,
          sourceStrategy: sample.sourceStrategy,
          destinationStrategy: sample.destinationStrategy,
          merge: false
        })
        await changed(true)
      })
    },
    async closeSample() {
      for (const item of get().items.filter((i) => i.sample)) await get().closeItem(item.path)
      set({ sample: undefined })
    },
    async openPaths(paths) {
      await guarded('Reading…', async () => {
        for (const path of paths) {
          const item = await client.request('path.open', { path })
          add({ path: item.path, opened: item })
          await show(item)
        }
        set({ recent: await client.request('recent.list', {}) })
        await changed(true)
      })
    },
    async openUpload(name, files) {
      await guarded(`Reading ${name}…`, async () => {
        const item = await client.request('upload.files', { name, files })
        add({ path: item.path, opened: item, uploaded: true })
        await show(item)
        await changed(true)
      })
    },
    async closeItem(path) {
      set((s) => ({
        items: s.items.filter((i) => i.path !== path),
        pairs: s.pairs.filter((p) => p.strategy !== path && p.folder !== path),
        activeStrategy: s.activeStrategy === path ? undefined : s.activeStrategy,
        activeFolder: s.activeFolder === path ? undefined : s.activeFolder,
        rankTable: s.rankTable?.path === path ? undefined : s.rankTable,
        sample: s.items.some((i) => i.sample && i.path !== path) ? s.sample : undefined
      }))
      get().forgetPlanPath(path)
      await changed(true)
    },
    async activate(path) {
      const item = get().items.find((i) => i.path === path)
      if (!item?.opened.ok) return
      await show(item.opened)
      await describe()
    },
    async pair(strategy, folder) {
      set((s) => ({ pairs: withPair(s.pairs, { strategy, folder }) }))
      await changed(true)
    },
    async unpair(pair) {
      set((s) => ({
        pairs: s.pairs.filter((p) => p.strategy !== pair.strategy || p.folder !== pair.folder)
      }))
      await changed(true)
    },
    async removeRecent(path) {
      set({ recent: await client.request('recent.remove', { path }) })
    },
    clearError() {
      set({ error: undefined })
    }
  }
}
