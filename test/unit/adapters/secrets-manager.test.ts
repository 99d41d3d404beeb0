import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import {
  SECRET_CACHE_TTL_MS,
  SecretReadError,
  SecretsManagerSecretReader,
} from '../../../lambda/adapters/secrets-manager';

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:watchdog/slack-AbCdEf';
const WEBHOOK = 'https://hooks.slack.com/services/T0000/B0000/s3cr3tT0k3n';

describe('SecretsManagerSecretReader', () => {
  const sm = mockClient(SecretsManagerClient);
  let now = 0;

  beforeEach(() => {
    sm.reset();
    now = 1_000_000;
  });

  function reader(options: { allowInsecureForTests?: boolean } = {}) {
    return new SecretsManagerSecretReader({
      client: new SecretsManagerClient({ region: 'us-east-1' }),
      secretId: ARN,
      now: () => now,
      ...options,
    });
  }

  it.each([
    ['the bare URL', WEBHOOK],
    ['the bare URL with a trailing newline', `${WEBHOOK}\n`],
    ['JSON with "url"', JSON.stringify({ url: WEBHOOK })],
    ['JSON with "webhookUrl"', JSON.stringify({ webhookUrl: WEBHOOK, channel: '#oncall' })],
  ])('reads %s by ARN', async (_label, secret) => {
    // Prepare
    sm.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: secret });

    // Act
    const url = await reader().read();

    // Assess
    expect(url).toBe(WEBHOOK);
    expect(sm).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: ARN });
  });

  it('caches the URL for a few minutes, then reads it again (rotation)', async () => {
    // Prepare
    sm.on(GetSecretValueCommand).resolves({ SecretString: WEBHOOK });
    const r = reader();

    // Act
    await r.read();
    now += SECRET_CACHE_TTL_MS - 1;
    await r.read();
    now += 1;
    await r.read();

    // Assess
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('shares one request between concurrent reads', async () => {
    // Prepare
    sm.on(GetSecretValueCommand).resolves({ SecretString: WEBHOOK });
    const r = reader();

    // Act
    const urls = await Promise.all([r.read(), r.read(), r.read()]);

    // Assess
    expect(urls).toEqual([WEBHOOK, WEBHOOK, WEBHOOK]);
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
  });

  it('reads again after forget()', async () => {
    // Prepare
    sm.on(GetSecretValueCommand).resolves({ SecretString: WEBHOOK });
    const r = reader();

    // Act
    await r.read();
    r.forget();
    await r.read();

    // Assess
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('does not cache a failed read', async () => {
    // Prepare
    sm.on(GetSecretValueCommand)
      .rejectsOnce(
        new ResourceNotFoundException({
          message: "Secrets Manager can't find the specified secret.",
          $metadata: {},
        }),
      )
      .resolves({ SecretString: WEBHOOK });
    const r = reader();

    // Act
    const first = r.read();

    // Assess
    await expect(first).rejects.toThrow(SecretReadError);
    await expect(first).rejects.toThrow(
      `cannot read secret ${ARN}: ResourceNotFoundException: Secrets Manager can't find the specified secret`,
    );
    await expect(r.read()).resolves.toBe(WEBHOOK);
  });

  it.each([
    ['a non-Slack host', 'https://evil.example/services/T/B/x'],
    ['a look-alike host', 'https://hooks.slack.com.evil.example/services/T/B/x'],
    ['plain http', 'http://hooks.slack.com/services/T/B/x'],
    ['JSON without a URL', JSON.stringify({ token: 'https://evil.example/x' })],
    ['malformed JSON', '{"url": "https://evil.example/x"'],
    ['an empty string', ''],
  ])('rejects %s without ever putting the value in the error', async (_label, secret) => {
    // Prepare
    sm.on(GetSecretValueCommand).resolves({ SecretString: secret });

    // Act
    const error = await reader()
      .read()
      .then(
        () => undefined,
        (e: unknown) => e,
      );

    // Assess
    expect(error).toBeInstanceOf(SecretReadError);
    expect((error as Error).message).toContain(`secret ${ARN} does not hold a Slack incoming-webhook URL`);
    expect((error as Error).message).not.toContain('evil.example');
    expect((error as Error).message).not.toContain('/services/');
  });

  it('rejects a binary secret', async () => {
    // Prepare
    sm.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1, 2, 3]) });

    // Act & Assess
    await expect(reader().read()).rejects.toThrow(`secret ${ARN} has no string value`);
  });

  it('accepts a local http URL only with allowInsecureForTests', async () => {
    // Prepare
    const local = 'http://127.0.0.1:4321/services/T/B/x';
    sm.on(GetSecretValueCommand).resolves({ SecretString: local });

    // Act & Assess
    await expect(reader({ allowInsecureForTests: true }).read()).resolves.toBe(local);
    await expect(reader().read()).rejects.toThrow(SecretReadError);
  });
});
