#include "relay/metrics/process-stats.h"

#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

static guint
count_entries (const char *dir_path)
{
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
  guint n = 0;
  if (dir)
    while (g_dir_read_name (dir))
      n++;
  return n;
}

/* The second field of /proc/self/statm: resident pages. */
static guint64
resident_bytes (void)
{
  g_autofree char *statm = NULL;
  if (!g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL))
    return 0;
  unsigned long long size, resident;
  if (sscanf (statm, "%llu %llu", &size, &resident) != 2)
    return 0;
  return resident * (guint64) sysconf (_SC_PAGESIZE);
}

void
relay_process_stats_read (RelayProcessStats *s)
{
  struct rusage ru;
  getrusage (RUSAGE_SELF, &ru);
  s->cpu_s = ru.ru_utime.tv_sec + ru.ru_stime.tv_sec
             + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  s->resident_bytes = resident_bytes ();
  s->threads = count_entries ("/proc/self/task");
  /* The directory being read holds one descriptor of its own. */
  guint fds = count_entries ("/proc/self/fd");
  s->open_fds = fds > 0 ? fds - 1 : 0;
  struct rlimit rl;
  s->max_fds = getrlimit (RLIMIT_NOFILE, &rl) == 0 ? (guint64) rl.rlim_cur : 0;
}
