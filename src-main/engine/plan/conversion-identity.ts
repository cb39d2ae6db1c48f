import { createHash } from 'node:crypto'
import type { RankFile } from '../model/checkpoint-set'
import type { ConversionIdentity, PlanOptions } from './plan-types'

/**
 * Two runs belong to one conversion (the second resumes the first) when they convert with the same recipe —
 * strategies by content, output options, destination rank count — and agree on every source rank file both
 * saw: same name, size and modification time. A rank file only one of them saw does not count against it, so
 * `--rank` runs from folders holding only the ranks each needs still add up to one conversion; a source that was
 * rewritten (the next training step saved over it) makes it another conversion.
 */
export function conversionIdentity(recipe: {
  sourceStrategyHash?: string
  destinationStrategyHash?: string
  options: PlanOptions
  destinationRanks: number
  files: readonly RankFile[]
}): ConversionIdentity {
  const { format, dtype, exclude, crc, prefix } = recipe.options
  const hash = createHash('sha256')
    .update(
      JSON.stringify({
        source: recipe.sourceStrategyHash ?? null,
        destination: recipe.destinationStrategyHash ?? null,
        options: { format, dtype: dtype ?? null, exclude: exclude ?? null, crc, prefix },
        ranks: recipe.destinationRanks
      })
    )
    .digest('hex')
  const sourceFiles: ConversionIdentity['sourceFiles'] = {}
  for (const f of recipe.files)
    sourceFiles[String(f.rank)] = { file: f.file, size: f.size, mtimeMs: f.identity.mtimeMs }
  return { recipe: hash, sourceFiles }
}

export function sameConversion(a: ConversionIdentity, b: ConversionIdentity): boolean {
  if (a.recipe !== b.recipe) return false
  for (const [rank, file] of Object.entries(a.sourceFiles)) {
    const other = b.sourceFiles[rank]
    if (other && (other.file !== file.file || other.size !== file.size || other.mtimeMs !== file.mtimeMs))
      return false
  }
  return true
}
