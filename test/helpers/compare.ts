import { readAllTensors } from './ckpt'

/** Tensor-by-tensor view of a checkpoint: name → dims | dtype | bytes (hex), the way the oracle is compared. */
export async function tensorMap(path: string): Promise<Map<string, string>> {
  const tensors = await readAllTensors(path)
  return new Map(
    tensors.map((t) => [t.name, `[${t.dims.join(',')}] ${t.dtype} ${Buffer.from(t.data).toString('hex')}`])
  )
}

/** Differences between two checkpoints, tensor by tensor (names, dims, dtype, bytes); empty when equal. */
export async function tensorDifferences(actualPath: string, expectedPath: string): Promise<string[]> {
  const actual = await tensorMap(actualPath)
  const expected = await tensorMap(expectedPath)
  const differences: string[] = []
  for (const [name, value] of expected) {
    const got = actual.get(name)
    if (got === undefined) differences.push(`${name}: missing`)
    else if (got !== value)
      differences.push(`${name}: expected ${value.slice(0, 60)}…, got ${got.slice(0, 60)}…`)
  }
  for (const name of actual.keys()) if (!expected.has(name)) differences.push(`${name}: unexpected`)
  return differences
}
