/* A cache prefetch hint; the one function of CPrefetch. */
