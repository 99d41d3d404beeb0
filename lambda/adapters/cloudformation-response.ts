import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { CustomResourceResponse, ResponseSender } from '../use-cases/ports';

/** CloudFormation waits up to an hour for a response that never comes; a stuck PUT must not be why. */
const RESPONSE_TIMEOUT_MS = 10_000;

/**
 * Sends a custom resource's result to the pre-signed S3 URL CloudFormation gave it (ResponseURL), as its
 * custom resource protocol requires: an HTTPS PUT of the JSON body, with no content type (the signature
 * covers none). A non-2xx answer or a network failure rejects, so that Lambda retries the invocation.
 */
export class HttpsResponseSender implements ResponseSender {
  /**
   * @param options.allowHttpForTests accept plain `http:` URLs, so tests can answer with a local server.
   * Never set in a deployment: CloudFormation's URLs are HTTPS.
   */
  constructor(private readonly options: { readonly allowHttpForTests?: boolean } = {}) {}

  send(responseUrl: string, response: CustomResourceResponse): Promise<void> {
    const body = JSON.stringify(response);
    const { protocol } = new URL(responseUrl);
    if (protocol !== 'https:' && !(protocol === 'http:' && this.options.allowHttpForTests === true)) {
      return Promise.reject(new Error(`the response URL must be HTTPS (got ${protocol})`));
    }
    const request = protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = request(
        responseUrl,
        {
          method: 'PUT',
          headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
          timeout: RESPONSE_TIMEOUT_MS,
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve();
            else reject(new Error(`CloudFormation's response URL answered HTTP ${status}`));
          });
        },
      );
      req.on('timeout', () =>
        req.destroy(new Error(`no answer from the response URL in ${RESPONSE_TIMEOUT_MS} ms`)),
      );
      req.on('error', reject);
      req.end(body);
    });
  }
}
