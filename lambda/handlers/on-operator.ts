import { runtimeFromEnvironment } from './environment';
import { createOperatorHandler } from './operator-http';

const runtime = runtimeFromEnvironment();

/**
 * Function URL (AWS_IAM auth) → the operator use cases: status, history, pause, resume, approve, rollback and
 * drill, on behalf of the IAM principal that signed the request.
 */
export const handler = createOperatorHandler(runtime);
