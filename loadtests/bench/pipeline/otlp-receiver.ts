// A stand-in OTLP/HTTP trace collector for the bench's "every span exported" run: accepts
// POST /v1/traces (JSON or protobuf, optionally gzip/deflate), counts spans, traces and spans per service,
// and answers GET /stats. Its own process, so its CPU stays out of every measured group. Reports its port
// over IPC once it listens (see support/child-process.ts, startScript).
import { createServer } from 'node:http';
import { gunzipSync, inflateSync } from 'node:zlib';

const stats = { exports: 0, spans: 0, bytes: 0, byService: {} as Record<string, number> };
const traces = new Set<string>();

function count(service: string, traceIds: string[]): void {
  stats.spans += traceIds.length;
  stats.byService[service] = (stats.byService[service] ?? 0) + traceIds.length;
  for (const t of traceIds) traces.add(t);
}

interface JsonExport {
  resourceSpans?: Array<{
    resource?: { attributes?: Array<{ key: string; value?: { stringValue?: string } }> };
    scopeSpans?: Array<{ spans?: Array<{ traceId?: string }> }>;
  }>;
}

function countJson(body: Buffer): void {
  const doc = JSON.parse(body.toString('utf8')) as JsonExport;
  for (const rs of doc.resourceSpans ?? []) {
    const service = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value?.stringValue ?? 'unknown';
    for (const ss of rs.scopeSpans ?? [])
      count(
        service,
        (ss.spans ?? []).map((s) => s.traceId ?? ''),
      );
  }
}

/** Protobuf wire format, just enough of opentelemetry/proto/collector/trace/v1 to count spans by service. */
function* fields(buf: Buffer): Generator<[number, Buffer]> {
  let i = 0;
  const varint = () => {
    let v = 0;
    for (let shift = 0; ; shift += 7) {
      const b = buf[i++]!;
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
    }
  };
  while (i < buf.length) {
    const key = varint();
    const wire = key & 7;
    if (wire === 0) varint();
    else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else if (wire === 2) {
      const len = varint();
      yield [Math.floor(key / 8), buf.subarray(i, i + len)];
      i += len;
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
}

const sub = (buf: Buffer, field: number) => [...fields(buf)].filter(([f]) => f === field).map(([, b]) => b);

function countProtobuf(body: Buffer): void {
  for (const rs of sub(body, 1)) {
    let service = 'unknown';
    for (const resource of sub(rs, 1))
      for (const kv of sub(resource, 1))
        if (sub(kv, 1)[0]?.toString() === 'service.name') service = sub(sub(kv, 2)[0] ?? Buffer.alloc(0), 1)[0]?.toString() ?? service;
    for (const ss of sub(rs, 2))
      count(
        service,
        sub(ss, 2).map((span) => sub(span, 1)[0]?.toString('hex') ?? ''),
      );
  }
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stats') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ ...stats, traces: traces.size }));
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let body = Buffer.concat(chunks);
    stats.bytes += body.length;
    const encoding = req.headers['content-encoding'];
    const proto = (req.headers['content-type'] ?? '').includes('protobuf');
    try {
      if (encoding === 'gzip') body = gunzipSync(body);
      else if (encoding === 'deflate') body = inflateSync(body);
      if (proto) countProtobuf(body);
      else countJson(body);
      stats.exports++;
      res.statusCode = 200;
      res.setHeader('content-type', proto ? 'application/x-protobuf' : 'application/json');
      res.end(proto ? Buffer.alloc(0) : '{}');
    } catch (err) {
      res.statusCode = 400;
      res.end(String(err));
    }
  });
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
});
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
