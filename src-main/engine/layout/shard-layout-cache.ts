import type { ParamLayout, TensorMapEntry } from '../model/strategy-set'
import { toShardLayout, type LayoutSubject, type ShardLayout } from './shard-layout'

/** A resolved layout and its canonical text: equal texts mean equal layouts, whatever form the file used. */
export interface ResolvedLayout {
  layout: ShardLayout
  key: string
}

/**
 * `toShardLayout` once per distinct layout instead of once per parameter: a model of 20,000 parameters has a
 * handful of distinct layouts. Only layouts that resolved are kept, so a bad one is refused again, naming each
 * parameter that has it. The resolved layouts are shared between parameters: callers must not change them.
 */
export class ShardLayoutCache {
  private readonly known = new Map<string, ResolvedLayout>()

  resolve(layout: ParamLayout, ndim: number, subject: LayoutSubject): ResolvedLayout {
    // Every field toShardLayout reads, so that equal keys resolve (or fail) alike.
    const raw = `${ndim}|${layout.devMatrix.join(',')}|${mapText(layout.tensorMap)}|${layout.optShardSize}|${layout.optShardStep}|${layout.field}`
    let found = this.known.get(raw)
    if (!found) {
      const resolved = toShardLayout(layout, ndim, subject)
      found = { layout: resolved, key: JSON.stringify(resolved) }
      this.known.set(raw, found)
    }
    return found
  }
}

const mapText = (map: readonly TensorMapEntry[]) =>
  map.map((e) => (Array.isArray(e) ? `[${e.join(',')}]` : String(e))).join(',')
