/* briefing-relay: the list the province pickers offer, and the ?province=
 * of a page's address (no DOM access). */

/* GET /api/v1/provinces: the entries that have a code, sorted by code.
 * Rejects on a network error or an HTTP error. */
export async function fetchProvinces(baseUrl) {
  const res = await fetch(new URL('api/v1/provinces', baseUrl), {
    headers: { Accept: 'application/json' },
    cache: 'no-store',
  });
  if (!res.ok) {
    throw new Error('HTTP ' + res.status);
  }
  const body = await res.json();
  return (Array.isArray(body.provinces) ? body.provinces : [])
    .filter((p) => p && typeof p.code === 'string')
    .sort((a, b) => a.code.localeCompare(b.code));
}

/* href with ?province=code, or without it when code is empty: kept in the
 * address so that a reload or a bookmark opens the same province. */
export function addressWithProvince(href, code) {
  const url = new URL(href);
  if (code) {
    url.searchParams.set('province', code);
  } else {
    url.searchParams.delete('province');
  }
  return url;
}
