#ifndef STORYLINE_PREFETCH_H
#define STORYLINE_PREFETCH_H

/* A hint to bring the cache line at `p` in for reading, ahead of a load the CPU cannot see
 * coming (the analyzer's term cache: a slot chosen by a hash). Never faults. */
static inline void sl_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

#endif
