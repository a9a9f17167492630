#include "webrtc/dtls/dtls-peer-check.h"

#include <openssl/x509.h>

#include "webrtc/dtls/dtls-fingerprint.h"

/* One ex_data slot for the process, allocated on first use; transports
 * are built on several worker threads. */
static int
check_index (void)
{
  static gsize once = 0;
  static int index = -1;

  if (g_once_init_enter (&once))
    {
      index = SSL_get_ex_new_index (0, (void *) "relay-dtls-peer-check", NULL, NULL, NULL);
      g_once_init_leave (&once, 1);
    }
  return index;
}

gboolean
relay_dtls_peer_check_attach (SSL *ssl, RelayDtlsPeerCheck *check)
{
  int index = check_index ();

  return index >= 0 && SSL_set_ex_data (ssl, index, check) == 1;
}

int
relay_dtls_peer_check_verify (X509_STORE_CTX *store, void *unused)
{
  SSL *ssl = X509_STORE_CTX_get_ex_data (store, SSL_get_ex_data_X509_STORE_CTX_idx ());
  int index = check_index ();
  RelayDtlsPeerCheck *check = ssl != NULL && index >= 0 ? SSL_get_ex_data (ssl, index) : NULL;
  /* The leaf: the certificate the peer signs the handshake with, whose
   * digest the SDP announced (RFC 8122). The rest of a chain, if the peer
   * sends one, authenticates nothing here. */
  X509 *leaf = X509_STORE_CTX_get0_cert (store);

  if (check != NULL && leaf != NULL
      && relay_dtls_fingerprint_matches (leaf, check->fingerprints))
    {
      check->accepted++;
      X509_STORE_CTX_set_error (store, X509_V_OK);
      return 1;
    }
  if (check != NULL)
    check->rejected++;
  /* Sent to the peer as a bad_certificate alert. */
  X509_STORE_CTX_set_error (store, X509_V_ERR_CERT_REJECTED);
  return 0;
}
