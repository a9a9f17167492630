#include "pipelines/media-thread.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Enough for the transport workers (nice 0) to win the CPU whenever both
 * are runnable, not so much that the mosaic starves next to any other
 * nice-0 process: nice 19 halved the end-to-end key-frame latency of the
 * Janus comparison but would let a busy neighbour stop the mosaic
 * (docs/PERFORMANCE.md). */
#define MEDIA_THREAD_NICE 5

void
relay_media_thread_lower_priority (void)
{
  setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), MEDIA_THREAD_NICE);
}
