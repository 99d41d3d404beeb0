import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpsResponseSender } from '../../../lambda/adapters/cloudformation-response';
import type { CustomResourceResponse } from '../../../lambda/use-cases/ports';

const RESPONSE: CustomResourceResponse = {
  Status: 'SUCCESS',
  PhysicalResourceId: 'CONFIG#CURRENT',
  StackId: 'stack',
  RequestId: 'req',
  LogicalResourceId: 'Config',
};

describe('HttpsResponseSender', () => {
  let server: Server;
  let url: string;
  let status: number;
  const received: { method?: string; headers: IncomingMessage['headers']; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        received.push({ method: req.method, headers: req.headers, body });
        res.statusCode = status;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/signed?X-Amz-Signature=abc`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  beforeEach(() => {
    received.length = 0;
    status = 200;
  });

  it('PUTs the JSON body with no content type to the pre-signed URL', async () => {
    await new HttpsResponseSender({ allowHttpForTests: true }).send(url, RESPONSE);

    expect(received).toHaveLength(1);
    expect(received[0].method).toBe('PUT');
    expect(received[0].headers['content-type']).toBe('');
    expect(JSON.parse(received[0].body)).toEqual(RESPONSE);
  });

  it('rejects a non-2xx answer, so that Lambda retries', async () => {
    status = 403;
    await expect(new HttpsResponseSender({ allowHttpForTests: true }).send(url, RESPONSE)).rejects.toThrow(
      'HTTP 403',
    );
  });

  it('refuses a plain HTTP URL unless allowed for tests', async () => {
    await expect(new HttpsResponseSender().send(url, RESPONSE)).rejects.toThrow('must be HTTPS (got http:)');
    expect(received).toEqual([]);
  });
});
