import { z } from 'zod';
import type { AppConfigTargetConfig, RuntimeAppConfigTarget } from '../../contract';
import type { ConfigKind } from '../config-kind';
import { IDENTITY_FIELDS, describeAppConfig } from './names';

/**
 * AppConfig's name limits (CreateApplication, CreateEnvironment: 1-64 characters; CreateConfigurationProfile:
 * 1-128). An id (7 lower-case letters and digits) fits all three.
 */
const NAME_MAX = { application: 64, environment: 64, 'configuration profile': 128 } as const;

// eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
const NO_CONTROL = /^[^\u0000-\u001f\u007f]*$/;

const nameOrId = (what: keyof typeof NAME_MAX) =>
  z
    .string({ error: `must be the AppConfig ${what}'s name or id` })
    .min(1, { error: `must be a non-empty AppConfig ${what} name or id` })
    .max(NAME_MAX[what], {
      error: `must be an AppConfig ${what} name of at most ${NAME_MAX[what]} characters, or its id`,
    })
    .regex(NO_CONTROL, { error: `must be an AppConfig ${what} name or id without control characters` });

/**
 * `{ "type": "appconfig", "application", "environment", "configurationProfile", ... }`: each of the three is a
 * name or an id; 7 lower-case letters and digits read as an id (lambda/kinds/appconfig/names.ts).
 */
export const appConfigConfigKind: ConfigKind<AppConfigTargetConfig, RuntimeAppConfigTarget> = {
  type: 'appconfig',
  schema: (common) =>
    z.strictObject({
      ...common,
      type: z.literal('appconfig'),
      application: nameOrId('application'),
      environment: nameOrId('environment'),
      configurationProfile: nameOrId('configuration profile'),
    }),
  identityFields: IDENTITY_FIELDS,
  resourceOf(raw) {
    const { application, environment, configurationProfile } = raw;
    if (
      typeof application !== 'string' ||
      typeof environment !== 'string' ||
      typeof configurationProfile !== 'string'
    ) {
      return undefined;
    }
    return {
      key: `appconfig\u0000${application}\u0000${environment}\u0000${configurationProfile}`,
      field: 'configurationProfile',
      what: describeAppConfig({ application, environment, configurationProfile }),
    };
  },
  resolve: (target, common) => ({
    ...common,
    type: 'appconfig',
    application: target.application,
    environment: target.environment,
    configurationProfile: target.configurationProfile,
  }),
};
