// A UDP path between one WebRTC peer and the relay that a test can cut and
// restore: what a provincial office's network does when its router drops
// out for a few seconds. The peer is given the proxy's address as the
// relay's only ICE candidate (see answerThroughProxy); the relay learns the
// proxy's address as the peer's (peer-reflexive), so every datagram of the
// session, STUN, DTLS, SRTP and SCTP alike, crosses the proxy.
//
//   const proxy = await startUdpProxy();
//   const answer = proxy.answerThroughProxy(relayAnswerSdp); // give the peer this
//   proxy.cut();        // drop everything, both ways
//   proxy.restore();    // forward again
//   proxy.forwarded     // datagrams forwarded so far, both ways
//   await proxy.close();
import dgram from 'node:dgram';

export async function startUdpProxy() {
  const socket = dgram.createSocket('udp4');
  await new Promise((resolve, reject) => {
    socket.once('error', reject);
    // Every address: Chromium gathers no loopback candidates, so the peer
    // reaches the proxy on the machine's own address, like the relay.
    socket.bind(0, '0.0.0.0', resolve);
  });
  const port = socket.address().port;
  let relay = null; // {address, port}
  let peer = null; // the last address the peer sent from
  let cut = false;
  let forwarded = 0;
  let dropped = 0;

  socket.on('message', (msg, from) => {
    if (relay === null) {
      return;
    }
    const fromRelay = from.address === relay.address && from.port === relay.port;
    if (!fromRelay) {
      peer = { address: from.address, port: from.port };
    }
    if (cut) {
      dropped++;
      return;
    }
    const to = fromRelay ? peer : relay;
    if (to === null) {
      return;
    }
    forwarded++;
    socket.send(msg, to.port, to.address);
  });
  socket.on('error', () => {});

  return {
    port,
    /* The relay's answer with its UDP candidates replaced by one: the
     * proxy. The first IPv4 UDP host candidate becomes the proxy's target. */
    answerThroughProxy(sdp) {
      const lines = sdp.split(/\r?\n/);
      const out = [];
      let kept = false;
      for (const line of lines) {
        const m = /^a=candidate:(\S+) (\d+) udp (\d+) (\d+\.\d+\.\d+\.\d+) (\d+) typ host/i.exec(line);
        if (line.startsWith('a=candidate:') && !m) {
          continue;
        }
        if (m) {
          if (kept) {
            continue;
          }
          kept = true;
          relay = { address: m[4], port: Number(m[5]) };
          out.push(`a=candidate:${m[1]} ${m[2]} udp ${m[3]} ${m[4]} ${port} typ host`);
          continue;
        }
        out.push(line);
      }
      if (!kept) {
        throw new Error('the relay answered with no IPv4 UDP host candidate');
      }
      return out.join('\r\n');
    },
    cut() { cut = true; },
    restore() { cut = false; },
    get forwarded() { return forwarded; },
    get dropped() { return dropped; },
    get relayAddress() { return relay; },
    close() {
      return new Promise((resolve) => socket.close(resolve));
    },
  };
}

/* An offer with no candidates of its own: the peer can then only be reached
 * through the address the relay learns from its checks (the proxy's). */
export function offerWithoutCandidates(sdp) {
  return sdp.split(/\r?\n/).filter((l) => !l.startsWith('a=candidate:')
    && !l.startsWith('a=end-of-candidates')).join('\r\n');
}
