import net from 'node:net';

/** Status and body of a raw HTTP/1.1 exchange, or how the connection ended without one. */
export interface RawAnswer {
  status: number | undefined;
  head: string;
  body: string;
  closedWithoutAnswer: boolean;
}

/**
 * Sends bytes as they are (fetch refuses CR/LF in header values, which is exactly what a
 * header injection attempt needs) and reads one response.
 */
export function rawRequest(port: number, bytes: Buffer | string, timeoutMs = 5000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const chunks: Buffer[] = [];
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const head = split >= 0 ? text.slice(0, split) : text;
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      resolve({ status: m ? Number(m[1]) : undefined, head, body: split >= 0 ? text.slice(split + 4) : '', closedWithoutAnswer: !m });
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      // One response is enough: stop once its declared body is complete.
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const len = /content-length: *(\d+)/i.exec(text.slice(0, split))?.[1];
      if (split >= 0 && len !== undefined && Buffer.byteLength(text.slice(split + 4)) >= Number(len)) finish();
    });
    socket.on('end', finish);
    socket.on('close', finish);
    socket.on('error', finish);
    socket.write(bytes);
  });
}
