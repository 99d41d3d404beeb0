import { runtimeFromEnvironment } from './environment';
import { createOperatorHandler } from './operator-http';

const runtime = runtimeFromEnvironment();

/**
 * Function URL (AWS_IAM auth) → the operator use cases: status, history, pause, resume, approve, rollback and
 * drill, on behalf of the IAM principal that signed the request.
 */
export const handler = createOperatorHandler(runtime);

/**
 * The read-only operator function (its own Function URL, same bundle): `status` and `history` only, for people
 * who may look at the watchdog but not act. Its role can read the table and the targets and nothing else.
 */
export const readOnlyHandler = createOperatorHandler(runtime, { readOnly: true });
