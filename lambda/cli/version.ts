import { version } from '../../package.json';

/**
 * The package version `watchdog --version` prints: read from package.json in a checkout, inlined into the CLI
 * bundle by the package build.
 */
export const CLI_VERSION: string = version;
