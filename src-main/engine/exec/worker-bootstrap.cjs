// Loads the TypeScript worker through tsx when Shardscope runs from source (CLI, tests): worker threads do not
// inherit the main thread's loader. The bundled app starts its compiled worker directly instead.
require('tsx/cjs')
require(require('node:worker_threads').workerData.entry)
