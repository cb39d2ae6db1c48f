/** An axis-aligned block of a tensor: per dimension a start index and a length, in full-tensor coordinates. */
export interface Box {
  offset: number[]
  extent: number[]
}

export function boxVolume(box: Box): number {
  return box.extent.reduce((product, length) => product * length, 1)
}

/** The common part of two boxes, or undefined when they do not overlap. */
export function intersectBoxes(a: Box, b: Box): Box | undefined {
  const offset: number[] = []
  const extent: number[] = []
  for (let i = 0; i < a.offset.length; i++) {
    const start = Math.max(a.offset[i]!, b.offset[i]!)
    const end = Math.min(a.offset[i]! + a.extent[i]!, b.offset[i]! + b.extent[i]!)
    if (end <= start) return undefined
    offset.push(start)
    extent.push(end - start)
  }
  return { offset, extent }
}

export function boxKey(box: Box): string {
  return `${box.offset.join(',')}|${box.extent.join(',')}`
}
