import { z } from 'zod';
import { DEFAULT_POLICY } from '../../../../lambda/contract';
import { appConfigConfigKind } from '../../../../lambda/kinds/appconfig/config';

/** A stand-in for the fields every target has (the config schema passes its own). */
const common = { id: z.string(), alarms: z.array(z.string()) };
const schema = appConfigConfigKind.schema(common);

const valid = {
  id: 'checkout-flags',
  type: 'appconfig',
  application: 'checkout',
  environment: 'a1b2c3d',
  configurationProfile: 'feature-flags',
  alarms: ['checkout-errors'],
};

describe('appConfigConfigKind', () => {
  it('accepts names and ids alike', () => {
    expect(schema.safeParse(valid)).toMatchObject({ success: true, data: valid });
  });

  it('names each field a problem is about, and what would be valid', () => {
    const parsed = schema.safeParse({
      ...valid,
      application: '',
      environment: 'e'.repeat(65),
      configurationProfile: 7,
      cluster: 'prod',
    });

    expect(parsed.success).toBe(false);
    const issues = parsed.success ? [] : parsed.error.issues;
    expect(issues.map((i) => [i.path.join('.'), i.message])).toEqual(
      expect.arrayContaining([
        ['application', 'must be a non-empty AppConfig application name or id'],
        ['environment', 'must be an AppConfig environment name of at most 64 characters, or its id'],
        ['configurationProfile', "must be the AppConfig configuration profile's name or id"],
      ]),
    );
    expect(issues.find((i) => i.code === 'unrecognized_keys')).toMatchObject({ keys: ['cluster'] });
  });

  it('allows the longer names AppConfig gives profiles', () => {
    expect(schema.safeParse({ ...valid, configurationProfile: 'p'.repeat(128) }).success).toBe(true);
    expect(schema.safeParse({ ...valid, configurationProfile: 'p'.repeat(129) }).success).toBe(false);
  });

  it('keys a target by all three names, so two targets cannot protect the same profile', () => {
    const a = appConfigConfigKind.resourceOf(valid);
    const b = appConfigConfigKind.resourceOf({ ...valid, id: 'other' });
    const c = appConfigConfigKind.resourceOf({ ...valid, environment: 'staging' });

    expect(a).toEqual({
      key: 'appconfig\u0000checkout\u0000a1b2c3d\u0000feature-flags',
      field: 'configurationProfile',
      what: 'AppConfig configuration profile feature-flags in environment a1b2c3d of application checkout',
    });
    expect(b?.key).toBe(a?.key);
    expect(c?.key).not.toBe(a?.key);
    expect(appConfigConfigKind.resourceOf({ ...valid, environment: 3 })).toBeUndefined();
  });

  it('resolves to the runtime target with the identity fields as given', () => {
    const target = appConfigConfigKind.resolve(
      {
        id: 'checkout-flags',
        type: 'appconfig',
        application: 'checkout',
        environment: 'a1b2c3d',
        configurationProfile: 'feature-flags',
        alarms: ['checkout-errors'],
      },
      { id: 'checkout-flags', alarms: ['checkout-errors'], policy: DEFAULT_POLICY },
    );

    expect(target).toEqual({
      id: 'checkout-flags',
      type: 'appconfig',
      application: 'checkout',
      environment: 'a1b2c3d',
      configurationProfile: 'feature-flags',
      alarms: ['checkout-errors'],
      policy: DEFAULT_POLICY,
    });
  });
});
