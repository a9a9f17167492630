/* The pages built into the relay (web/), served from its GResource. */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

void relay_static_pages_register (SoupServer *server);

G_END_DECLS
