/**
 * Where the watchdog can be deployed. Its operator entry point (every mutating `watchdog` command, and so
 * approval mode, pause, resume, manual rollbacks and drills) is a Lambda function URL with AWS_IAM auth, and
 * the watchdog must run in the region of the services it protects (its rules listen on that region's
 * default event bus). A region without function URLs is therefore a region the watchdog does not support:
 * CloudFormation would refuse the template there (`AWS::Lambda::Url` is not a resource type it knows).
 *
 * Per partition (cdk.json targets `aws` and `aws-cn`):
 * - `aws`: every commercial Region except those in FUNCTION_URL_UNAVAILABLE_REGIONS.aws;
 * - `aws-cn`: China (Beijing) cn-north-1 only; China (Ningxia) cn-northwest-1 has no function URLs;
 * - `aws-us-gov`: neither GovCloud Region has function URLs, so GovCloud is not supported.
 * Other partitions (ISO, European Sovereign Cloud) have never been checked and are not supported.
 */
export type Partition = 'aws' | 'aws-cn' | 'aws-us-gov';

/**
 * Regions without `AWS::Lambda::Url`: the Lambda Developer Guide's list ("Function URLs are not supported
 * in the following AWS Regions", checked 2026) and the CloudFormation resource specifications cfn-lint
 * 1.51.0 ships, which add mx-central-1 and the China and GovCloud regions.
 */
export const FUNCTION_URL_UNAVAILABLE_REGIONS: Readonly<Record<Partition, readonly string[]>> = {
  aws: [
    'ap-east-2',
    'ap-south-2',
    'ap-southeast-4',
    'ap-southeast-5',
    'ap-southeast-6',
    'ap-southeast-7',
    'ca-west-1',
    'eu-central-2',
    'eu-south-2',
    'il-central-1',
    'me-central-1',
    'mx-central-1',
  ],
  'aws-cn': ['cn-northwest-1'],
  'aws-us-gov': ['us-gov-east-1', 'us-gov-west-1'],
};

/**
 * The regions the watchdog supports, each of which has function URLs: every template is linted for all
 * of them (test/infra/cfn-lint.test.ts), and the README lists them. A region missing here and from
 * FUNCTION_URL_UNAVAILABLE_REGIONS is one that did not exist when this list was made: not refused, not
 * checked.
 */
export const SUPPORTED_REGIONS: readonly string[] = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'af-south-1',
  'ap-east-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ca-central-1',
  'eu-central-1',
  'eu-north-1',
  'eu-south-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'me-south-1',
  'sa-east-1',
  'cn-north-1',
];

/** The partition a region name belongs to, from its prefix. */
/** An AWS region name as the config writes it: `us-east-1`, `eu-west-2`, `cn-north-1`, `us-gov-west-1`. */
export const REGION_PATTERN = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;

export function partitionOf(region: string): Partition {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/**
 * Why the watchdog cannot be deployed in `region`, or undefined when it can (or the region is unknown here).
 * One sentence naming the region, the reason and what to do.
 */
export function operatorUrlRegionProblem(region: string): string | undefined {
  const partition = partitionOf(region);
  if (!FUNCTION_URL_UNAVAILABLE_REGIONS[partition].includes(region)) return undefined;
  const where =
    partition === 'aws-us-gov'
      ? 'AWS GovCloud (US) has no Lambda function URLs in either Region'
      : partition === 'aws-cn'
        ? `${region} has no Lambda function URLs (in the China partition only cn-north-1 has them)`
        : `${region} has no Lambda function URLs`;
  return (
    `region ${region}: not supported: ${where}, and the watchdog's operator entry point (every mutating ` +
    '`watchdog` command) is a function URL (AWS::Lambda::Url). The watchdog must run in the region of the ' +
    'services it protects; protect services in a supported region (README, "Regions").'
  );
}

/**
 * Why the `chatbotSlack` option cannot be used in `region`, or undefined when it can: AWS Chatbot
 * (AWS::Chatbot::SlackChannelConfiguration) does not exist in the China partition (cfn-lint 1.51.0).
 */
export function chatbotRegionProblem(region: string): string | undefined {
  if (partitionOf(region) !== 'aws-cn') return undefined;
  return (
    `chatbotSlack: AWS Chatbot (AWS::Chatbot::SlackChannelConfiguration) does not exist in ${region}; ` +
    'post to Slack through slackWebhookSecret (notifications.slackWebhookSecretName) instead'
  );
}

/**
 * The region a process is configured for, read the way the AWS CLI reads it: AWS_REGION (what Lambda sets,
 * and all the SDK reads), else AWS_DEFAULT_REGION; an empty value counts as unset. Undefined when neither
 * names one (the CLI then leaves it to the profile). The one place the watchdog reads a region from the
 * environment.
 */
export function regionFromEnvironment(env: Readonly<Record<string, string | undefined>>): string | undefined {
  return nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
