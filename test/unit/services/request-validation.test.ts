import { describe, expect, it } from 'vitest'
import { validateRequest } from '../../../src-main/services/request-validation'

const reject = (name: unknown, params: unknown) => () => validateRequest(name, params)

describe('every renderer request is validated in main', () => {
  it('accepts well-formed requests and keeps only known fields', () => {
    expect(validateRequest('path.open', { path: '/data/ckpt' })).toEqual({
      name: 'path.open',
      params: { path: '/data/ckpt' }
    })
    expect(
      validateRequest('plan.create', {
        source: { folder: '/a', strategy: '/s' },
        destination: { folder: '/b' },
        options: { format: 'safetensors', dtype: 'bfloat16' }
      }).params
    ).toEqual({
      source: { folder: '/a', strategy: '/s' },
      destination: { folder: '/b' },
      options: { format: 'safetensors', dtype: 'bfloat16' }
    })
  })

  it.each([
    [
      'unknown request names',
      'shell.exec',
      { command: 'rm -rf /' },
      'Invalid request: unknown request "shell.exec".'
    ],
    ['non-string names', 42, {}, 'Invalid request: unknown request "42".'],
    ['inherited names', 'constructor', {}, 'Invalid request: unknown request "constructor".'],
    [
      'relative paths',
      'path.open',
      { path: '../etc/passwd' },
      'Invalid request: params.path must be an absolute path.'
    ],
    [
      'paths with NUL',
      'path.open',
      { path: '/tmp/a\0b' },
      'Invalid request: params.path must be an absolute path.'
    ],
    [
      'overlong paths',
      'path.open',
      { path: '/' + 'a'.repeat(5000) },
      'Invalid request: params.path must be a string of at most 4096 characters.'
    ],
    [
      'wrong types',
      'path.open',
      { path: 7 },
      'Invalid request: params.path must be a string of at most 4096 characters.'
    ],
    [
      'missing fields',
      'strategy.describe',
      {},
      'Invalid request: params.path must be a string of at most 4096 characters.'
    ],
    [
      'unknown fields',
      'path.open',
      { path: '/a', mode: 'w' },
      'Invalid request: params.mode must be absent (unknown field).'
    ],
    [
      'bad enums',
      'plan.create',
      { source: { folder: '/a' }, destination: { folder: '/b' }, options: { format: 'npz' } },
      'Invalid request: params.options.format must be one of "ckpt", "safetensors".'
    ],
    [
      'out-of-range numbers',
      'job.start',
      { planId: 'p', jobs: 100000 },
      'Invalid request: params.jobs must be an integer from 1 to 256.'
    ],
    [
      'escaping upload paths',
      'upload.files',
      { name: 'x', files: [{ relativePath: 'a/../../etc/x', data: '' }] },
      'Invalid request: params.files[0].relativePath must be a relative path without "..", "." or empty parts.'
    ],
    [
      'absolute upload paths',
      'upload.files',
      { name: 'x', files: [{ relativePath: '/etc/x', data: '' }] },
      'Invalid request: params.files[0].relativePath must be a relative path without "..", "." or empty parts.'
    ],
    [
      'non-base64 uploads',
      'upload.files',
      { name: 'x', files: [{ relativePath: 'a', data: 'not base64!' }] },
      'Invalid request: params.files[0].data must be base64 text.'
    ],
    ['arrays instead of objects', 'path.list', [], 'Invalid request: params must be an object.']
  ])('rejects %s', (_what, name, params, message) => {
    expect(reject(name, params)).toThrowError(expect.objectContaining({ code: 'BAD_INPUT', message }))
  })

  it('caps upload sizes', () => {
    const huge = 'A'.repeat(90 * 1024 * 1024)
    expect(reject('upload.files', { name: 'x', files: [{ relativePath: 'a', data: huge }] })).toThrowError(
      /params\.files\[0\]\.data must be a string of at most/
    )
  })
})

describe('exact keys are own keys', () => {
  it.each(['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__'])(
    'refuses a field named %s, which every object inherits',
    (key) => {
      // JSON.parse, as the socket does, makes `__proto__` an own field rather than the prototype.
      const params = JSON.parse(`{"path": "/data/ckpt", "${key}": "/etc/passwd"}`)
      expect(reject('path.open', params)).toThrow(
        `Invalid request: params.${key} must be absent (unknown field).`
      )
      expect(reject('app.info', JSON.parse(`{"${key}": 1}`))).toThrow('must be absent (unknown field)')
    }
  )
})
