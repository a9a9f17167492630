/* libFuzzer harness: a DCEP message (RFC 8832, webrtc/sctp/dcep.c) as it
 * arrives on a data channel stream with PPID 50. A DATA_CHANNEL_OPEN that
 * parses must build back into one that parses to the same channel; then
 * the bytes go through the relay's channel registry
 * (webrtc/sctp/data-channel.c) as the OPEN of stream 0, a text and a binary
 * message on it, and the peer's stream reset, with callbacks that accept
 * every channel as the report channel does for its label. */
#include "tests/fuzz/fuzz-common.h"

#include <string.h>

#include "webrtc/sctp/data-channel.h"
#include "webrtc/sctp/dcep.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init_logging ();
  return 0;
}

static gboolean
on_send (guint16 sid, guint32 ppid, gboolean unordered, const guint8 *data, gsize len,
         gpointer user_data)
{
  fuzz_touch (data, len);
  return TRUE;
}

static void
on_reset (guint16 sid, gpointer user_data)
{
}

static gboolean
on_opened (RelayDataChannel *channel, gpointer user_data)
{
  const char *label = relay_data_channel_get_label (channel);
  FUZZ_CHECK (label != NULL && strlen (label) <= RELAY_DATA_CHANNEL_MAX_LABEL);
  return strcmp (label, "report") == 0;
}

static void
on_message (RelayDataChannel *channel, gboolean binary, const guint8 *data, gsize len,
            gpointer user_data)
{
  fuzz_touch (data, len);
  relay_data_channel_send_text (channel, "ok", 2);
}

static void
on_closed (RelayDataChannel *channel, gpointer user_data)
{
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  RelayDcepOpen open;
  g_autoptr (GError) error = NULL;
  if (relay_dcep_parse_open (data, size, &open, &error))
    {
      FUZZ_CHECK (g_utf8_validate (open.label, -1, NULL) && g_utf8_validate (open.protocol, -1, NULL));
      g_autoptr (GBytes) again = relay_dcep_build_open (&open);
      RelayDcepOpen reread;
      FUZZ_CHECK (relay_dcep_parse_open (g_bytes_get_data (again, NULL), g_bytes_get_size (again),
                                         &reread, NULL));
      FUZZ_CHECK (strcmp (open.label, reread.label) == 0
                  && strcmp (open.protocol, reread.protocol) == 0
                  && open.channel_type == reread.channel_type
                  && open.priority == reread.priority);
      relay_dcep_open_clear (&reread);
      relay_dcep_open_clear (&open);
    }
  else
    FUZZ_CHECK (error != NULL);
  relay_dcep_is_ack (data, size);

  static const RelayDataChannelCallbacks callbacks = {
    .send = on_send,
    .reset_stream = on_reset,
    .opened = on_opened,
    .message = on_message,
    .closed = on_closed,
  };
  RelayDataChannels *channels = relay_data_channels_new (&callbacks, RELAY_DATA_CHANNEL_PEER_EVEN,
                                                         NULL);
  relay_data_channels_receive (channels, 0, RELAY_PPID_DCEP, data, size);
  relay_data_channels_receive (channels, 0, RELAY_PPID_STRING, data, size);
  relay_data_channels_receive (channels, 0, RELAY_PPID_BINARY, data, size);
  relay_data_channels_receive (channels, 0, RELAY_PPID_STRING_EMPTY, data, size);
  relay_data_channels_incoming_reset (channels, 0);
  relay_data_channels_free (channels);
  return 0;
}
