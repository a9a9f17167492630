#include "http/idle-input.h"

struct _RelayIdleInput {
  GInputStream parent;
  GInputStream *base;
  gboolean idle;
  gboolean held;         /* an end or an error held back: reads would block */
  GSourceFunc on_held_end;
  gpointer data;
  GSource *telling;      /* on_held_end, due */
};

static void pollable_iface_init (GPollableInputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RelayIdleInput, relay_idle_input, G_TYPE_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM,
                                                      pollable_iface_init))

static void
stop_telling (RelayIdleInput *self)
{
  if (self->telling)
    {
      g_source_destroy (self->telling);
      g_clear_pointer (&self->telling, g_source_unref);
    }
}

static gboolean
tell (gpointer data)
{
  RelayIdleInput *self = data;
  g_clear_pointer (&self->telling, g_source_unref);
  if (self->on_held_end)
    self->on_held_end (self->data);
  return G_SOURCE_REMOVE;
}

/* Not from within libsoup's read: the owner takes the connection from it,
 * which it cannot do while libsoup runs. */
static void
hold (RelayIdleInput *self)
{
  self->held = TRUE;
  if (self->telling)
    return;
  self->telling = g_idle_source_new ();
  g_source_set_callback (self->telling, tell, self, NULL);
  g_source_attach (self->telling, g_main_context_get_thread_default ());
}

static gboolean
would_hold (RelayIdleInput *self, gssize n, const GError *error)
{
  return self->idle && self->on_held_end
         && (n == 0 || (n < 0 && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)));
}

static gssize
read_nonblocking (GPollableInputStream *stream, void *buffer, gsize count, GError **error)
{
  RelayIdleInput *self = RELAY_IDLE_INPUT (stream);
  g_autoptr (GError) local = NULL;
  gssize n = -1;
  if (!self->held)
    n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (self->base), buffer,
                                                  count, NULL, &local);
  if (self->held || would_hold (self, n, local))
    {
      if (!self->held)
        g_debug ("idle connection input %s: %s", n == 0 ? "ended" : "failed",
                 local ? local->message : "end of input");
      hold (self);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK,
                           "held back while the connection is idle");
      return -1;
    }
  if (local)
    g_propagate_error (error, g_steal_pointer (&local));
  return n;
}

static gboolean
is_readable (GPollableInputStream *stream)
{
  RelayIdleInput *self = RELAY_IDLE_INPUT (stream);
  return !self->held && g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (self->base));
}

static GSource *
create_source (GPollableInputStream *stream, GCancellable *cancellable)
{
  RelayIdleInput *self = RELAY_IDLE_INPUT (stream);
  /* Held: a source that never fires (it has no child to wake it). */
  if (self->held)
    return g_pollable_source_new (G_OBJECT (stream));
  g_autoptr (GSource) base_source
      = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (self->base), NULL);
  return g_pollable_source_new_full (stream, base_source, cancellable);
}

static gboolean
can_poll (GPollableInputStream *stream)
{
  RelayIdleInput *self = RELAY_IDLE_INPUT (stream);
  return g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (self->base));
}

static void
pollable_iface_init (GPollableInputStreamInterface *iface)
{
  iface->can_poll = can_poll;
  iface->is_readable = is_readable;
  iface->create_source = create_source;
  iface->read_nonblocking = read_nonblocking;
}

/* libsoup's server reads without blocking; a blocking read passes through. */
static gssize
read_fn (GInputStream *stream, void *buffer, gsize count, GCancellable *cancellable,
         GError **error)
{
  return g_input_stream_read (RELAY_IDLE_INPUT (stream)->base, buffer, count, cancellable, error);
}

static gboolean
close_fn (GInputStream *stream, GCancellable *cancellable, GError **error)
{
  return g_input_stream_close (RELAY_IDLE_INPUT (stream)->base, cancellable, error);
}

static void
relay_idle_input_finalize (GObject *object)
{
  RelayIdleInput *self = RELAY_IDLE_INPUT (object);
  stop_telling (self);
  g_clear_object (&self->base);
  G_OBJECT_CLASS (relay_idle_input_parent_class)->finalize (object);
}

static void
relay_idle_input_class_init (RelayIdleInputClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = relay_idle_input_finalize;
  G_INPUT_STREAM_CLASS (klass)->read_fn = read_fn;
  G_INPUT_STREAM_CLASS (klass)->close_fn = close_fn;
}

static void
relay_idle_input_init (RelayIdleInput *self)
{
}

RelayIdleInput *
relay_idle_input_new (GInputStream *base, GSourceFunc on_held_end, gpointer data)
{
  RelayIdleInput *self = g_object_new (RELAY_TYPE_IDLE_INPUT, NULL);
  self->base = g_object_ref (base);
  self->on_held_end = on_held_end;
  self->data = data;
  return self;
}

void
relay_idle_input_set_idle (RelayIdleInput *input, gboolean idle)
{
  input->idle = idle;
}

void
relay_idle_input_forget_owner (RelayIdleInput *input)
{
  input->on_held_end = NULL;
  input->idle = FALSE;
  stop_telling (input);
}
