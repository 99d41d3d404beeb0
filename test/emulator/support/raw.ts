import { EMULATOR_ENV } from './constants';

/**
 * One JSON-protocol request to moto, without the SDK: for reading what moto holds where the SDK cannot
 * deserialize moto's answer (see codedeploy.test.ts). moto reads the region from the credential scope and
 * does not check signatures, so the Authorization header only has to be well-formed.
 */
export async function motoJson(
  service: string,
  target: string,
  body: Record<string, unknown>,
): Promise<{ status: number; json: any }> {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  if (!endpoint) throw new Error('AWS_ENDPOINT_URL is not set: run through npm run test:emulator');
  const scope = `${EMULATOR_ENV.AWS_ACCESS_KEY_ID}/20260101/${EMULATOR_ENV.AWS_REGION}/${service}/aws4_request`;
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': target,
      Authorization: `AWS4-HMAC-SHA256 Credential=${scope}, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json };
}
