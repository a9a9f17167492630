/* DCEP (RFC 8832) parsing and building, malformed inputs included, and the
 * data channel registry's framing (RFC 8831 PPIDs, stream resets), with
 * callbacks that record what would be sent. Which labels are accepted is
 * not the registry's business but its user's (the report channel's rule is
 * tested on the real channel in test-report-channel.c): here the callbacks
 * accept or refuse as the test says, to check what the registry does
 * either way. */
#include <string.h>
#include <glib.h>

#include "webrtc/sctp/data-channel.h"
#include "webrtc/sctp/dcep.h"

static GBytes *
open_bytes (guint8 type, const char *label, const char *protocol)
{
  RelayDcepOpen o = { .channel_type = type, .priority = 256, .reliability = 0,
                      .label = (char *) label, .protocol = (char *) protocol };
  return relay_dcep_build_open (&o);
}

static void
test_dcep_roundtrip (void)
{
  RelayDcepOpen o = { .channel_type = RELAY_DCEP_PARTIAL_RELIABLE_REXMIT | RELAY_DCEP_UNORDERED_BIT,
                      .priority = 512, .reliability = 7, .label = "report", .protocol = "json" };
  g_autoptr (GBytes) b = relay_dcep_build_open (&o);
  gsize len;
  const guint8 *d = g_bytes_get_data (b, &len);
  g_assert_cmpuint (len, ==, 12 + 6 + 4);
  g_assert_cmpuint (d[0], ==, 0x03);

  RelayDcepOpen p;
  g_autoptr (GError) error = NULL;
  g_assert_true (relay_dcep_parse_open (d, len, &p, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (p.channel_type, ==, o.channel_type);
  g_assert_cmpuint (p.priority, ==, 512);
  g_assert_cmpuint (p.reliability, ==, 7);
  g_assert_cmpstr (p.label, ==, "report");
  g_assert_cmpstr (p.protocol, ==, "json");
  g_assert_false (relay_dcep_channel_ordered (p.channel_type));
  relay_dcep_open_clear (&p);

  /* Empty label and protocol are legal. */
  g_autoptr (GBytes) e = open_bytes (RELAY_DCEP_RELIABLE, "", "");
  d = g_bytes_get_data (e, &len);
  g_assert_true (relay_dcep_parse_open (d, len, &p, NULL));
  g_assert_cmpstr (p.label, ==, "");
  g_assert_true (relay_dcep_channel_ordered (p.channel_type));
  relay_dcep_open_clear (&p);

  g_autoptr (GBytes) ack = relay_dcep_build_ack ();
  d = g_bytes_get_data (ack, &len);
  g_assert_true (relay_dcep_is_ack (d, len));
  g_assert_false (relay_dcep_is_ack (d, 0));
  g_assert_false (relay_dcep_is_ack ((const guint8 *) "\x03", 1));
}

static gboolean
parse_fails (const guint8 *d, gsize len)
{
  RelayDcepOpen p;
  g_autoptr (GError) error = NULL;
  gboolean ok = relay_dcep_parse_open (d, len, &p, &error);
  if (ok)
    {
      relay_dcep_open_clear (&p);
      return FALSE;
    }
  g_assert_nonnull (error);
  g_assert_null (p.label);
  g_assert_null (p.protocol);
  return TRUE;
}

static void
test_dcep_malformed (void)
{
  g_autoptr (GBytes) good = open_bytes (RELAY_DCEP_RELIABLE, "report", "x");
  gsize len;
  const guint8 *d = g_bytes_get_data (good, &len);
  guint8 buf[64];
  memcpy (buf, d, len);

  g_assert_true (parse_fails (NULL, 0));
  for (gsize n = 0; n < len; n++) /* every truncation */
    g_assert_true (parse_fails (buf, n));
  buf[len] = 'z'; /* a trailing byte */
  g_assert_true (parse_fails (buf, len + 1));

  buf[0] = RELAY_DCEP_ACK; /* wrong message type */
  g_assert_true (parse_fails (buf, len));
  buf[0] = RELAY_DCEP_OPEN;
  buf[1] = 0x03; /* unknown channel type */
  g_assert_true (parse_fails (buf, len));
  buf[1] = 0x00;
  buf[8] = 0xff; /* label length past the end */
  g_assert_true (parse_fails (buf, len));
  buf[8] = 0;
  buf[12 + 2] = 0; /* NUL inside the label */
  g_assert_true (parse_fails (buf, len));
  buf[12 + 2] = 0xc3; /* a lone UTF-8 lead byte */
  g_assert_true (parse_fails (buf, len));
  buf[12 + 2] = 'p';
  buf[12 + 6] = 0xff; /* invalid UTF-8 in the protocol */
  g_assert_true (parse_fails (buf, len));
  buf[12 + 6] = 'x';
  g_assert_false (parse_fails (buf, len));

  /* Random bytes never crash and never leak. */
  GRand *r = g_rand_new_with_seed (8832);
  for (guint i = 0; i < 20000; i++)
    {
      guint8 junk[40];
      gsize n = g_rand_int_range (r, 0, sizeof junk);
      for (gsize j = 0; j < n; j++)
        junk[j] = (guint8) g_rand_int (r);
      if (n > 0 && g_rand_boolean (r))
        junk[0] = RELAY_DCEP_OPEN;
      if (n > 11 && g_rand_boolean (r))
        junk[8] = junk[10] = 0, junk[9] = (guint8) MIN (n - 12, 3u), junk[11] = (guint8) (n - 12 - junk[9]);
      RelayDcepOpen p;
      if (relay_dcep_parse_open (junk, n, &p, NULL))
        relay_dcep_open_clear (&p);
    }
  g_rand_free (r);
}

/* ---- the registry, against recording callbacks ---- */

typedef struct {
  guint16 sid;
  guint32 ppid;
  gboolean unordered;
  GBytes *data;
} Sent;

typedef struct {
  GArray *sent;    /* Sent */
  GArray *resets;  /* guint16 */
  GPtrArray *messages; /* "t:<text>" / "b:<hex len>" */
  guint opened, closed;
  gboolean refuse; /* the application says no to the next OPENs */
  gboolean reply;
} Fake;

static gboolean
fake_send (guint16 sid, guint32 ppid, gboolean unordered, const guint8 *data, gsize len,
           gpointer user_data)
{
  Fake *f = user_data;
  Sent s = { sid, ppid, unordered, g_bytes_new (data, len) };
  g_array_append_val (f->sent, s);
  return TRUE;
}

static void
fake_reset (guint16 sid, gpointer user_data)
{
  Fake *f = user_data;
  g_array_append_val (f->resets, sid);
}

static gboolean
fake_opened (RelayDataChannel *ch, gpointer user_data)
{
  Fake *f = user_data;
  (void) ch;
  if (f->refuse)
    return FALSE;
  f->opened++;
  return TRUE;
}

static void
fake_message (RelayDataChannel *ch, gboolean binary, const guint8 *data, gsize len,
              gpointer user_data)
{
  Fake *f = user_data;
  g_ptr_array_add (f->messages, binary ? g_strdup_printf ("b:%zu", len)
                                       : g_strdup_printf ("t:%.*s", (int) len, data));
  if (f->reply)
    relay_data_channel_send_text (ch, (const char *) data, len);
}

static void
fake_closed (RelayDataChannel *ch, gpointer user_data)
{
  Fake *f = user_data;
  (void) ch;
  f->closed++;
}

static const RelayDataChannelCallbacks fake_callbacks = {
  .send = fake_send, .reset_stream = fake_reset, .opened = fake_opened,
  .message = fake_message, .closed = fake_closed,
};

static void
sent_clear (gpointer p)
{
  Sent *s = p;
  g_bytes_unref (s->data);
}

static void
fake_init (Fake *f)
{
  memset (f, 0, sizeof *f);
  f->sent = g_array_new (FALSE, TRUE, sizeof (Sent));
  g_array_set_clear_func (f->sent, sent_clear);
  f->resets = g_array_new (FALSE, TRUE, sizeof (guint16));
  f->messages = g_ptr_array_new_with_free_func (g_free);
}

static void
fake_clear (Fake *f)
{
  g_array_unref (f->sent);
  g_array_unref (f->resets);
  g_ptr_array_unref (f->messages);
}

static void
receive_open (RelayDataChannels *dcs, guint16 sid, guint8 type, const char *label)
{
  g_autoptr (GBytes) b = open_bytes (type, label, "");
  gsize len;
  const guint8 *d = g_bytes_get_data (b, &len);
  relay_data_channels_receive (dcs, sid, RELAY_PPID_DCEP, d, len);
}

static void
test_registry_open_and_messages (void)
{
  Fake f;
  fake_init (&f);
  f.reply = TRUE;
  RelayDataChannels *dcs = relay_data_channels_new (&fake_callbacks, RELAY_DATA_CHANNEL_PEER_EVEN, &f);

  receive_open (dcs, 2, RELAY_DCEP_RELIABLE, "report");
  g_assert_cmpuint (f.opened, ==, 1);
  g_assert_cmpuint (f.sent->len, ==, 1); /* the ACK */
  Sent *s = &g_array_index (f.sent, Sent, 0);
  g_assert_cmpuint (s->sid, ==, 2);
  g_assert_cmpuint (s->ppid, ==, RELAY_PPID_DCEP);
  g_assert_true (relay_dcep_is_ack (g_bytes_get_data (s->data, NULL), g_bytes_get_size (s->data)));
  RelayDataChannel *ch = relay_data_channels_lookup (dcs, 2);
  g_assert_nonnull (ch);
  g_assert_cmpstr (relay_data_channel_get_label (ch), ==, "report");
  g_assert_cmpuint (relay_data_channel_get_stream_id (ch), ==, 2);

  relay_data_channels_receive (dcs, 2, RELAY_PPID_STRING, (const guint8 *) "{\"a\":1}", 7);
  relay_data_channels_receive (dcs, 2, RELAY_PPID_BINARY, (const guint8 *) "\x01\x02\x03", 3);
  relay_data_channels_receive (dcs, 2, RELAY_PPID_STRING_EMPTY, (const guint8 *) "\0", 1);
  relay_data_channels_receive (dcs, 2, RELAY_PPID_BINARY_EMPTY, (const guint8 *) "\0", 1);
  g_assert_cmpuint (f.messages->len, ==, 4);
  g_assert_cmpstr (f.messages->pdata[0], ==, "t:{\"a\":1}");
  g_assert_cmpstr (f.messages->pdata[1], ==, "b:3");
  g_assert_cmpstr (f.messages->pdata[2], ==, "t:");
  g_assert_cmpstr (f.messages->pdata[3], ==, "b:0");

  /* Replies: text as 51, the empty string as 56 with one zero byte. */
  s = &g_array_index (f.sent, Sent, 1);
  g_assert_cmpuint (s->ppid, ==, RELAY_PPID_STRING);
  g_assert_cmpuint (g_bytes_get_size (s->data), ==, 7);
  s = &g_array_index (f.sent, Sent, 3);
  g_assert_cmpuint (s->ppid, ==, RELAY_PPID_STRING_EMPTY);
  g_assert_cmpuint (g_bytes_get_size (s->data), ==, 1);
  g_assert_true (relay_data_channel_send_binary (ch, (const guint8 *) "", 0));
  s = &g_array_index (f.sent, Sent, f.sent->len - 1);
  g_assert_cmpuint (s->ppid, ==, RELAY_PPID_BINARY_EMPTY);

  /* Data on a stream nobody opened, unknown PPIDs, stray DCEP: dropped. */
  guint before = f.messages->len;
  relay_data_channels_receive (dcs, 4, RELAY_PPID_STRING, (const guint8 *) "x", 1);
  relay_data_channels_receive (dcs, 2, 52, (const guint8 *) "x", 1);
  relay_data_channels_receive (dcs, 2, RELAY_PPID_DCEP, (const guint8 *) "\x07", 1);
  relay_data_channels_receive (dcs, 2, RELAY_PPID_DCEP, (const guint8 *) "", 0);
  g_assert_cmpuint (f.messages->len, ==, before);
  RelayDataChannelStats st;
  relay_data_channels_get_stats (dcs, &st);
  g_assert_cmpuint (st.dropped, ==, 4);
  g_assert_cmpuint (st.opened, ==, 1);

  /* A second OPEN on a live stream does not replace the channel. */
  receive_open (dcs, 2, RELAY_DCEP_RELIABLE, "other");
  g_assert_cmpstr (relay_data_channel_get_label (relay_data_channels_lookup (dcs, 2)), ==,
                   "report");

  /* The peer closes: we reset our side, `closed` runs, the sid is free. */
  relay_data_channels_incoming_reset (dcs, 2);
  g_assert_cmpuint (f.resets->len, ==, 1);
  g_assert_cmpuint (g_array_index (f.resets, guint16, 0), ==, 2);
  g_assert_cmpuint (f.closed, ==, 1);
  g_assert_null (relay_data_channels_lookup (dcs, 2));
  receive_open (dcs, 2, RELAY_DCEP_RELIABLE, "report");
  g_assert_nonnull (relay_data_channels_lookup (dcs, 2));

  relay_data_channels_free (dcs);
  fake_clear (&f);
}

static void
test_registry_refuse_and_close (void)
{
  Fake f;
  fake_init (&f);
  RelayDataChannels *dcs = relay_data_channels_new (&fake_callbacks, RELAY_DATA_CHANNEL_PEER_EVEN, &f);

  /* The application refuses a channel. */
  f.refuse = TRUE;
  receive_open (dcs, 0, RELAY_DCEP_RELIABLE | RELAY_DCEP_UNORDERED_BIT, "chat");
  g_assert_cmpuint (f.opened, ==, 0);
  g_assert_cmpuint (f.sent->len, ==, 0); /* no ACK */
  g_assert_cmpuint (f.resets->len, ==, 1);
  /* Messages racing the refusal are dropped; the peer's reset ends it
   * without `closed` (the application never had it). */
  relay_data_channels_receive (dcs, 0, RELAY_PPID_STRING, (const guint8 *) "hi", 2);
  g_assert_cmpuint (f.messages->len, ==, 0);
  relay_data_channels_incoming_reset (dcs, 0);
  g_assert_cmpuint (f.closed, ==, 0);
  g_assert_cmpuint (f.resets->len, ==, 1);
  g_assert_cmpuint (relay_data_channels_count (dcs), ==, 0);

  /* A malformed OPEN: the stream is reset, nothing is created. */
  relay_data_channels_receive (dcs, 6, RELAY_PPID_DCEP, (const guint8 *) "\x03\x00", 2);
  g_assert_cmpuint (relay_data_channels_count (dcs), ==, 0);
  g_assert_cmpuint (f.resets->len, ==, 2);

  /* We close an unordered channel: sends stop, `closed` after the peer's
   * reset. */
  f.refuse = FALSE;
  receive_open (dcs, 8, RELAY_DCEP_RELIABLE | RELAY_DCEP_UNORDERED_BIT, "report");
  RelayDataChannel *ch = relay_data_channels_lookup (dcs, 8);
  g_assert_true (relay_data_channel_send_text (ch, "x", 1));
  g_assert_true (g_array_index (f.sent, Sent, f.sent->len - 1).unordered);
  relay_data_channel_close (ch);
  relay_data_channel_close (ch);
  g_assert_cmpuint (f.resets->len, ==, 3);
  g_assert_false (relay_data_channel_is_open (ch));
  g_assert_false (relay_data_channel_send_text (ch, "x", 1));
  relay_data_channels_incoming_reset (dcs, 8);
  g_assert_cmpuint (f.closed, ==, 1);
  g_assert_cmpuint (f.resets->len, ==, 3);

  /* Freeing with live channels runs no callback. */
  receive_open (dcs, 10, RELAY_DCEP_RELIABLE, "report");
  relay_data_channels_free (dcs);
  g_assert_cmpuint (f.closed, ==, 1);
  fake_clear (&f);
}

static void
test_registry_bounds (void)
{
  Fake f;
  fake_init (&f);
  RelayDataChannels *dcs = relay_data_channels_new (&fake_callbacks, RELAY_DATA_CHANNEL_PEER_EVEN, &f);

  /* Odd stream ids are ours to open (we are the DTLS server): a peer's
   * OPEN there is refused, its stream reset, nothing kept. */
  receive_open (dcs, 1, RELAY_DCEP_RELIABLE, "report");
  g_assert_cmpuint (f.opened, ==, 0);
  g_assert_cmpuint (f.resets->len, ==, 1);
  g_assert_cmpuint (g_array_index (f.resets, guint16, 0), ==, 1);
  g_assert_null (relay_data_channels_lookup (dcs, 1));
  g_assert_cmpuint (f.sent->len, ==, 0); /* no ACK */

  /* A label or protocol past the limit: refused, nothing kept. */
  g_autofree char *long_label = g_strnfill (RELAY_DATA_CHANNEL_MAX_LABEL + 1, 'x');
  receive_open (dcs, 2, RELAY_DCEP_RELIABLE, long_label);
  g_assert_null (relay_data_channels_lookup (dcs, 2));
  g_assert_cmpuint (f.resets->len, ==, 2);
  g_autofree char *at_limit = g_strnfill (RELAY_DATA_CHANNEL_MAX_LABEL, 'x');
  receive_open (dcs, 2, RELAY_DCEP_RELIABLE, at_limit);
  g_assert_nonnull (relay_data_channels_lookup (dcs, 2));
  g_assert_cmpuint (f.opened, ==, 1);

  /* A refused channel waits for the peer's reset without its label. */
  f.refuse = TRUE;
  receive_open (dcs, 4, RELAY_DCEP_RELIABLE, "chat");
  g_assert_null (relay_data_channel_get_label (relay_data_channels_lookup (dcs, 4)));

  /* At most RELAY_DATA_CHANNEL_MAX_CHANNELS at once, refused ones
   * included: past that an OPEN is refused and not kept. */
  f.refuse = FALSE;
  for (guint16 sid = 6; relay_data_channels_count (dcs) < RELAY_DATA_CHANNEL_MAX_CHANNELS; sid += 2)
    receive_open (dcs, sid, RELAY_DCEP_RELIABLE, "report");
  guint resets = f.resets->len;
  guint16 next = 6 + 2 * (RELAY_DATA_CHANNEL_MAX_CHANNELS - 2);
  receive_open (dcs, next, RELAY_DCEP_RELIABLE, "report");
  g_assert_null (relay_data_channels_lookup (dcs, next));
  g_assert_cmpuint (f.resets->len, ==, resets + 1);
  g_assert_cmpuint (relay_data_channels_count (dcs), ==, RELAY_DATA_CHANNEL_MAX_CHANNELS);
  /* One closes: a new one fits again. */
  relay_data_channels_incoming_reset (dcs, 6);
  receive_open (dcs, next, RELAY_DCEP_RELIABLE, "report");
  g_assert_nonnull (relay_data_channels_lookup (dcs, next));

  RelayDataChannelStats st;
  relay_data_channels_get_stats (dcs, &st);
  g_assert_cmpuint (st.refused, ==, 4); /* parity, label, the application, the cap */
  relay_data_channels_free (dcs);
  fake_clear (&f);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dcep/roundtrip", test_dcep_roundtrip);
  g_test_add_func ("/dcep/malformed", test_dcep_malformed);
  g_test_add_func ("/data-channel/open-and-messages", test_registry_open_and_messages);
  g_test_add_func ("/data-channel/refuse-and-close", test_registry_refuse_and_close);
  g_test_add_func ("/data-channel/bounds", test_registry_bounds);
  return g_test_run ();
}
