/** moto's default account: every ARN it returns is in it, so the runtime config uses it too. */
export const MOTO_ACCOUNT = '123456789012';
export const MOTO_REGION = 'us-east-1';

/** What the SDK clients read from the environment; the credentials are moto's conventional dummies. */
export const EMULATOR_ENV = {
  AWS_REGION: MOTO_REGION,
  AWS_DEFAULT_REGION: MOTO_REGION,
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_EC2_METADATA_DISABLED: 'true',
} as const;
