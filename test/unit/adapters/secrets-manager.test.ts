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
  SlackSigningSecretReader,
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

describe('SlackSigningSecretReader', () => {
  const sm = mockClient(SecretsManagerClient);
  beforeEach(() => sm.reset());
  const reader = (now = () => 0) =>
    new SlackSigningSecretReader({ client: new SecretsManagerClient({}), secretId: 'watchdog/slack', now });

  it('reads signingSecret from the JSON secret the notifier reads its webhook URL from, once per 5 minutes', async () => {
    sm.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({
        webhookUrl: 'https://hooks.slack.com/services/T/B/x',
        signingSecret: ' s3cr3t ',
      }),
    });
    let clock = 0;
    const r = reader(() => clock);
    expect(await r.read()).toBe('s3cr3t');
    clock += 60_000;
    expect(await r.read()).toBe('s3cr3t');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    clock += 5 * 60_000;
    await r.read();
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it.each([
    ['a bare webhook URL', 'https://hooks.slack.com/services/T/B/x'],
    ['JSON without signingSecret', JSON.stringify({ webhookUrl: 'https://hooks.slack.com/services/T/B/x' })],
    ['an empty signingSecret', JSON.stringify({ signingSecret: '  ' })],
  ])('refuses %s, naming the secret and the JSON it needs, never the value', async (_what, value) => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: value });
    const error = await reader()
      .read()
      .catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(SecretReadError);
    expect((error as Error).message).toContain('secret watchdog/slack holds no Slack signing secret');
    expect((error as Error).message).not.toContain('services/T/B/x');
  });
});
