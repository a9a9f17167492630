// A TCP proxy on a port the test holds from start to end, forwarding each
// connection to the relay of the moment. A page opened through it keeps its
// address while the relay behind it is stopped and another started on a port
// of its own: restarting a relay on the port it had would race with anything
// else on the machine taking the freed port.
//
//   const proxy = await startTcpProxy();
//   proxy.setTarget(relay.url);   // page.goto(`${proxy.url}watch.html`)
//   proxy.setTarget(null);        // refuse (close) new connections: "relay down"
//   proxy.requests                // [{method, path, headers}] of the HTTP/1.1
//                                 // requests the clients sent, in order
//   await proxy.close();
import net from 'node:net';

/* Calls onHead({method, path, headers}) for each HTTP/1.1 request head a
 * client sends on one connection: heads and Content-Length bodies in turn,
 * until an Upgrade (a WebSocket) or something else turns up. */
function requestSniffer(onHead) {
  let buf = Buffer.alloc(0);
  let skip = 0; // body bytes still to pass over
  let done = false;
  return (chunk) => {
    if (done) {
      return;
    }
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      const skipped = Math.min(skip, buf.length);
      buf = buf.subarray(skipped);
      skip -= skipped;
      const end = skip === 0 ? buf.indexOf('\r\n\r\n') : -1;
      if (end < 0) {
        return;
      }
      const [requestLine, ...lines] = buf.subarray(0, end).toString('latin1').split('\r\n');
      buf = buf.subarray(end + 4);
      const m = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/.exec(requestLine);
      if (!m) {
        done = true;
        return;
      }
      const headers = {};
      for (const line of lines) {
        const i = line.indexOf(':');
        if (i > 0) {
          headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
        }
      }
      onHead({ method: m[1], path: m[2], headers });
      if (headers.upgrade || headers['transfer-encoding']) {
        done = true;
        return;
      }
      skip = Number(headers['content-length'] || 0);
    }
  };
}

export async function startTcpProxy({ host = '127.0.0.1' } = {}) {
  let target = null; // {host, port} of the relay, or null
  const sockets = new Set();
  const requests = [];
  const track = (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  const server = net.createServer((client) => {
    track(client);
    if (!target) {
      client.destroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    track(upstream);
    // Either side gone: the other goes too, like a connection to the relay.
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
    client.on('data', requestSniffer((head) => requests.push(head)));
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  return {
    url: `http://${host}:${server.address().port}/`,
    requests,
    /** The relay's URL ('http://127.0.0.1:PORT/'), or null: no relay. */
    setTarget(url) {
      target = url ? { host: new URL(url).hostname, port: Number(new URL(url).port) } : null;
    },
    async close() {
      target = null;
      for (const s of sockets) {
        s.destroy();
      }
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
