import { SecretRedactor } from '../../../lambda/adapters/secret-redaction';

const URL_ = 'https://hooks.slack.com/services/T0123ABCD/B0456EFGH/abcdefghijklmnopqrstuvwx';
const TOKEN = 'abcdefghijklmnopqrstuvwx';
const r = new SecretRedactor(URL_);

describe('SecretRedactor', () => {
  it.each([
    ['the URL', URL_],
    ['the path', '/services/T0123ABCD/B0456EFGH/abcdefghijklmnopqrstuvwx'],
    ['the token alone', `token ${TOKEN} rejected`],
    ['the workspace id alone', 'team T0123ABCD'],
    ['the URL JSON-escaped', JSON.stringify(URL_).replace(/\//g, '\\/')],
    ['the URL percent-encoded', encodeURIComponent(URL_)],
    [
      'the token with every byte percent-encoded (lower case)',
      [...TOKEN].map((c) => `%${c.charCodeAt(0).toString(16)}`).join(''),
    ],
    [
      'the token with every byte percent-encoded (upper case)',
      [...TOKEN].map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).join(''),
    ],
    ['the token split by a newline', `${TOKEN.slice(0, 10)}\n${TOKEN.slice(10)}`],
    ['the token split by CRLF and spaces', `${TOKEN.slice(0, 3)}\r\n   ${TOKEN.slice(3)}`],
    ['the token split by an escaped newline', `${TOKEN.slice(0, 10)}\\n${TOKEN.slice(10)}`],
  ])('removes %s', (_what, text) => {
    const out = r.redact(text);
    expect(out).toContain('[redacted]');
    expect(out.replace(/\\n|\s/g, '')).not.toContain(TOKEN);
    expect(out).not.toContain('T0123ABCD');
  });

  it('leaves text without the secret alone', () => {
    expect(r.redact('no_service: the webhook is gone')).toBe('no_service: the webhook is gone');
    expect(r.redact('POST /services/ failed')).toBe('POST /services/ failed');
  });

  it('redacts every string inside fields, including error messages, without touching other values', () => {
    const out = r.redactDeep({
      problem: `HTTP 404 (${TOKEN})`,
      attempt: 2,
      nested: [{ url: URL_ }],
      error: new Error(`to ${URL_}`),
    });
    expect(JSON.stringify(out)).not.toContain(TOKEN);
    expect(out).toMatchObject({ attempt: 2, error: { name: 'Error', message: 'to [redacted]' } });
  });
});

describe('SecretRedactor on a webhook URL with its secret in the query (Google Chat)', () => {
  const KEY = 'AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI';
  const CHAT_TOKEN = 'O7bnyri_WEXKcyFkBH3t2sTCoGNq8LzUi9F6bz0wVXs=';
  const CHAT_URL = `https://chat.googleapis.com/v1/spaces/AAAAkM8Hx0E/messages?key=${KEY}&token=${encodeURIComponent(CHAT_TOKEN)}`;
  const chat = new SecretRedactor(CHAT_URL);

  it.each([
    ['the token alone', `token ${CHAT_TOKEN} rejected`],
    ['the token as written in the URL', `token=${encodeURIComponent(CHAT_TOKEN)}`],
    ['the key alone', `API key not valid: ${KEY}`],
    ['the token split by a newline', `${CHAT_TOKEN.slice(0, 10)}\n${CHAT_TOKEN.slice(10)}`],
  ])('removes %s', (_what, text) => {
    const out = chat.redact(text);
    expect(out).toContain('[redacted]');
    expect(out.replace(/\\n|\s/g, '')).not.toContain(CHAT_TOKEN);
    expect(out).not.toContain(encodeURIComponent(CHAT_TOKEN));
    expect(out).not.toContain(KEY);
  });

  it('leaves short query values alone', () => {
    const teams = new SecretRedactor(
      'https://example.invalid/workflows/abcd1234/invoke?sv=1.0&sig=s3cr3tS1gnatur3',
    );
    expect(teams.redact('sv=1.0 sig=s3cr3tS1gnatur3')).toBe('sv=1.0 sig=[redacted]');
  });
});
