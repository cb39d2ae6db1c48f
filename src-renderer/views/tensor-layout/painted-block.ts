import type { UnitRect } from './tensor-fold'

/** One painted block: where it is (in drawing pixels), its colours, and what pointing at it means. */
export interface PaintedBlock<Target> {
  rect: UnitRect
  fill: string
  stroke: string
  target: Target
}

/** The block under a point of the drawing, the last painted winning as it is drawn on top. */
export function blockAt<Target>(
  blocks: readonly PaintedBlock<Target>[],
  x: number,
  y: number
): PaintedBlock<Target> | undefined {
  for (let i = blocks.length - 1; i >= 0; i--) {
    const r = blocks[i]!.rect
    if (x >= r.x && x < r.x + Math.max(r.w, 1) && y >= r.y && y < r.y + Math.max(r.h, 1)) return blocks[i]
  }
  return undefined
}
