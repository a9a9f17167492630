#include "webrtc/sctp/dcep.h"

#include <string.h>

#define OPEN_HEADER_LEN 12

G_DEFINE_QUARK (relay-dcep-error-quark, relay_dcep_error)

static gboolean
known_type (guint8 type)
{
  switch (type & ~RELAY_DCEP_UNORDERED_BIT)
    {
    case RELAY_DCEP_RELIABLE:
    case RELAY_DCEP_PARTIAL_RELIABLE_REXMIT:
    case RELAY_DCEP_PARTIAL_RELIABLE_TIMED:
      return TRUE;
    default:
      return FALSE;
    }
}

/* Labels end up in logs and in the channel registry: an embedded NUL would
 * silently shorten them, invalid UTF-8 would break JSON and logs. */
static char *
copy_text (const guint8 *p, gsize n, const char *what, GError **error)
{
  if (memchr (p, 0, n) != NULL || !g_utf8_validate ((const char *) p, (gssize) n, NULL))
    {
      g_set_error (error, RELAY_DCEP_ERROR, 0, "DATA_CHANNEL_OPEN %s is not valid UTF-8 text",
                   what);
      return NULL;
    }
  return g_strndup ((const char *) p, n);
}

gboolean
relay_dcep_parse_open (const guint8 *data, gsize len, RelayDcepOpen *open, GError **error)
{
  memset (open, 0, sizeof *open);
  if (data == NULL || len < OPEN_HEADER_LEN)
    {
      g_set_error (error, RELAY_DCEP_ERROR, 0, "DATA_CHANNEL_OPEN shorter than its %d-byte header",
                   OPEN_HEADER_LEN);
      return FALSE;
    }
  if (data[0] != RELAY_DCEP_OPEN)
    {
      g_set_error (error, RELAY_DCEP_ERROR, 0, "DCEP message type 0x%02x is not DATA_CHANNEL_OPEN",
                   data[0]);
      return FALSE;
    }
  if (!known_type (data[1]))
    {
      g_set_error (error, RELAY_DCEP_ERROR, 0, "unknown data channel type 0x%02x", data[1]);
      return FALSE;
    }
  gsize label_len = ((gsize) data[8] << 8) | data[9];
  gsize protocol_len = ((gsize) data[10] << 8) | data[11];
  if (OPEN_HEADER_LEN + label_len + protocol_len != len)
    {
      g_set_error (error, RELAY_DCEP_ERROR, 0,
                   "DATA_CHANNEL_OPEN lengths (label %zu, protocol %zu) do not match its size %zu",
                   label_len, protocol_len, len);
      return FALSE;
    }
  open->channel_type = data[1];
  open->priority = (guint16) ((data[2] << 8) | data[3]);
  open->reliability = ((guint32) data[4] << 24) | ((guint32) data[5] << 16)
                      | ((guint32) data[6] << 8) | data[7];
  open->label = copy_text (data + OPEN_HEADER_LEN, label_len, "label", error);
  if (open->label == NULL)
    return FALSE;
  open->protocol = copy_text (data + OPEN_HEADER_LEN + label_len, protocol_len, "protocol", error);
  if (open->protocol == NULL)
    {
      relay_dcep_open_clear (open);
      return FALSE;
    }
  return TRUE;
}

void
relay_dcep_open_clear (RelayDcepOpen *open)
{
  g_clear_pointer (&open->label, g_free);
  g_clear_pointer (&open->protocol, g_free);
}

GBytes *
relay_dcep_build_open (const RelayDcepOpen *open)
{
  gsize label_len = open->label ? strlen (open->label) : 0;
  gsize protocol_len = open->protocol ? strlen (open->protocol) : 0;
  g_return_val_if_fail (label_len <= G_MAXUINT16 && protocol_len <= G_MAXUINT16, NULL);
  gsize len = OPEN_HEADER_LEN + label_len + protocol_len;
  guint8 *b = g_malloc (len);
  b[0] = RELAY_DCEP_OPEN;
  b[1] = open->channel_type;
  b[2] = (guint8) (open->priority >> 8);
  b[3] = (guint8) open->priority;
  b[4] = (guint8) (open->reliability >> 24);
  b[5] = (guint8) (open->reliability >> 16);
  b[6] = (guint8) (open->reliability >> 8);
  b[7] = (guint8) open->reliability;
  b[8] = (guint8) (label_len >> 8);
  b[9] = (guint8) label_len;
  b[10] = (guint8) (protocol_len >> 8);
  b[11] = (guint8) protocol_len;
  if (label_len > 0)
    memcpy (b + OPEN_HEADER_LEN, open->label, label_len);
  if (protocol_len > 0)
    memcpy (b + OPEN_HEADER_LEN + label_len, open->protocol, protocol_len);
  return g_bytes_new_take (b, len);
}

GBytes *
relay_dcep_build_ack (void)
{
  static const guint8 ack = RELAY_DCEP_ACK;
  return g_bytes_new_static (&ack, 1);
}

gboolean
relay_dcep_is_ack (const guint8 *data, gsize len)
{
  return data != NULL && len == 1 && data[0] == RELAY_DCEP_ACK;
}

gboolean
relay_dcep_channel_ordered (guint8 channel_type)
{
  return (channel_type & RELAY_DCEP_UNORDERED_BIT) == 0;
}
