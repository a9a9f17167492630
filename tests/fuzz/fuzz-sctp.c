/* libFuzzer harness: SCTP packets as they come out of DTLS, into the
 * relay's association (webrtc/sctp/sctp-association.c, usrsctp in AF_CONN
 * mode) with the relay's channel registry behind it
 * (webrtc/sctp/data-channel.c, "report" accepted, each message answered).
 *
 * Each input gets a fresh association A (the unit under test) and a peer
 * association B of the same code, wired back to back until both are
 * connected, as after a real handshake. B is then silenced and the input
 * speaks for the peer. A real peer's packets only mean something with the
 * association's numbers, which usrsctp draws at random, so the input
 * carries them relative and the harness makes them absolute:
 *
 *   input   = record*, record = 2-byte big-endian length, SCTP packet
 *   ports   forced to 5000 (both ends use the SDP's a=sctp-port)
 *   vtag    A's tag, unless the record's is 0 (as an INIT carries)
 *   TSNs    in DATA, I-DATA, FORWARD-TSN, I-FORWARD-TSN and the RE-CONFIG
 *           parameters: added to B's initial TSN (A's for what answers A:
 *           SACK cumulative acks, response sequence numbers)
 *   CRC32c  computed, as a peer's would be right
 *
 * tests/fuzz/capture-corpus writes captured sessions in this form
 * (handshake left out, numbers made relative). usrsctp's own timer thread
 * runs as in the relay; an input takes well under its shortest timer, so
 * runs repeat closely enough. usrsctp itself is not instrumented: coverage
 * is that of the glue and the registry. */
#include "tests/fuzz/fuzz-common.h"

#include <string.h>
#include <usrsctp.h>

#include "webrtc/sctp/data-channel.h"
#include "webrtc/sctp/dcep.h"
#include "webrtc/sctp/sctp-association.h"

#define PORT 5000
#define MAX_RECORDS 128
#define MAX_HANDSHAKE_ROUNDS 32

enum {
  CHUNK_DATA = 0, CHUNK_INIT = 1, CHUNK_INIT_ACK = 2, CHUNK_SACK = 3, CHUNK_NR_SACK = 16,
  CHUNK_IDATA = 64, CHUNK_RECONFIG = 130, CHUNK_FORWARD_TSN = 192, CHUNK_IFORWARD_TSN = 194,
};

typedef struct {
  RelaySctpAssociation *sctp;
  RelayDataChannels *channels;
  GQueue out; /* GBytes*, what this side sent */
  RelaySctpState state;
  gboolean have_init;
  guint32 tag, tsn; /* from its INIT or INIT-ACK */
  gboolean silent;  /* past the handshake: output dropped */
} Side;

static Side a, b;

static guint32
be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static void
put_be32 (guint8 *p, guint32 v)
{
  p[0] = v >> 24;
  p[1] = v >> 16;
  p[2] = v >> 8;
  p[3] = v;
}

static void
add_be32 (guint8 *packet, gsize len, gsize off, guint32 base)
{
  if (off + 4 <= len)
    put_be32 (packet + off, be32 (packet + off) + base);
}

/* Learns a side's tag and initial TSN from the INIT or INIT-ACK it sends. */
static void
learn (Side *side, const guint8 *p, gsize len)
{
  for (gsize off = 12; off + 20 <= len;)
    {
      gsize clen = ((gsize) p[off + 2] << 8) | p[off + 3];
      if (clen < 4)
        break;
      if (p[off] == CHUNK_INIT || p[off] == CHUNK_INIT_ACK)
        {
          side->tag = be32 (p + off + 4);
          side->tsn = be32 (p + off + 16);
          side->have_init = TRUE;
        }
      off += (clen + 3) & ~(gsize) 3;
    }
}

static void
on_output (const guint8 *data, gsize len, gpointer user_data)
{
  Side *side = user_data;
  fuzz_touch (data, len);
  if (side->silent)
    return;
  learn (side, data, len);
  g_queue_push_tail (&side->out, g_bytes_new (data, len));
}

static void
on_message (guint16 sid, guint32 ppid, const guint8 *data, gsize len, gpointer user_data)
{
  Side *side = user_data;
  FUZZ_CHECK (len <= RELAY_SCTP_MAX_MESSAGE_SIZE);
  relay_data_channels_receive (side->channels, sid, ppid, data, len);
}

static void
on_incoming_reset (guint16 sid, gpointer user_data)
{
  Side *side = user_data;
  relay_data_channels_incoming_reset (side->channels, sid);
}

static void
on_state (RelaySctpState state, gpointer user_data)
{
  Side *side = user_data;
  side->state = state;
}

static gboolean
dc_send (guint16 sid, guint32 ppid, gboolean unordered, const guint8 *data, gsize len,
         gpointer user_data)
{
  Side *side = user_data;
  return relay_sctp_association_send (side->sctp, sid, ppid, unordered, data, len);
}

static void
dc_reset (guint16 sid, gpointer user_data)
{
  Side *side = user_data;
  relay_sctp_association_reset_stream (side->sctp, sid);
}

static gboolean
dc_opened (RelayDataChannel *channel, gpointer user_data)
{
  return g_strcmp0 (relay_data_channel_get_label (channel), "report") == 0;
}

static void
dc_message (RelayDataChannel *channel, gboolean binary, const guint8 *data, gsize len,
            gpointer user_data)
{
  fuzz_touch (data, len);
  /* The report channel answers every message on the same stream. */
  relay_data_channel_send_text (channel, "{\"status\":400}", 14);
}

