import { describe, expect, it } from 'vitest'
import { formatDuration, plural } from '../../../src-renderer/app/format'

describe('durations in words', () => {
  it('gives tenths under 10 s, so a short run is not "0 s"', () => {
    expect(formatDuration(0.26)).toBe('0.3 s')
    expect(formatDuration(0)).toBe('0.0 s')
    expect(formatDuration(9.94)).toBe('9.9 s')
  })
  it('gives whole seconds, then minutes, then hours', () => {
    expect(formatDuration(9.96)).toBe('10 s')
    expect(formatDuration(59.4)).toBe('59 s')
    expect(formatDuration(61)).toBe('1 min 1 s')
    expect(formatDuration(3 * 3600 + 125)).toBe('3 h 2 min')
  })
  it('says nothing is known for an unknown or endless figure', () => {
    expect(formatDuration(undefined)).toBe('—')
    expect(formatDuration(Infinity)).toBe('—')
  })
})

describe('counts in words', () => {
  it('uses the singular for one only', () => {
    expect(plural(1, 'output')).toBe('1 output')
    expect(plural(0, 'output')).toBe('0 outputs')
    expect(plural(1024, 'rank')).toBe('1,024 ranks')
  })
})
