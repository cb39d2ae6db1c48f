/**
 * The executor's memory budget per destination rank. A tensor is assembled in slabs of at most SLAB_BYTES,
 * source bytes arrive through a read buffer of READ_BUFFER_BYTES, so peak memory is set here, not by the size
 * of any checkpoint or tensor. 8 MiB, not 32: four 32 MiB slabs (two workers) were half the peak RSS, and the
 * smaller slabs cost no measurable CPU (bench/transform-results.md); much smaller ones do (calls per byte).
 */
export const SLAB_BYTES = 8 * 1024 * 1024
export const READ_BUFFER_BYTES = 16 * 1024 * 1024
