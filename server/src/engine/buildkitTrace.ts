// Decoder for BuildKit's status trace, which the Engine sends during a `version=2` build as
// {"id":"moby.buildkit.trace","aux":"<base64 StatusResponse>"}.
// A small protobuf wire-format reader; field numbers from moby/buildkit api/services/control/control.proto:
// StatusResponse { repeated Vertex vertexes = 1; repeated VertexStatus statuses = 2; repeated VertexLog logs = 3; ... }
//   Vertex { string digest = 1; repeated string inputs = 2; string name = 3; bool cached = 4;
//            Timestamp started = 5; Timestamp completed = 6; string error = 7; ... }
//   VertexLog { string vertex = 1; Timestamp timestamp = 2; int64 stream = 3; bytes msg = 4; }
//   google.protobuf.Timestamp { int64 seconds = 1; int32 nanos = 2; }

export interface TraceVertex {
  digest: string;
  inputs: string[];
  name: string;
  cached: boolean;
  /** Milliseconds since the epoch. */
  started?: number;
  completed?: number;
  error?: string;
}

export interface TraceLog {
  vertex: string;
  stream: number;
  msg: string;
}

export interface TraceStatus {
  vertexes: TraceVertex[];
  logs: TraceLog[];
}

interface Field {
  no: number;
  wire: number;
  /** varint value (wire 0) */
  int?: bigint;
  /** length-delimited payload (wire 2) */
  bytes?: Uint8Array;
}

class Reader {
  pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  done(): boolean {
    return this.pos >= this.buf.length;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw new Error('truncated varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 70n) throw new Error('varint too long');
    }
  }

  field(): Field {
    const key = Number(this.varint());
    const no = key >>> 3;
    const wire = key & 7;
    switch (wire) {
      case 0:
        return { no, wire, int: this.varint() };
      case 1:
        this.skip(8);
        return { no, wire };
      case 2: {
        const len = Number(this.varint());
        if (len < 0 || this.pos + len > this.buf.length) throw new Error('truncated field');
        const bytes = this.buf.subarray(this.pos, this.pos + len);
        this.pos += len;
        return { no, wire, bytes };
      }
      case 5:
        this.skip(4);
        return { no, wire };
      default:
        throw new Error(`unsupported wire type ${wire}`);
    }
  }

  private skip(n: number): void {
    if (this.pos + n > this.buf.length) throw new Error('truncated field');
    this.pos += n;
  }
}

function fields(buf: Uint8Array): Field[] {
  const r = new Reader(buf);
  const out: Field[] = [];
  while (!r.done()) out.push(r.field());
  return out;
}

const utf8 = new TextDecoder('utf-8');

function str(f: Field): string {
  return f.bytes ? utf8.decode(f.bytes) : '';
}

function timestamp(buf: Uint8Array): number {
  let seconds = 0n;
  let nanos = 0n;
  for (const f of fields(buf)) {
    if (f.no === 1 && f.int !== undefined) seconds = BigInt.asIntN(64, f.int);
    if (f.no === 2 && f.int !== undefined) nanos = BigInt.asIntN(32, f.int);
  }
  return Number(seconds) * 1000 + Number(nanos) / 1e6;
}

function vertex(buf: Uint8Array): TraceVertex {
  const v: TraceVertex = { digest: '', inputs: [], name: '', cached: false };
  for (const f of fields(buf)) {
    switch (f.no) {
      case 1:
        v.digest = str(f);
        break;
      case 2:
        v.inputs.push(str(f));
        break;
      case 3:
        v.name = str(f);
        break;
      case 4:
        v.cached = (f.int ?? 0n) !== 0n;
        break;
      case 5:
        if (f.bytes) v.started = timestamp(f.bytes);
        break;
      case 6:
        if (f.bytes) v.completed = timestamp(f.bytes);
        break;
      case 7: {
        const e = str(f);
        if (e) v.error = e;
        break;
      }
      default:
        break;
    }
  }
  return v;
}

function log(buf: Uint8Array): TraceLog {
  const l: TraceLog = { vertex: '', stream: 0, msg: '' };
  for (const f of fields(buf)) {
    if (f.no === 1) l.vertex = str(f);
    else if (f.no === 3 && f.int !== undefined) l.stream = Number(f.int);
    else if (f.no === 4) l.msg = str(f);
  }
  return l;
}

/** Decodes one StatusResponse message. Throws on malformed input. */
export function decodeStatusResponse(buf: Uint8Array): TraceStatus {
  const out: TraceStatus = { vertexes: [], logs: [] };
  for (const f of fields(buf)) {
    if (f.wire !== 2 || !f.bytes) continue;
    if (f.no === 1) out.vertexes.push(vertex(f.bytes));
    else if (f.no === 3) out.logs.push(log(f.bytes));
  }
  return out;
}

/** Decodes the base64 `aux` of a moby.buildkit.trace message; null when it is not decodable. */
export function decodeTraceAux(aux: string): TraceStatus | null {
  try {
    return decodeStatusResponse(Buffer.from(aux, 'base64'));
  } catch {
    return null;
  }
}

export { parseVertexName, type VertexStep } from '../analysis/image/buildSteps';
