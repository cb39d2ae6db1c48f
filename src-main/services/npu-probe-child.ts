/**
 * The program the probe child runs (`node -e`): load the addon at argv[1], probe, write the JSON answer to
 * fd 3. Inline rather than a file so that it exists wherever the app does (sources, bundle, package). The
 * answer has a pipe of its own because driver libraries may print to stdout.
 */
export const NPU_PROBE_CHILD_SOURCE = `'use strict'
const addon = { exports: {} }
process.dlopen(addon, process.argv[1])
const answer = Buffer.from(JSON.stringify(addon.exports.probeNpus()))
const { writeSync } = require('node:fs')
for (let at = 0; at < answer.length; ) at += writeSync(3, answer, at)
`

/** The answer is a few hundred bytes per device; anything longer is not ours. */
export const MAX_ANSWER_BYTES = 1024 * 1024
