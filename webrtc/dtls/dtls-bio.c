#include "webrtc/dtls/dtls-bio.h"

#include "webrtc/dtls/dtls-certificate.h"

/* OpenSSL packs a flight into MTU-sized chunks and writes each chunk with
 * one BIO_write; a custom sink (instead of a memory BIO) keeps those
 * boundaries, so a flight is never glued into one oversized datagram. */

typedef struct {
  RelayDtlsBioWriteFunc func;
  gpointer user_data;
} BioTarget;

static int
bio_write (BIO *bio, const char *data, int len)
{
  BioTarget *target = BIO_get_data (bio);

  BIO_clear_retry_flags (bio);
  if (len <= 0)
    return 0;
  if (target != NULL && target->func != NULL)
    target->func ((const guint8 *) data, (gsize) len, target->user_data);
  /* Datagram semantics: a packet lost downstream is DTLS's to retransmit,
   * so the write always "succeeds". */
  return len;
}

static long
bio_ctrl (BIO *bio, int cmd, long num, void *ptr)
{
  switch (cmd)
    {
    case BIO_CTRL_FLUSH:
      return 1;
    case BIO_CTRL_DGRAM_QUERY_MTU:
    case BIO_CTRL_DGRAM_GET_MTU:
    case BIO_CTRL_DGRAM_GET_FALLBACK_MTU:
      return RELAY_DTLS_MTU;
    case BIO_CTRL_DGRAM_SET_MTU:
      /* We cannot change the path; report what we will keep using. */
      return RELAY_DTLS_MTU;
    case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
      /* The MTU above already is the DTLS payload budget. */
      return 0;
    case BIO_CTRL_PENDING:
    case BIO_CTRL_WPENDING:
      /* Nothing is ever buffered here: OpenSSL subtracts this from the room
       * left in the current datagram. */
      return 0;
    case BIO_CTRL_DGRAM_MTU_EXCEEDED:
    case BIO_CTRL_DGRAM_SET_NEXT_TIMEOUT:
    default:
      return 0;
    }
}

static int
bio_create (BIO *bio)
{
  BIO_set_init (bio, 1);
  BIO_set_data (bio, NULL);
  return 1;
}

static int
bio_destroy (BIO *bio)
{
  if (bio == NULL)
    return 0;
  g_free (BIO_get_data (bio));
  BIO_set_data (bio, NULL);
  return 1;
}

/* One method table for the process; transports are built on several
 * worker threads, so it is set up under g_once and never freed. */
static BIO_METHOD *
get_method (void)
{
  static gsize once = 0;
  static BIO_METHOD *method;

  if (g_once_init_enter (&once))
    {
      int index = BIO_get_new_index ();
      BIO_METHOD *m = NULL;

      if (index != -1)
        m = BIO_meth_new (index | BIO_TYPE_SOURCE_SINK, "relay-dtls-datagram");
      if (m != NULL)
        {
          BIO_meth_set_write (m, bio_write);
          BIO_meth_set_ctrl (m, bio_ctrl);
          BIO_meth_set_create (m, bio_create);
          BIO_meth_set_destroy (m, bio_destroy);
        }
      method = m;
      g_once_init_leave (&once, 1);
    }
  return method;
}

BIO *
relay_dtls_bio_new (RelayDtlsBioWriteFunc func, gpointer user_data, GError **error)
{
  BIO_METHOD *method = get_method ();
  BioTarget *target;
  BIO *bio;

  if (method == NULL || (bio = BIO_new (method)) == NULL)
    {
      g_set_error (error, RELAY_DTLS_ERROR, RELAY_DTLS_ERROR_OPENSSL,
                   "cannot create the DTLS datagram BIO");
      return NULL;
    }
  target = g_new0 (BioTarget, 1);
  target->func = func;
  target->user_data = user_data;
  BIO_set_data (bio, target);
  return bio;
}