static void
dc_closed (RelayDataChannel *channel, gpointer user_data)
{
}

static const RelaySctpCallbacks sctp_callbacks = { on_output, on_message, on_incoming_reset,
                                                   on_state };
static const RelayDataChannelCallbacks dc_callbacks = { dc_send, dc_reset, dc_opened, dc_message,
                                                        dc_closed };

static void
side_open (Side *side, RelayDataChannelPeerStreams peer_streams)
{
  memset (side, 0, sizeof *side);
  side->channels = relay_data_channels_new (&dc_callbacks, peer_streams, side);
  side->sctp = relay_sctp_association_new (NULL, PORT, PORT, &sctp_callbacks, side, NULL);
  FUZZ_CHECK (side->sctp != NULL);
}

static void
side_close (Side *side)
{
  side->silent = TRUE;
  relay_data_channels_free (side->channels);
  relay_sctp_association_free (side->sctp);
  g_queue_clear_full (&side->out, (GDestroyNotify) g_bytes_unref);
}

/* Hands what `from` sent to `to`; FALSE when there was nothing. */
static gboolean
deliver (Side *from, Side *to)
{
  GBytes *bytes = g_queue_pop_head (&from->out);
  if (!bytes)
    return FALSE;
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  relay_sctp_association_receive (to->sctp, data, len);
  g_bytes_unref (bytes);
  return TRUE;
}

static void
rebase (guint8 *p, gsize len)
{
  for (gsize off = 12; off + 4 <= len;)
    {
      gsize clen = ((gsize) p[off + 2] << 8) | p[off + 3];
      if (clen < 4)
        break;
      gsize end = MIN (off + clen, len);
      switch (p[off])
        {
        case CHUNK_DATA:
        case CHUNK_IDATA:
        case CHUNK_FORWARD_TSN:
        case CHUNK_IFORWARD_TSN:
          add_be32 (p, end, off + 4, b.tsn);
          break;
        case CHUNK_SACK:
        case CHUNK_NR_SACK:
          add_be32 (p, end, off + 4, a.tsn);
          break;
        case CHUNK_RECONFIG:
          for (gsize par = off + 4; par + 4 <= end;)
            {
              guint16 type = (guint16) ((p[par] << 8) | p[par + 1]);
              gsize plen = ((gsize) p[par + 2] << 8) | p[par + 3];
              if (plen < 4)
                break;
              gsize pend = MIN (par + plen, end);
              if (type == 13) /* outgoing reset: request, response, last TSN */
                {
                  add_be32 (p, pend, par + 4, b.tsn);
                  add_be32 (p, pend, par + 8, a.tsn);
                  add_be32 (p, pend, par + 12, b.tsn);
                }
              else if (type == 14 || type == 15 || type == 17 || type == 18)
                add_be32 (p, pend, par + 4, b.tsn);
              else if (type == 16) /* response to A's request */
                add_be32 (p, pend, par + 4, a.tsn);
              par += (plen + 3) & ~(gsize) 3;
            }
          break;
        default:
          break;
        }
      off += (clen + 3) & ~(gsize) 3;
    }
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init_logging ();
  /* Our thread runs the default context: the association drains its
   * events inline, as on its transport worker. */
  FUZZ_CHECK (g_main_context_acquire (NULL));
  /* An association that lives as long as the process keeps usrsctp's timer
   * source in place: otherwise every input would create and destroy it, and
   * the destroyed one is freed later on the timer thread. */
  static Side anchor;
  side_open (&anchor, RELAY_DATA_CHANNEL_PEER_EVEN);
  anchor.silent = TRUE;
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  side_open (&a, RELAY_DATA_CHANNEL_PEER_EVEN);
  side_open (&b, RELAY_DATA_CHANNEL_PEER_ODD);
  relay_sctp_association_connect (a.sctp);
  relay_sctp_association_connect (b.sctp);
  for (guint round = 0; round < MAX_HANDSHAKE_ROUNDS; round++)
    {
      gboolean moved = deliver (&a, &b);
      moved |= deliver (&b, &a);
      if (!moved)
        break;
    }
  FUZZ_CHECK (a.state == RELAY_SCTP_CONNECTED && b.state == RELAY_SCTP_CONNECTED);
  FUZZ_CHECK (a.have_init && b.have_init);
  a.silent = b.silent = TRUE;
  g_queue_clear_full (&a.out, (GDestroyNotify) g_bytes_unref);
  g_queue_clear_full (&b.out, (GDestroyNotify) g_bytes_unref);

  gsize off = 0;
  for (guint n = 0; n < MAX_RECORDS && off + 2 <= size; n++)
    {
      gsize len = MIN (((gsize) data[off] << 8) | data[off + 1], size - off - 2);
      off += 2;
      guint8 *packet = g_memdup2 (data + off, len);
      off += len;
      if (len >= 12)
        {
          packet[0] = packet[2] = PORT >> 8;
          packet[1] = packet[3] = PORT & 0xff;
          if (be32 (packet + 4) != 0)
            put_be32 (packet + 4, a.tag);
          rebase (packet, len);
          put_be32 (packet + 8, 0);
          guint32 crc = usrsctp_crc32c (packet, len);
          memcpy (packet + 8, &crc, 4);
        }
      relay_sctp_association_receive (a.sctp, packet, len);
      g_free (packet);
    }

  side_close (&a);
  side_close (&b);
  /* Drains scheduled by usrsctp's timer thread find nothing now. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return 0;
}
