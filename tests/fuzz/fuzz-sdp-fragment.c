/* libFuzzer harness: a trickle ICE PATCH body (RFC 8840
 * application/trickle-ice-sdpfrag, webrtc/sdp/sdp-fragment.c). What the
 * parser keeps (credentials, candidates, handed to libnice) must each be
 * one line, and a refusal must say why in UTF-8 (it is sent as JSON). */
#include "tests/fuzz/fuzz-common.h"

#include <string.h>

#include "webrtc/sdp/sdp-answer.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init_logging ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RelaySdpFragment) frag = relay_sdp_fragment_parse ((const char *) data, size, &error);
  if (!frag)
    {
      FUZZ_CHECK (error != NULL);
      /* The reason goes into the JSON of the 400 reply. */
      FUZZ_CHECK (g_utf8_validate (error->message, -1, NULL));
      return 0;
    }
  FUZZ_CHECK (frag->candidates != NULL);
  for (guint i = 0; i < frag->candidates->len; i++)
    {
      const char *c = frag->candidates->pdata[i];
      FUZZ_CHECK (strchr (c, '\r') == NULL && strchr (c, '\n') == NULL);
    }
  if (frag->ice_ufrag)
    FUZZ_CHECK (strchr (frag->ice_ufrag, '\n') == NULL && strchr (frag->ice_ufrag, '\r') == NULL);
  if (frag->ice_pwd)
    FUZZ_CHECK (strchr (frag->ice_pwd, '\n') == NULL && strchr (frag->ice_pwd, '\r') == NULL);
  return 0;
}
