// The HTTP test guest: a wasi:http proxy built with componentize-js, whose
// fetch event answers the routes the tests ask for.

// counter is instance state: 1 on every request when each request has an
// instance of its own.
let counter = 0;

async function handle(req) {
  const url = new URL(req.url);
  const path = url.pathname;
  if (path === '/hello') {
    return new Response('hello from js\n', {
      status: 200,
      headers: { 'content-type': 'text/plain', 'x-guest': 'js' },
    });
  }
  if (path === '/echo') {
    // The request body streamed back as it arrives, with its method and
    // some of its headers.
    const h = new Headers();
    h.set('x-method', req.method);
    const ct = req.headers.get('content-type');
    if (ct !== null) h.set('content-type', ct);
    const xt = req.headers.get('x-test');
    if (xt !== null) h.set('x-test-echo', xt);
    return new Response(req.body, { status: 200, headers: h });
  }
  if (path === '/headers') {
    const names = [];
    for (const [k, v] of req.headers) {
      if (k.startsWith('x-')) names.push(k + '=' + v);
    }
    names.sort();
    return new Response(names.join('\n') + '\n', {
      headers: { 'x-multi': 'a, b' },
    });
  }
  if (path.startsWith('/status/')) {
    const status = parseInt(path.slice('/status/'.length), 10);
    return new Response(status === 204 ? null : 'status ' + status + '\n', { status });
  }
  if (path === '/large') {
    // n bytes made in chunks as the body is read.
    let left = parseInt(url.searchParams.get('n') || '0', 10);
    const chunk = new Uint8Array(64 * 1024);
    for (let i = 0; i < chunk.length; i++) chunk[i] = 97 + (i % 26);
    const body = new ReadableStream({
      pull(controller) {
        if (left <= 0) {
          controller.close();
          return;
        }
        const n = Math.min(left, chunk.length);
        controller.enqueue(chunk.slice(0, n));
        left -= n;
      },
    });
    return new Response(body, { headers: { 'content-type': 'application/octet-stream' } });
  }
  if (path === '/count') {
    // The length of the request body, read to its end.
    const b = new Uint8Array(await req.arrayBuffer());
    let sum = 0;
    for (let i = 0; i < b.length; i++) sum = (sum + b[i]) % 65536;
    return new Response(b.length + ' ' + sum + '\n');
  }
  if (path === '/fetch') {
    const target = url.searchParams.get('url');
    try {
      const r = await fetch(target, { headers: { 'x-from': 'guest' } });
      const text = await r.text();
      return new Response('upstream ' + r.status + ' ' + text, {
        headers: { 'x-upstream': r.headers.get('x-upstream') || '' },
      });
    } catch (e) {
      return new Response('fetch failed: ' + e + '\n', { status: 502 });
    }
  }
  if (path === '/forward') {
    // The request body posted to another server, its answer streamed back.
    const target = url.searchParams.get('url');
    const body = await req.arrayBuffer();
    const r = await fetch(target, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/octet-stream' },
    });
    return new Response(r.body, {
      status: r.status,
      headers: { 'x-upstream': r.headers.get('x-upstream') || '' },
    });
  }
  if (path === '/counter') {
    counter += 1;
    return new Response('counter ' + counter + '\n');
  }
  if (path === '/throw') {
    throw new Error('the guest threw');
  }
  return new Response('not found\n', { status: 404 });
}

addEventListener('fetch', (event) => event.respondWith(handle(event.request)));
