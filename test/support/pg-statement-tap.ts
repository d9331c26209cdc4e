import { TcpProxy } from './tcp-proxy';

/** One statement a client sent: its SQL and its parameters as text (`null` for SQL NULL). */
export interface TappedStatement {
  readonly sql: string;
  readonly params: ReadonlyArray<string | null>;
}

/** Startup-phase request codes that are answered before the real startup message follows. */
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

/**
 * A TCP proxy in front of PostgreSQL that records every statement its clients
 * execute, by reading the frontend side of the wire protocol: a simple `Query`
 * ('Q') counts once, an extended-protocol `Bind` ('B') counts once with the SQL
 * of the `Parse` ('P') it binds and its parameters. node-postgres sends
 * Parse + Bind + Execute for every parameterised query, so this sees exactly
 * the statements that reach the server, from any number of processes, at the
 * moment they are sent: no statistics collector, no flush delay, no log file.
 * Use it when statements must be counted across app processes; in-process,
 * a spy on `DatabaseService.query` is simpler.
 */
export class PgStatementTap {
  private constructor(
    private readonly proxy: TcpProxy,
    /** Every statement sent through the tap so far, in order. */
    readonly statements: readonly TappedStatement[],
  ) {}

  /** Starts a tap on a free loopback port in front of `host:port`. */
  static async start(targetHost = '127.0.0.1', targetPort = 5432): Promise<PgStatementTap> {
    const statements: TappedStatement[] = [];
    const proxy = await TcpProxy.start(targetHost, targetPort, () => {
      const parser = new FrontendParser((statement) => statements.push(statement));
      return (chunk) => parser.push(chunk);
    });
    return new PgStatementTap(proxy, statements);
  }

  get port(): number {
    return this.proxy.port;
  }

  /** Delays traffic by `ms` each way from now on (so a load stays in flight that long). */
  setLatency(ms: number): void {
    this.proxy.setLatency(ms);
  }

  /** Statements recorded so far that `match`. */
  count(match: (statement: TappedStatement) => boolean): number {
    return this.statements.filter(match).length;
  }

  close(): Promise<void> {
    return this.proxy.close();
  }
}

/** Splits the client → server byte stream into messages and reports executed statements. */
class FrontendParser {
  private buffer = Buffer.alloc(0);
  private started = false;
  /** SQL of each prepared statement by name ('' = the unnamed one). */
  private readonly prepared = new Map<string, string>();

  constructor(private readonly onStatement: (statement: TappedStatement) => void) {}

  push(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      // Startup-phase messages have no type byte: Int32 length, Int32 code, …
      const headerBytes = this.started ? 5 : 4;
      if (this.buffer.length < headerBytes) return;
      const length = this.buffer.readInt32BE(this.started ? 1 : 0);
      const total = this.started ? length + 1 : length;
      if (this.buffer.length < total) return;
      const message = this.buffer.subarray(0, total);
      this.buffer = this.buffer.subarray(total);
      if (this.started) this.onMessage(String.fromCharCode(message[0]), message.subarray(5));
      else {
        const code = message.readInt32BE(4);
        this.started = code !== SSL_REQUEST && code !== GSSENC_REQUEST;
      }
    }
  }

  private onMessage(type: string, body: Buffer): void {
    const reader = new Reader(body);
    if (type === 'Q') this.onStatement({ sql: reader.cstring(), params: [] });
    else if (type === 'P') {
      const name = reader.cstring();
      this.prepared.set(name, reader.cstring());
    } else if (type === 'B') {
      reader.cstring(); // portal
      const sql = this.prepared.get(reader.cstring()) ?? '';
      const formats = reader.int16();
      for (let i = 0; i < formats; i++) reader.int16();
      const count = reader.int16();
      const params: Array<string | null> = [];
      for (let i = 0; i < count; i++) params.push(reader.value());
      this.onStatement({ sql, params });
    }
  }
}

class Reader {
  private offset = 0;
  constructor(private readonly bytes: Buffer) {}

  cstring(): string {
    const end = this.bytes.indexOf(0, this.offset);
    const text = this.bytes.toString('utf8', this.offset, end);
    this.offset = end + 1;
    return text;
  }

  int16(): number {
    const value = this.bytes.readInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  value(): string | null {
    const length = this.bytes.readInt32BE(this.offset);
    this.offset += 4;
    if (length < 0) return null;
    const text = this.bytes.toString('utf8', this.offset, this.offset + length);
    this.offset += length;
    return text;
  }
}
