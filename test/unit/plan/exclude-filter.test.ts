import { describe, expect, it } from 'vitest'
import { matchExcluded } from '../../../src-main/engine/plan/exclude-filter'

describe('--exclude matching', () => {
  it('matches names as RegExp.test does', () => {
    expect([
      ...matchExcluded('^adam_[mv]\\.|^global_step$', ['adam_m.w', 'w', 'global_step', 'xglobal_step'])
    ]).toEqual(['adam_m.w', 'global_step'])
    expect(matchExcluded(undefined, ['a']).size).toBe(0)
  })

  it('stops a catastrophically backtracking regex with a sentence naming it, and the thread stays usable', () => {
    const names = ['a'.repeat(40) + '!', 'layer.weight']
    expect(() => matchExcluded('^(a+)+$', names)).toThrow(
      expect.objectContaining({
        code: 'BAD_INPUT',
        message: expect.stringContaining(
          '--exclude "^(a+)+$" takes longer than 2 s to match 2 parameter names'
        )
      })
    )
    expect([...matchExcluded('weight$', names)]).toEqual(['layer.weight'])
  })

  it('refuses an invalid regex before matching anything', () => {
    expect(() => matchExcluded('(', ['a'])).toThrow(/--exclude is not a valid regular expression/)
  })
})
