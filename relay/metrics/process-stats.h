/* The relay process's own figures, read from the kernel when asked: CPU
 * time, resident memory, threads, open descriptors and their limit. For
 * GET /metrics. Any thread; owns nothing. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  double cpu_s;             /* user + system, every thread, since the start */
  guint64 resident_bytes;   /* now (not the peak) */
  guint threads;
  guint open_fds;
  guint64 max_fds;          /* the soft RLIMIT_NOFILE */
} RelayProcessStats;

void relay_process_stats_read (RelayProcessStats *stats);

G_END_DECLS
